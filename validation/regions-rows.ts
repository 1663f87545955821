// The pure half of the regions validation (validation/regions-validate.ts; issue 15 item 6: a
// two-region topology with a geo route and a region outage mid-run, per-region throughput within
// 3% and cross-region latency within 10%): which scenario it takes, the model's runs it needs and
// the rows from the measured requests and counters. Kept apart so its tests start no app.
//
// What is compared, and why so:
// - Per-region throughput: each regional service the users' geo route reaches, its requests
//   answered per second in the window before the outage (the app's own counter), against the
//   model's throughput of that service scaled by the measured over the model's offered load. Each
//   request's region is drawn on both sides, so a service's share of N requests wanders by
//   sqrt(p(1-p)/N): the 3% band is widened to 3 standard errors of the two shares' difference where
//   that is wider (as validate's shard rows, compare.ts splitRow).
// - Cross-region latency: what a region's users pay over the reference region's users (the region
//   whose users the model predicts fastest), mean and p50, model against app. The app's own cost
//   per request (HTTP on loopback, the geo router, Node) is not in the model and is the same for
//   every region's users, so it cancels in the difference; what is left is the crossings the
//   model charges (the YAML's one-way latency, each way) and the relay realizing them. 10%.
// - During the outage (from `SETTLE_S` after it starts, the geo routers' health checks given time
//   to see it, to its end): the share of the down region's users answered by another region's
//   service (the model's failedOver), and their cross-region latency over the reference region's,
//   against a model run with the region down for the whole run.
// - The error rate over the whole run against the model's with the outage as scheduled (within
//   20% or 2 points, issue 14's rule for a fault window); the per-region latencies themselves are
//   shown, not judged (they carry the app's own cost).
import type { Scenario, SimResult } from "../simulator/index.ts";
import { runWindow } from "../simulator/model/index.ts";
import type { Row } from "./dynamics-series.ts";

export class RegionsInputError extends Error {
  override readonly name = "InputError";
}

/** Seconds after an outage starts before its window: the geo routers' checks see it within about 1 s (reference-app/regions/start.ts). */
export const SETTLE_S = 2;

export interface RegionsTarget {
  readonly cls: string;
  readonly path: string;
  readonly rate: number;
  readonly outage?: { readonly region: string; readonly at: number; readonly for: number };
}

/** The scenario's one class and rate and its one region outage; undefined without regions; why not as an InputError. */
export function regionsTarget(file: string, s: Scenario): RegionsTarget | undefined {
  if (s.regions === undefined) return undefined;
  if (s.load.model !== "open") throw new RegionsInputError(`${file}: load.model: the regions validation sends an open load, got ${s.load.model}`);
  if (s.load.stages !== undefined || s.load.rate === undefined) throw new RegionsInputError(`${file}: load.rate: the regions validation sends one constant rate (no stages)`);
  const classes = Object.entries(s.load.classes);
  if (classes.length !== 1) throw new RegionsInputError(`${file}: load.classes: one class expected, got ${classes.length}`);
  const [cls, c] = classes[0]!;
  if (!c.http || c.http.method !== "GET") throw new RegionsInputError(`${file}: load.classes.${cls}.http: a GET is what the driver sends`);
  if (c.http.path.includes("{")) throw new RegionsInputError(`${file}: load.classes.${cls}.http.path: the driver sends one fixed path, got ${c.http.path}`);
  const failures = s.failures ?? [];
  const outages = failures.filter((f): f is Extract<typeof f, { region: string }> => "region" in f);
  if (outages.length !== failures.length) throw new RegionsInputError(`${file}: failures: the regions validation injects region outages only`);
  if (outages.length > 1) throw new RegionsInputError(`${file}: failures: one region outage expected, got ${outages.length}`);
  const o = outages[0];
  const { warmup, duration } = runWindow(s);
  if (o && o.at - warmup < 10) throw new RegionsInputError(`${file}: failures[0].at: the outage must leave at least 10 s after the warm-up (${warmup} s) for the rows before it`);
  if (o && o.for <= SETTLE_S + 3) throw new RegionsInputError(`${file}: failures[0].for: the outage must last more than ${SETTLE_S + 3} s for its own rows`);
  if (o && o.at + o.for > duration) throw new RegionsInputError(`${file}: failures[0]: the outage must end within the run (${duration} s)`);
  return { cls, path: c.http.path, rate: s.load.rate, ...(o ? { outage: { region: o.region, at: o.at, for: o.for } } : {}) };
}

