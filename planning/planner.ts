// `headroom plan`'s engine: the cheapest sizing of the knobs a scenario's `plan:` section bounds
// (replicas, slots, pool sizes, cache capacity, workers...) that meets the SLO at a given load.
// Every combination is screened with the analytic solver (milliseconds each); the cheapest ones
// that pass, or nearly pass (the analytic model is approximate), are verified by simulation on the
// worker pool in cost order until the cheapest verified plan and two runner-ups are found.
import { checkScenario } from "../simulator/model/index.ts";
import { instancesOf, type Scenario } from "../simulator/index.ts";
import { solveAnalytic, scaleLoad, costPerHour, loadUnit, type AnalyticResult, type LoadUnit } from "../simulator/analytic/index.ts";
import type { TaskPool } from "./pool.ts";
import type { RunSummary } from "./verdict.ts";

export const PLAN_SCHEMA = "headroom.plan/v1";

export interface Knob { readonly key: string; readonly component: string; readonly field: string; readonly min: number; readonly max: number; readonly values: number[] }
export type Assignment = Record<string, number>;

export interface Candidate {
  readonly assignment: Assignment;
  /** Per hour from the prices; without prices, instances (see `costBasis`). */
  readonly cost: number;
  /** Share of each knob's range used, summed: the tie-break after cost (smaller resources first). */
  readonly footprint: number;
  readonly analytic: { readonly pass: boolean; readonly reason: string | null; readonly bottleneck: string | null; readonly p99Ms: number };
  simulated?: RunSummary;
}

export interface PlanResult {
  readonly schema: typeof PLAN_SCHEMA;
  readonly scenario: string;
  readonly load: number;
  readonly unit: LoadUnit;
  readonly costBasis: "price per hour" | "instances";
  readonly knobs: Knob[];
  readonly combinations: number;
  readonly analyticPass: number;
  readonly simulated: number;
  readonly chosen: Candidate | null;
  readonly runnerUps: Candidate[];
  /** Configurations cheaper than the chosen one, and why each fails (cheapest first, at most 5). */
  readonly cheaperRejected: Candidate[];
  readonly explanation: string[];
  readonly settings: { readonly replications: number; readonly duration: number; readonly warmup: number; readonly seed: number };
}

/** Values tried for a knob: every integer for a short range, else about 12 geometric steps. */
export function knobValues(min: number, max: number): number[] {
  if (max - min <= 11) return Array.from({ length: max - min + 1 }, (_, i) => min + i);
  const lo = Math.max(min, 1), out = new Set<number>([min, max]);
  for (let i = 0; i <= 11; i++) out.add(Math.round(lo * (max / lo) ** (i / 11)));
  return [...out].filter((v) => v >= min && v <= max).sort((a, b) => a - b);
}

export function knobsOf(s: Scenario): Knob[] {
  return Object.entries(s.plan ?? {}).map(([key, [min, max]]) => {
    const dot = key.indexOf(".");
    return { key, component: key.slice(0, dot), field: key.slice(dot + 1), min, max, values: knobValues(min, max) };
  });
}

/** The scenario with the knobs set (plain data; the components touched are copied). */
export function applyAssignment(s: Scenario, a: Assignment): Scenario {
  // a copy without a prototype, like the decoded record: a component named `constructor` stays a name
  const components: Record<string, Scenario["components"][string]> = Object.assign(Object.create(null), s.components);
  for (const [key, value] of Object.entries(a)) {
    const dot = key.indexOf(".");
    const name = key.slice(0, dot), field = key.slice(dot + 1);
    if (!Object.hasOwn(components, name)) throw new Error(`plan: no component '${name}'`);
    const c = { ...components[name] } as Record<string, unknown>;
    if (field === "pool.size") c.pool = { ...(c.pool as object), size: value };
    else c[field] = value;
    components[name] = c as Scenario["components"][string];
  }
  return { ...s, components };
}

