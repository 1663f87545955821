// A queue's result section: what happened to its messages (published, processed, dead-lettered,
// dropped from the head, rejected when full, retried), the time from publish to processed, and
// the backlog (the common queue length: messages waiting for a worker).
import { C_DEAD, C_DROPPED_HEAD, C_PROCESSED, C_PUBLISHED, C_REJECTED, C_RETRIES } from "../../engine/codes.ts";
import { latencyMs } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";

export function queueResult({ reps, component: ci, common }: ResultContext): Record<string, unknown> {
  const count = (i: number) => reps.reduce((a, rep) => a + rep.components[ci].counts[i], 0);
  return {
    queue: {
      published: count(C_PUBLISHED), processed: count(C_PROCESSED), deadLettered: count(C_DEAD),
      droppedHead: count(C_DROPPED_HEAD), rejected: count(C_REJECTED), retries: count(C_RETRIES),
      asyncLatencyMs: latencyMs(reps.map((rep) => rep.components[ci].latency)),
      backlog: common.queueLength,
    },
  };
}
