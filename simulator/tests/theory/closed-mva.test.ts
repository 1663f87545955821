// A closed interactive system: N users, exponential think time Z, two single-server stations with
// exponential service demands D1, D2. Exact Mean Value Analysis (Reiser and Lavenberg 1980; Lazowska
// et al., Quantitative System Performance, 1984, ch. 7):
//   R_k(n) = D_k (1 + Q_k(n-1)),  X(n) = n / (Z + Σ_k R_k(n)),  Q_k(n) = X(n) R_k(n).
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectMatches, scenarioOf } from "../helpers.ts";

const Z = 0.5, D1 = 0.02, D2 = 0.012;

function mva(N: number): { X: number; R: number }[] {
  const out: { X: number; R: number }[] = [];
  let q1 = 0, q2 = 0;
  for (let n = 1; n <= N; n++) {
    const r1 = D1 * (1 + q1), r2 = D2 * (1 + q2);
    const X = n / (Z + r1 + r2);
    q1 = X * r1; q2 = X * r2;
    out.push({ X, R: r1 + r2 });
  }
  return out;
}

describe("closed system with think time against exact MVA, N = 1..50", () => {
  const exact = mva(50);
  const rows = exact.map((e, i) => {
    const N = i + 1;
    const r = simulate(scenarioOf(`
version: 1
name: mva
seed: ${100 + N}
simulation: { duration: ${Math.round(36000 / Math.min(N, 20))}s, warmup: 20s, replications: 6 }
load:
  model: closed
  users: ${N}
  think: { dist: exponential, mean: ${Z * 1000}ms }
  classes: { req: { flow: [cpu, disk] } }
components:
  cpu: { kind: station, service: { dist: exponential, mean: ${D1 * 1000}ms } }
  disk: { kind: station, service: { dist: exponential, mean: ${D2 * 1000}ms } }
`));
    return { N, exact: e, X: r.classes.req.throughput, R: r.classes.req.latencyMs.mean };
  });

  // Short runs for few users would leave wide intervals; the duration scales with 1/N up to N = 20.
  // 100 comparisons: a 0.5% allowance keeps the one or two that fall outside 2 half-widths by chance
  // from failing the suite, and still fails a model wrong by 3%.
  it("throughput X(N): within 2 CI half-widths + 0.5%, each half-width under 1.2%", () => {
    for (const row of rows) expectMatches(row.X, row.exact.X, { precision: 0.012, bias: 0.005, label: `N=${row.N} X` });
  });
  it("response time R(N): within 2 CI half-widths + 0.5%, each half-width under 2% (wider past the knee)", () => {
    for (const row of rows) expectMatches(row.R, row.exact.R * 1000, { precision: 0.02, bias: 0.005, label: `N=${row.N} R` });
  });
});
