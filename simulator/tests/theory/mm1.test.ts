// M/M/1 against its closed forms (Kleinrock, Queueing Systems vol. 1, 1975, sec. 3.2): with arrival
// rate λ and service rate μ, the response time is exponential with rate μ - λ, so
// E[T] = 1/(μ-λ) and its q-quantile is -ln(1-q)/(μ-λ); utilization is ρ = λ/μ.
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectTheory, QUANTILE_BIAS, scenarioOf } from "../helpers.ts";

const lambda = 70, mu = 100; // per second: ρ = 0.7
const s = scenarioOf(`
version: 1
name: mm1
seed: 11
simulation: { duration: 8000s, warmup: 20s, replications: 20 }
load: { model: open, rate: ${lambda}/s, classes: { req: { flow: [q] } } }
components: { q: { kind: station, servers: 1, service: { dist: exponential, mean: ${1000 / mu}ms } } }
`);

// 20 replications of 8000 s (11M requests): the p99's half-width is about 0.7%, so even the
// percentiles, with the histogram's 0.4% on top, stay within a 2.5% band.
describe("M/M/1 at utilization 0.7", () => {
  const r = simulate(s);
  const ms = 1000 / (mu - lambda);
  it("mean response time is 1/(μ-λ)", () => expectTheory(r.classes.req.latencyMs.mean, ms, { label: "mean" }));
  it("p95 of the response time is -ln(0.05)/(μ-λ)", () =>
    expectTheory(r.classes.req.latencyMs.p95, -Math.log(0.05) * ms, { precision: 0.0105, bias: QUANTILE_BIAS, label: "p95" }));
  it("p99 of the response time is -ln(0.01)/(μ-λ)", () =>
    expectTheory(r.classes.req.latencyMs.p99, -Math.log(0.01) * ms, { precision: 0.0105, bias: QUANTILE_BIAS, label: "p99" }));
  it("utilization is λ/μ", () => expectTheory(r.components.q.utilization, lambda / mu, { precision: 0.005, label: "rho" }));
});
