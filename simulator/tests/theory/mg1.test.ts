// M/D/1 and M/G/1 against the Pollaczek-Khinchine mean-value formula (Kleinrock vol. 1, sec. 5.7):
// with ρ = λ E[S] and squared coefficient of variation cs² of the service time,
//   E[W] = ρ E[S] (1 + cs²) / (2 (1 - ρ)),  E[T] = E[W] + E[S].
// M/D/1 is cs² = 0; the lognormal case uses cv = 1.2 (cs² = 1.44).
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

function pk(lambda: number, es: number, cs2: number): number {
  const rho = lambda * es;
  return (rho * es * (1 + cs2)) / (2 * (1 - rho)) + es;
}

describe("M/D/1 at utilization 0.7", () => {
  const s = scenarioOf(`
version: 1
name: md1
seed: 21
simulation: { duration: 1500s, warmup: 20s, replications: 10 }
load: { model: open, rate: 70/s, classes: { req: { flow: [q] } } }
components: { q: { kind: station, service: 10ms } }
`);
  const r = simulate(s);
  it("mean response time matches Pollaczek-Khinchine with cs² = 0", () =>
    expectTheory(r.classes.req.latencyMs.mean, 1000 * pk(70, 0.01, 0), { label: "M/D/1 E[T]" }));
});

describe("M/G/1 with lognormal service (cv 1.2) at utilization 0.5", () => {
  const s = scenarioOf(`
version: 1
name: mg1
seed: 8
simulation: { duration: 3000s, warmup: 20s, replications: 10 }
load: { model: open, rate: 50/s, classes: { req: { flow: [q] } } }
components: { q: { kind: station, service: { dist: lognormal, mean: 10ms, cv: 1.2 } } }
`);
  const r = simulate(s);
  it("mean response time matches Pollaczek-Khinchine with cs² = 1.44", () =>
    expectTheory(r.classes.req.latencyMs.mean, 1000 * pk(50, 0.01, 1.44), { label: "M/G/1 E[T]" }));
});