/** The scenario with no failures (the rows before the outage) and with `region` down for the whole run (the rows during it). */
export function steadyScenario(s: Scenario): Scenario {
  return { ...s, failures: [] };
}
export function downScenario(s: Scenario, region: string): Scenario {
  return { ...s, failures: [{ region, at: 0, for: runWindow(s).duration * 10 }] };
}

/** One measured request: its users' region, when it was sent (s from the load's start), its time and status (0: no answer). */
export interface RegionRequest {
  readonly origin: string;
  readonly at: number;
  readonly ms: number;
  readonly status: number;
}

/** A regional service's answered requests in a window (the app's counter: end - start), and the window's length. */
export interface ServedCount {
  readonly service: string;
  readonly count: number;
  readonly seconds: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
}
const rel = (p: number, m: number) => (p === 0 ? (m === 0 ? 0 : Infinity) : (m - p) / p);

/** The region whose users the model predicts fastest (mean): every other region's crossing is counted over it. */
export function referenceRegion(sim: SimResult): string {
  const rs = Object.entries(sim.regions ?? {});
  if (rs.length < 2) throw new RegionsInputError("regions: two regions with users are needed for a cross-region latency");
  return rs.reduce((best, r) => (r[1].latencyMs.mean.mean < best[1].latencyMs.mean.mean ? r : best))[0];
}

/** The model's requests in the window per replication window, for the binomial band. */
const modelRequests = (sim: SimResult) => Object.values(sim.classes).reduce((s, c) => s + c.counts.arrived, 0);

/**
 * Rows of the window before the outage: per-region throughput and cross-region latency (judged),
 * each region's mean and p50 (shown). `served`: each regional service's answered count there.
 */
export function steadyRows(steady: SimResult, reqs: readonly RegionRequest[], served: readonly ServedCount[]): Row[] {
  const rows: Row[] = [];
  const ok = reqs.filter((r) => r.status === 200);
  const seconds = served[0]?.seconds ?? NaN;
  const windowS = steady.run.durationS - steady.run.warmupS;
  const modelOffered = Object.values(steady.classes).reduce((s, c) => s + c.counts.arrived, 0) / (steady.run.replications * windowS);
  const offeredRatio = modelOffered > 0 && seconds > 0 ? reqs.length / seconds / modelOffered : 1;
  const predictedAll = served.reduce((s, x) => s + (steady.components[x.service]?.throughput.mean ?? 0), 0);
  const measuredN = served.reduce((s, x) => s + x.count, 0);
  for (const x of served) {
    const p = (steady.components[x.service]?.throughput.mean ?? 0) * offeredRatio;
    const m = x.count / x.seconds;
    const share = predictedAll > 0 ? (steady.components[x.service]?.throughput.mean ?? 0) / predictedAll : 0;
    const band = share > 0 && share < 1 && measuredN > 0 ? Math.max(0.03, 3 * Math.sqrt(((1 - share) / share) * (1 / measuredN + 1 / modelRequests(steady)))) : 0.03;
    const e = rel(p, m);
    rows.push({ name: `${x.service} throughput (req/s)`, predicted: p, measured: m, target: `within ${(band * 100).toFixed(1)}% (3%, or 3 SE of the region draw)`, pass: Math.abs(e) <= band });
  }
  rows.push(...latencyRows(steady, ok, "", undefined));
  return rows;
}

/** A region's users' answered requests: how many, their mean and median latency (ms). */
export interface RegionLatency {
  readonly n: number;
  readonly mean: number;
  readonly p50: number;
}

/** One cross-region difference: what `region`'s users pay over `ref`'s (the model's fastest), model and measured. */
export interface CrossRegionDiff {
  readonly region: string;
  readonly ref: string;
  readonly stat: "mean" | "p50";
  readonly predicted: number;
  readonly measured: number;
  /** answered requests of the region's users and of the reference region's */
  readonly n: number;
  readonly refN: number;
}

/**
 * Each region's mean and p50 over the reference region's, on both sides (`measured`: each region's
 * users' answered requests; a region without any gives NaN). Shared by validate:dynamics'
 * regions rows (below) and validate's per-region rows (region-level-rows.ts).
 */
