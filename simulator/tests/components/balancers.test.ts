// Load balancing against theory. Random splitting of a Poisson stream over n servers gives n
// independent M/M/1 queues (Poisson splitting), so E[T] = 1/(μ - λ/n). Power of two choices
// follows Mitzenmacher's supermarket model ("The power of two choices in randomized load
// balancing", 2001): as n grows, the mean time in system at per-server load λ (μ = 1) tends to
// T_2(λ) = Σ_{i≥1} λ^{2^i - 2}, against 1/(1 - λ) for random assignment.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectMatches, scenarioOf } from "../helpers.ts";

const scenario = (algorithm: string, n: number, rate: number, mu: number, duration: number, seed: number) => scenarioOf(`
version: 1
name: lb-${algorithm}
seed: ${seed}
simulation: { duration: ${duration}s, warmup: 30s, replications: 6 }
load: { model: open, rate: ${rate}/s, classes: { req: { flow: [{ call: lb }] } } }
components:
  lb: { kind: load_balancer, algorithm: ${algorithm}, backends: api }
  api:
    kind: service
    replicas: ${n}
    concurrency: 1
    service: { dist: exponential, mean: ${1000 / mu}ms }
`);

describe("random balancing over n backends is n independent M/M/1 queues", () => {
  const n = 4, mu = 100, lambda = 280; // 70% per backend
  const r = simulate(scenario("random", n, lambda, mu, 1500, 31));
  it("mean response time is 1/(μ - λ/n)", () => expectMatches(r.classes.req.latencyMs.mean, 1000 / (mu - lambda / n), { label: "E[T]" }));
  it("each backend carries λ/n", () => {
    for (const part of Object.values(r.components.api.parts)) expectMatches(part.throughput, lambda / n, { precision: 0.02, label: "λ/n" });
  });
});

describe("power of two choices against random at 90% load (supermarket model)", () => {
  const n = 40, mu = 100, load = 0.9;
  const pow2 = simulate(scenario("power_of_two", n, load * mu * n, mu, 400, 41));
  const rand = simulate(scenario("random", n, load * mu * n, mu, 400, 42));
  let limit = 0;
  for (let i = 1; i < 20; i++) limit += load ** (2 ** i - 2);
  const tPow2 = pow2.classes.req.latencyMs.mean.mean * mu / 1000;
  const tRand = rand.classes.req.latencyMs.mean.mean * mu / 1000;
  it("random matches M/M/1: 1/(1 - λ) service times", () => expect(Math.abs(tRand - 1 / (1 - load)) / (1 / (1 - load))).toBeLessThan(0.06));
  it(`power of two is within 8% of the n → ∞ limit T_2 = ${limit.toFixed(3)} (finite n sits slightly above)`, () => {
    expect(tPow2).toBeGreaterThanOrEqual(limit * 0.99);
    expect(tPow2).toBeLessThanOrEqual(limit * 1.08);
  });
  it("so power of two beats random by the predicted factor (about 3.8x at 90% load)", () => {
    const predicted = 1 / (1 - load) / limit;
    expect(Math.abs(tRand / tPow2 - predicted) / predicted).toBeLessThan(0.1);
  });
});
