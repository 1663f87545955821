// Shared test helpers: build a scenario from YAML text and compare simulated estimates with theory.
import { expect } from "vitest";
import { parseScenario, type Scenario } from "../model/index.ts";
import type { Estimate } from "../engine/stats.ts";

export function scenarioOf(yaml: string): Scenario {
  const r = parseScenario(yaml, "test.yaml");
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.column} ${e.path}: ${e.message}`).join("\n"));
  return r.scenario;
}

/**
 * The theoretical value must lie within 2 confidence half-widths of the simulated mean (plus
 * `bias`, a known relative discretization error such as the histogram's 1%), and the half-width
 * must be at most `precision` of the value: with the default 1.4%, a model wrong by 3% cannot pass.
 * Two half-widths (about 4.5 standard errors with 10 replications) keep the chance that a correct
 * model fails one of the suite's ~100 comparisons small; the seeds are fixed, so runs repeat exactly.
 */
export function expectMatches(e: Estimate, theory: number, opts: { precision?: number; bias?: number; label?: string } = {}): void {
  const precision = opts.precision ?? 0.014;
  const bias = opts.bias ?? 0;
  const label = opts.label ?? "";
  expect(e.ci95, `${label}: needs replications for a confidence interval`).not.toBeNull();
  const ci = e.ci95!;
  expect(ci, `${label}: CI half-width ${ci} is too wide for theory ${theory}`).toBeLessThanOrEqual(precision * Math.abs(theory));
  expect(Math.abs(e.mean - theory), `${label}: simulated ${e.mean} ± ${ci} vs theory ${theory}`).toBeLessThanOrEqual(2 * ci + bias * Math.abs(theory));
}

/** Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  let term = 1, sum = 1;
  for (let k = 1; k < c; k++) { term *= a / k; sum += term; }
  const last = (term * a) / c / (1 - a / c);
  return last / (sum + last);
}