function analyticVerdict(s: Scenario, a: AnalyticResult): { pass: boolean; reason: string | null; near: boolean } {
  if (!a.stable) return { pass: false, reason: `analytic: ${a.bottleneck ?? "a component"} saturated`, near: false };
  let worst = 0, reason: string | null = null;
  for (const [cls, c] of Object.entries(a.classes)) {
    for (const [k, limit] of Object.entries(s.slo?.latency ?? {})) {
      if (limit === undefined) continue;
      const v = c.latencyMs[k as keyof typeof c.latencyMs];
      const ratio = v / (limit * 1000);
      if (ratio > worst) { worst = ratio; reason = ratio > 1 ? `analytic: ${k} of ${cls} ${Number(v.toPrecision(3))} ms > ${limit * 1000} ms` : null; }
    }
  }
  return { pass: worst <= 1, reason, near: worst <= 1.3 };
}

export interface PlanSettings { readonly replications: number; readonly duration: number; readonly warmup: number; readonly seed: number; readonly maxSimulations: number }

export async function plan(base: Scenario, load: number, settings: PlanSettings, pool: TaskPool, threads: number): Promise<PlanResult> {
  const s = scaleLoad(base, load);
  const knobs = knobsOf(s);
  const priced = Object.values(s.components).some((c) => c.cost);
  const all: Array<Candidate & { near: boolean }> = [];
  let combos = 0;
  const assign: Assignment = {};
  const visit = (i: number) => {
    if (i === knobs.length) {
      combos++;
      const sc = applyAssignment(s, assign);
      if (checkScenario(sc).errors.length > 0) return; // e.g. pools that need more connections than the database has
      const a = solveAnalytic(sc);
      const v = analyticVerdict(sc, a);
      const cost = priced ? (costPerHour(sc, a.components) ?? 0) : Object.values(sc.components).reduce((t, c) => t + instancesOf(c), 0);
      const footprint = knobs.reduce((t, k) => t + (assign[k.key] - k.min) / Math.max(1, k.max - k.min), 0);
      all.push({ assignment: { ...assign }, cost, footprint, analytic: { pass: v.pass, reason: v.reason, bottleneck: a.bottleneck, p99Ms: Math.max(...Object.values(a.classes).map((c) => c.latencyMs.p99)) }, near: v.near });
      return;
    }
    for (const v of knobs[i].values) { assign[knobs[i].key] = v; visit(i + 1); }
  };
  visit(0);
  const byCost = (x: Candidate, y: Candidate) => x.cost - y.cost || x.footprint - y.footprint;
  all.sort(byCost);
  // Runner-ups are alternatives at another price: same-cost variants of the chosen plan (a pool one
  // larger, a bigger cache) are skipped once a plan at that cost is confirmed.
  const queue = all.filter((c) => c.near);
  const passed: Candidate[] = [];
  const confirmedCosts = new Set<number>();
  let simulated = 0;
  while (queue.length > 0 && passed.length < 3 && simulated < settings.maxSimulations) {
    const batch: Candidate[] = [];
    while (queue.length > 0 && batch.length < Math.min(threads, settings.maxSimulations - simulated)) {
      const c = queue.shift()!;
      if (!confirmedCosts.has(c.cost)) batch.push(c);
    }
    if (batch.length === 0) break;
    const runs = await Promise.all(batch.map((c) => pool.run({
      kind: "simulate", scenario: applyAssignment(s, c.assignment), level: load, seed: settings.seed,
      replications: settings.replications, duration: settings.duration, warmup: settings.warmup,
      derivedFrom: { base, load, assignment: c.assignment },
    })));
    simulated += batch.length;
    batch.forEach((c, j) => { c.simulated = runs[j]; if (runs[j].pass) passed.push(c); });
    passed.sort(byCost);
    for (const c of passed) confirmedCosts.add(c.cost);
  }
  const chosen = passed[0] ?? null;
  const others = passed.slice(1);
  const runnerUps = [...others.filter((c) => c.cost !== chosen!.cost), ...others.filter((c) => c.cost === chosen!.cost)].slice(0, 2);
  // The most telling rejections: those just cheaper than the chosen plan, simulated ones first, one per cost.
  const failed = (chosen ? all.filter((c) => byCost(c, chosen) < 0) : all).filter((c) => !c.analytic.pass || (c.simulated && !c.simulated.pass));
  const seen = new Set<number>();
  const cheaperRejected = [...failed.filter((c) => c.simulated), ...failed.filter((c) => !c.simulated).reverse()]
    .filter((c) => (seen.has(c.cost) ? false : (seen.add(c.cost), true))).slice(0, 5);
  const result: Omit<PlanResult, "explanation"> = {
    schema: PLAN_SCHEMA, scenario: s.name, load, unit: loadUnit(s), costBasis: priced ? "price per hour" : "instances",
    knobs, combinations: combos, analyticPass: all.filter((c) => c.analytic.pass).length, simulated,
    chosen, runnerUps, cheaperRejected,
    settings: { replications: settings.replications, duration: settings.duration, warmup: settings.warmup, seed: settings.seed },
  };
  return { ...result, explanation: explain(result, s) };
}

