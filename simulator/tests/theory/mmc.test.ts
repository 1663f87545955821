// M/M/c with Erlang C (Gross, Shortle, Thompson, Harris, Fundamentals of Queueing Theory, 4th ed.,
// sec. 2.3): with a = λ/μ and ρ = a/c, the probability of waiting is
//   C(c, a) = (a^c / c!) / (1 - ρ) / (Σ_{k<c} a^k/k! + (a^c / c!) / (1 - ρ)),
// the mean wait is C / (cμ - λ), and P(W > t) = C e^{-(cμ-λ) t}, so the q-quantile of the wait is
// ln(C / (1-q)) / (cμ - λ) when q > 1 - C (else 0).
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { erlangC, expectMatches, scenarioOf } from "../helpers.ts";

const c = 8, mu = 50, lambda = 340; // a = 6.8, ρ = 0.85
const s = scenarioOf(`
version: 1
name: mmc
seed: 5
simulation: { duration: 1000s, warmup: 20s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { req: { flow: [pool] } } }
components: { pool: { kind: station, servers: ${c}, service: { dist: exponential, mean: ${1000 / mu}ms } } }
`);

describe("M/M/8 at utilization 0.85 against Erlang C", () => {
  const r = simulate(s);
  const pool = r.components.pool;
  const C = erlangC(c, lambda / mu);
  const rate = c * mu - lambda;
  it("probability of waiting is C(c, a)", () => expectMatches(pool.waitProbability, C, { precision: 0.015, label: "P(wait)" }));
  it("mean wait is C/(cμ-λ)", () => expectMatches(pool.waitMs.mean, (1000 * C) / rate, { precision: 0.03, label: "E[W]" }));
  it("p95 and p99 of the wait follow C e^{-(cμ-λ)t}", () => {
    expectMatches(pool.waitMs.p95, (1000 * Math.log(C / 0.05)) / rate, { precision: 0.035, bias: 0.01, label: "W p95" });
    // The p99 of the wait rests on few samples per replication: a wider interval, stated here.
    expectMatches(pool.waitMs.p99, (1000 * Math.log(C / 0.01)) / rate, { precision: 0.06, bias: 0.01, label: "W p99" });
  });
  it("mean queue length is C ρ/(1-ρ)", () => {
    const rho = lambda / (c * mu);
    expectMatches(pool.queueLength, (C * rho) / (1 - rho), { precision: 0.03, label: "Lq" });
  });
});
