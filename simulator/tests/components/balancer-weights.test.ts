// Balancer weights. HAProxy's `balance roundrobin` with server weights sends each server its weight's
// share of the requests (the reference app passes `weights` to HAProxy); the simulator's round robin
// is smooth weighted round robin (nginx), so [3, 1] gives 75/25 and [1, 2, 5] gives 1/8, 2/8, 5/8.
// Weighted random draws in proportion to weight (binomial shares); power of two choices draws its
// two candidates by weight (HAProxy's random(2)), so the heavier server gets more than an even share.
import { describe, expect, it } from "vitest";
import { compile } from "../../engine/program.ts";
import { runReplication } from "../../engine/simulation.ts";
import { scenarioOf } from "../helpers.ts";

const scenario = (algorithm: string, weights: number[], rate: number) => scenarioOf(`
version: 1
name: weights
seed: 3
load: { model: open, rate: ${rate}/s, classes: { req: { flow: [{ call: lb }] } } }
components:
  lb: { kind: load_balancer, algorithm: ${algorithm}, backends: api, weights: [${weights.join(", ")}] }
  api:
    kind: service
    replicas: ${weights.length}
    concurrency: 64
    service: { dist: exponential, mean: 10ms }
`);

/** Requests each backend connection took over a whole 200 s run (no warm-up), and their total. */
function shares(algorithm: string, weights: number[], rate: number) {
  const sc = scenario(algorithm, weights, rate);
  const p = compile(sc);
  const r = runReplication(p, sc, { seed: 3, replication: 0, duration: 200, warmup: 0, interval: 10, series: false });
  const counts = p.balancers[0].conns.map((c) => r.resources[c].arrivals);
  const total = counts.reduce((a, b) => a + b, 0);
  return { counts: Array.from(counts), total, share: Array.from(counts, (c) => c / total) };
}

describe("weighted balancing", () => {
  for (const weights of [[3, 1], [1, 2, 5]]) {
    const W = weights.reduce((a, b) => a + b, 0);
    it(`round robin ${JSON.stringify(weights)}: each backend gets its weight's share, to within a request per cycle`, () => {
      const { counts, total } = shares("round_robin", weights, 200);
      expect(total).toBeGreaterThan(30000);
      // Smooth WRR is deterministic: after any number of picks each backend is within one of its share.
      weights.forEach((w, k) => expect(Math.abs(counts[k] - (total * w) / W)).toBeLessThanOrEqual(1));
    });
    it(`random ${JSON.stringify(weights)}: shares within 4 binomial standard errors of the weights`, () => {
      const { share, total } = shares("random", weights, 200);
      weights.forEach((w, k) => {
        const p = w / W;
        expect(Math.abs(share[k] - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / total));
      });
    });
  }

  it("power of two choices [3, 1]: the heavier backend gets well over half (was 50/50 before weights counted)", () => {
    const { share, total } = shares("power_of_two", [3, 1], 200);
    // Light load: most picks are ties at few connections, decided by the weighted first draw; the
    // connections-per-weight comparison pulls the split towards even. 4 binomial errors below 0.6.
    expect(share[0]).toBeGreaterThan(0.6 + 4 * Math.sqrt(0.25 / total));
    expect(share[0]).toBeLessThan(0.75 + 4 * Math.sqrt((0.75 * 0.25) / total));
  });
});
