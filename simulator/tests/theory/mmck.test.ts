// M/M/c/K blocking (Gross et al., Fundamentals of Queueing Theory, sec. 2.5): with a = λ/μ and at
// most K requests in the system, p_n = p_0 a^n/n! for n < c and p_0 a^n/(c! c^{n-c}) for c <= n <= K;
// by PASTA the share of arrivals turned away is p_K.
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

const c = 3, K = 6, mu = 10, lambda = 30; // a = 3: offered load equal to capacity, so blocking is large
function blocking(): number {
  const a = lambda / mu;
  const terms: number[] = [];
  let fact = 1;
  for (let n = 0; n <= K; n++) {
    if (n > 0 && n <= c) fact *= n;
    terms.push(n < c ? a ** n / fact : a ** n / (fact * c ** (n - c)));
  }
  return terms[K] / terms.reduce((x, y) => x + y, 0);
}

describe("M/M/3/6 blocking probability", () => {
  const s = scenarioOf(`
version: 1
name: mmck
seed: 3
simulation: { duration: 3000s, warmup: 20s, replications: 20 }
load: { model: open, rate: ${lambda}/s, classes: { req: { flow: [q] } } }
components: { q: { kind: station, servers: ${c}, buffer: ${K - c}, service: { dist: exponential, mean: ${1000 / mu}ms } } }
`);
  const r = simulate(s);
  it("share of arrivals dropped is p_K", () => expectTheory(r.components.q.blockingProbability, blocking(), { label: "P(block)" }));
  it("dropped requests are counted as errors of their class", () => expectTheory(r.classes.req.errorRate, blocking(), { label: "error rate" }));
});