export function describe(a: Assignment): string {
  return Object.entries(a).map(([k, v]) => `${k}=${v}`).join(", ");
}

function costText(r: Omit<PlanResult, "explanation">, c: number): string {
  return r.costBasis === "instances" ? `${c} instances` : `${c.toFixed(3)}/h (${(c * 730).toFixed(2)}/month)`;
}

function simText(x: RunSummary | undefined): string {
  if (!x) return "not simulated";
  const p99 = Math.max(...Object.values(x.latencyMs).map((l) => l.p99));
  return x.pass ? `simulated: SLO met (worst p99 ${Number(p99.toPrecision(3))} ms, errors ${Number((x.errorRate * 100).toPrecision(2))}%, bottleneck ${x.bottleneck ?? "-"})` : `simulated: ${x.failed}`;
}

function explain(r: Omit<PlanResult, "explanation">, s: Scenario): string[] {
  const out: string[] = [];
  const slo = [...Object.entries(s.slo?.latency ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => `${k} <= ${v! * 1000} ms`), ...(s.slo?.error_rate !== undefined ? [`errors <= ${s.slo.error_rate * 100}%`] : [])].join(", ");
  out.push(`${r.combinations} configurations within the plan bounds at ${Number(r.load.toPrecision(4))} ${r.unit}; ${r.analyticPass} meet the SLO (${slo}) by the analytic estimate; ${r.simulated} simulated (${r.settings.replications} x ${r.settings.duration}s) in order of cost.`);
  if (!r.chosen) {
    out.push(r.simulated === 0 ? "No configuration comes near the SLO analytically: widen the bounds or lower the load." : "No simulated configuration met the SLO: widen the bounds, lower the load, or allow more simulations (--max-simulations).");
    return out;
  }
  out.push(`Chosen: ${describe(r.chosen.assignment)}, cost ${costText(r, r.chosen.cost)}: the cheapest configuration the simulation confirms; ${simText(r.chosen.simulated)}.`);
  if (r.costBasis === "instances") out.push("No component has a price: cost is the number of billed instances; add cost: { instance_hour: ... } to components for money.");
  out.push("Knobs without a price (pool sizes, cache capacity, slots) are kept as small as the SLO allows.");
  for (const c of r.cheaperRejected.slice(0, 3)) out.push(`${c.cost === r.chosen.cost ? "Same cost, smaller, rejected" : "Cheaper but rejected"}: ${describe(c.assignment)} (${costText(r, c.cost)}): ${c.simulated && !c.simulated.pass ? simText(c.simulated) : c.analytic.reason ?? "analytic estimate misses the SLO"}.`);
  r.runnerUps.forEach((c, i) => out.push(`Runner-up ${i + 1}: ${describe(c.assignment)}, cost ${costText(r, c.cost)} (+${r.costBasis === "instances" ? c.cost - r.chosen!.cost : (c.cost - r.chosen!.cost).toFixed(3)}); ${simText(c.simulated)}.`));
  return out;
}