export function crossRegionDiffs(sim: SimResult, measured: Readonly<Record<string, RegionLatency>>): CrossRegionDiff[] {
  const ref = referenceRegion(sim);
  const none: RegionLatency = { n: 0, mean: NaN, p50: NaN };
  const refM = measured[ref] ?? none;
  const out: CrossRegionDiff[] = [];
  for (const [region, r] of Object.entries(sim.regions!)) {
    if (region === ref) continue;
    const m = measured[region] ?? none;
    for (const stat of ["mean", "p50"] as const) {
      out.push({ region, ref, stat, predicted: r.latencyMs[stat].mean - sim.regions![ref]!.latencyMs[stat].mean, measured: m[stat] - refM[stat], n: m.n, refN: refM.n });
    }
  }
  return out;
}

/**
 * Cross-region latency rows (each region's over the reference's, mean and p50; judged within 10%)
 * and each region's own mean and p50 (shown). `only`: judge only that region's crossing (the down one).
 */
export function latencyRows(sim: SimResult, ok: readonly RegionRequest[], label: string, only: string | undefined): Row[] {
  const rows: Row[] = [];
  const by = (o: string) => ok.filter((r) => r.origin === o).map((r) => r.ms);
  const measured: Record<string, RegionLatency> = {};
  for (const [region, r] of Object.entries(sim.regions!)) {
    const ms = by(region);
    measured[region] = { n: ms.length, mean: mean(ms), p50: median(ms) };
    rows.push({ name: `${label}${region} users, mean (ms)`, predicted: r.latencyMs.mean.mean, measured: mean(ms), target: "shown (the app's own cost per request is not in the model)", pass: null });
  }
  for (const d of crossRegionDiffs(sim, measured)) {
    if (only !== undefined && d.region !== only) continue;
    const judged = d.n >= 30 && d.refN >= 30;
    rows.push({ name: `${label}cross-region latency, ${d.region} users over ${d.ref} users, ${d.stat} (ms)`, predicted: d.predicted, measured: d.measured, target: judged ? "within 10%" : "shown (fewer than 30 requests)", pass: judged ? Math.abs(rel(d.predicted, d.measured)) <= 0.1 : null });
  }
  return rows;
}

/**
 * Rows of the outage window: the down region's users answered elsewhere (share, against the
 * model's failedOver with the region down throughout: within 3 binomial SE or 2 points) and their
 * crossing over the reference region's users.
 */
export function outageRows(down: SimResult, region: string, reqs: readonly RegionRequest[], servedAtDown: number): Row[] {
  const ok = reqs.filter((r) => r.status === 200);
  const theirs = ok.filter((r) => r.origin === region).length;
  const rr = down.regions?.[region];
  const p = rr && rr.counts.completed > 0 ? rr.counts.failedOver / rr.counts.completed : NaN;
  const m = theirs > 0 ? 1 - servedAtDown / theirs : NaN;
  const band = Math.max(0.02, 3 * Math.sqrt((Math.max(p, 0.001) * (1 - Math.min(p, 0.999))) / Math.max(1, theirs)));
  const rows: Row[] = [
    { name: `outage: ${region} users answered by another region's service (share)`, predicted: p, measured: m, target: `within ${(band * 100).toFixed(1)} points`, pass: Number.isFinite(m) ? Math.abs(m - p) <= band : false },
  ];
  rows.push(...latencyRows(down, ok, "outage: ", region).filter((r) => r.name.includes(`${region} users`)));
  return rows;
}

/** The error rate over the window after the warm-up (failed / sent; `reqs` those sent in it) against the model's with the outage as scheduled: within 20% or 2 points. */
export function errorRow(real: SimResult, reqs: readonly RegionRequest[]): Row {
  const arrived = Object.values(real.classes).reduce((s, c) => s + c.counts.arrived, 0);
  const failed = Object.values(real.classes).reduce((s, c) => s + c.counts.failed + c.counts.dropped, 0);
  const p = arrived > 0 ? failed / arrived : 0;
  const m = reqs.length ? reqs.filter((r) => r.status !== 200).length / reqs.length : 0;
  return { name: "error rate over the run", predicted: p, measured: m, target: "within 20% or 2 points", pass: Math.abs(m - p) <= Math.max(0.2 * p, 0.02) };
}
