// A balancer's result section: its queue is its backend queue (requests waiting for any server
// below maxconn), so the common queue length, longest queue and wait are replaced by the
// backend queue's (in place: the keys keep their position); then the balancer's own figures
// (the queue again, its wait and the requests that waited past queue_timeout) and the requests
// its rate limit refused.
import { C_RATE_LIMITED, C_TIMEOUTS } from "../../engine/codes.ts";
import { estimate, latencyMs } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";

export function balancerResult({ reps, component: ci }: ResultContext): Record<string, unknown> {
  const count = (i: number) => reps.reduce((a, rep) => a + rep.components[ci].counts[i], 0);
  return {
    queueLength: estimate(reps.map((rep) => rep.components[ci].queueArea / rep.window)),
    maxQueue: reps.reduce((m, rep) => Math.max(m, rep.components[ci].maxQueue), 0),
    waitMs: latencyMs(reps.map((rep) => rep.components[ci].latency)),
    balancer: {
      queueLength: estimate(reps.map((rep) => rep.components[ci].queueArea / rep.window)),
      maxQueue: reps.reduce((m, rep) => Math.max(m, rep.components[ci].maxQueue), 0),
      queueWaitMs: latencyMs(reps.map((rep) => rep.components[ci].latency)),
      timeouts: count(C_TIMEOUTS),
    },
    rateLimited: count(C_RATE_LIMITED),
  };
}
