// A broker confirm that depends on the publish rate (a queue's confirm_wake): the real broker's
// confirm is shorter when publishes come often, because its processes and the machine's CPUs have
// not gone back to sleep (reference-app/bench/confirm-rate.ts). The model adds
// cost x (1 - e^(-gap/idle)) per publish, gap the time since the queue's previous publish, so for
// Poisson publishes at rate r the mean added is cost / (1 + r idle). With a service that never
// queues, latency = 10 ms + confirm + wake exactly, so the difference from the same scenario
// without confirm_wake is the wake's sample mean: it must match the closed form within 4 standard
// errors of that mean (the variance is the closed form's too), at two rates; the analytic solver
// adds the closed form itself.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { wakeMoments } from "../../analytic/times.ts";
import { scenarioOf } from "../helpers.ts";

const DURATION = 300;
const WARMUP = 10;
const REPS = 3;
const WAKE = { cost: 0.002, idle: 0.03 };

const scenario = (rate: number, wake: boolean) => scenarioOf(`
version: 1
name: confirm-wake
seed: 11
simulation: { duration: ${DURATION}s, warmup: ${WARMUP}s, replications: ${REPS} }
load:
  model: open
  rate: ${rate}/s
  classes:
    event: { flow: [{ call: api }] }
components:
  api:
    kind: service
    concurrency: 1000
    handlers:
      event: [{ service: 10ms }, { publish: events }]
  events:
    kind: queue
    workers: 50
    service: 1ms
    confirm: 1ms
    ${wake ? "confirm_wake: { cost: 2ms, idle: 30ms }" : ""}
`);

describe("a queue's confirm_wake: the confirm falls with the publish rate", () => {
  const added = (rate: number) =>
    simulate(scenario(rate, true)).classes.event.latencyMs.mean.mean - simulate(scenario(rate, false)).classes.event.latencyMs.mean.mean;
  const at10 = added(10);
  const at100 = added(100);

  for (const [rate, got] of [[10, at10], [100, at100]] as const) {
    it(`at ${rate}/s adds cost / (1 + rate x idle) on average`, () => {
      const m = wakeMoments(WAKE, rate);
      const n = rate * (DURATION - WARMUP) * REPS;
      const se = Math.sqrt(m.variance / n) * 1000;
      expect(Math.abs(got - m.mean * 1000)).toBeLessThan(4 * se);
    });
  }

  it("is shorter at the higher rate: 1.54 ms at 10/s, 0.5 ms at 100/s", () => {
    expect(at10).toBeGreaterThan(1.45);
    expect(at100).toBeLessThan(0.56);
  });

  it("the analytic solver adds the same mean", () => {
    for (const rate of [10, 100]) {
      const d = solveAnalytic(scenario(rate, true)).classes.event.latencyMs.mean - solveAnalytic(scenario(rate, false)).classes.event.latencyMs.mean;
      expect(d).toBeCloseTo(wakeMoments(WAKE, rate).mean * 1000, 6);
    }
  });
});
