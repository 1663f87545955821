// The analytic side of a capacity search: the load level (rate or users) at which the analytic
// estimate stops meeting the scenario's latency SLO, and the level at which some component
// saturates. Both are found by bisection on the solver, which costs a millisecond or so per level.
// The analytic model has no timeouts, so the error-rate SLO is read as "stable".
import type { Scenario } from "../model/schema.ts";
import { solveAnalytic, nominalLoad, type AnalyticResult } from "./solve.ts";

export interface AnalyticBracket {
  /** Highest level meeting the latency SLO analytically (0 when even a tiny load fails). */
  readonly slo: number;
  /** Highest level at which every component is stable. */
  readonly saturation: number;
  readonly bottleneck: string | null;
}

/** Does the analytic estimate at this level meet every latency limit of the SLO (and is it stable)? */
export function analyticMeetsSlo(s: Scenario, a: AnalyticResult): boolean {
  if (!a.stable) return false;
  // A function that refuses (429) more invocations than the error-rate SLO allows misses it.
  const errorRate = s.slo?.error_rate;
  if (errorRate !== undefined) for (const c of Object.values(a.components)) if (c.throttled !== undefined && c.kind === "function" && c.throttled > errorRate) return false;
  const limits = s.slo?.latency ?? {};
  for (const c of Object.values(a.classes)) {
    for (const [k, limit] of Object.entries(limits)) {
      if (limit === undefined) continue;
      const v = c.latencyMs[k as keyof typeof c.latencyMs];
      if (!(v <= limit * 1000)) return false;
    }
  }
  return true;
}

/** N* = 1 / (bottleneck utilization with one user); Infinity when nothing is bounded. */
function closedSaturation(s: Scenario): number {
  let u = 0;
  for (const c of Object.values(at(s, 1).components)) {
    if (c.servers !== null && c.peakUtilization !== null && c.kind !== "load_balancer") u = Math.max(u, c.peakUtilization);
    if (c.link) u = Math.max(u, c.link.utilization);
  }
  return u > 0 ? Math.max(1, Math.floor(1 / u + 1e-9)) : Infinity;
}

function at(s: Scenario, level: number): AnalyticResult {
  return s.load.model === "open" ? solveAnalytic(s, { rate: level }) : solveAnalytic(s, { users: Math.max(1, Math.round(level)) });
}

/** Largest level in (0, ∞) where `ok` holds, assuming it holds below and fails above some level. */
function edge(s: Scenario, ok: (a: AnalyticResult) => boolean, integer: boolean, cap: number): number {
  let lo = 0, hi = Math.max(integer ? 1 : 1e-6, nominalLoad(s));
  for (let i = 0; i < 60 && ok(at(s, hi)); i++) {
    lo = hi;
    if (hi >= cap) return lo;
    hi *= 2;
  }
  if (lo === 0) {
    // Fails at nominal: halve down to a passing level.
    for (let i = 0; i < 60; i++) { const mid = hi / 2; if (ok(at(s, mid))) { lo = mid; break; } hi = mid; if (integer && hi < 1) return 0; }
    if (lo === 0) return 0;
  }
  for (let i = 0; i < 50; i++) {
    if (integer ? hi - lo <= 1 : (hi - lo) <= 1e-4 * lo) break;
    const mid = integer ? Math.floor((lo + hi) / 2) : (lo + hi) / 2;
    if (ok(at(s, mid))) lo = mid; else hi = mid;
  }
  return lo;
}

export function analyticBracket(s: Scenario): AnalyticBracket {
  const integer = s.load.model === "closed";
  if (!integer) {
    const saturation = edge(s, (a) => a.stable, false, Infinity);
    const slo = edge(s, (a) => analyticMeetsSlo(s, a), false, Infinity);
    const b = at(s, Math.max(1e-6, slo || saturation));
    return { slo, saturation, bottleneck: b.bottleneck };
  }
  // A closed network is never unstable: more users only queue longer. Its saturation is the
  // population N* = (Z + D) / D_max where the bottleneck's bound takes over, which is 1 / U_max
  // with one user; the searches stop well past it (latency grows linearly there).
  const nStar = closedSaturation(s);
  const cap = 64 * Math.max(nominalLoad(s), Number.isFinite(nStar) ? nStar : 1);
  const saturation = Math.min(nStar, edge(s, (a) => a.stable, true, cap));
  const slo = edge(s, (a) => analyticMeetsSlo(s, a), true, cap);
  const b = at(s, Math.max(1, slo || saturation));
  return { slo, saturation, bottleneck: b.bottleneck };
}
