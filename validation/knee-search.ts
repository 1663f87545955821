// The measured knee (`headroom validate --knee`): the real system's sustainable rate at the
// scenario's SLO, found by bisection on the reference app and compared with `headroom capacity`'s
// prediction. A measured level is judged by the capacity search's own rule (planning/verdict.ts
// firstFailure over simulator/result.ts sloChecks): every latency limit of the SLO on every class,
// the error rate, and no queue whose workers are saturated. The search brackets the prediction
// (0.8x, 1.2x; stepping out by those factors when the bracket is wrong) and bisects until the
// bracket is within the resolution (5%: about six runs). Trade-offs: each step is one short window
// (a Poisson count and a p99 over ~20 s are noisy, so a step near the knee can land either way);
// the measured queue saturation is the workers of all queues together; and a step that cannot be
// judged (the app did not start, the generator lagged twice) ends the search without a figure
// rather than guessing.
import { join } from "node:path";
import { sloChecks, type Scenario, type SloClassFigures } from "../simulator/index.ts";
import { firstFailure } from "../planning/verdict.ts";
import { findCapacity, type CapacityResult } from "../planning/capacity.ts";
import { WorkerPool, defaultThreads } from "../planning/pool.ts";
import { searchSettings } from "../planning/settings.ts";
import { measureLevel, MeasureError, type Measured } from "./measure.ts";
import { measureTrusted, type GeneratorHealth } from "./starvation.ts";
import { withRate, LevelError } from "./levels.ts";

/** Stop bisecting when (hi - lo) / lo is at most this. */
export const KNEE_RESOLUTION = 0.05;
/** Measured and predicted knees agree when within this relative error. */
export const KNEE_TARGET = 0.1;
/** The first bracket, as multiples of the predicted knee. */
export const KNEE_BRACKET: readonly [number, number] = [0.8, 1.2];
/** Real runs at most per search. */
export const KNEE_MAX_STEPS = 8;

export type StepStatus = "pass" | "fail" | "unreliable" | "error";

export interface KneeStep {
  rate: number;
  status: StepStatus;
  /** the first failing check (fail), or what kept the step from being judged (unreliable, error) */
  reason: string | null;
  /** load generator health per attempt (two when the first lagged beyond the bound) */
  generator?: GeneratorHealth[];
  /** wall-clock seconds of the step (app start, load, stop; both attempts) */
  seconds: number;
}

export interface KneeSearch {
  rule: string;
  /** the resolution asked for and the one reached: (firstFailure - rate) / rate */
  resolution: { target: number; reached: number | null };
  predicted: { rate: number; ci95: number | null; bottleneck: string | null; limitedBy: string | null; runs: number; method: string };
  /** highest sustainable measured rate and lowest failing one; rate null when the search could not finish */
  measured: { rate: number | null; firstFailure: number | null };
  /** (measured - predicted) / predicted */
  error: number | null;
  target: number;
  verdict: StepStatus;
  /** why the verdict is unreliable or error */
  message?: string;
  steps: KneeStep[];
  /** wall-clock seconds of the real runs together */
  seconds: number;
}

/** Share of a window's arrivals by which a queue's backlog may grow before its workers count as saturated. */
export const BACKLOG_GROWTH = 0.05;

/** A measured level by the capacity search's rule; null when sustainable, else the first failure. */
export function measuredFailure(s: Scenario, m: Measured, windowS = 0): string | null {
  const figures: Record<string, SloClassFigures> = {};
  for (const name of Object.keys(s.load.classes)) {
    const c = m.classes[name];
    // a class with no answer in the window has no latency: its checks fail, as they should
    figures[name] = c ? { latencyMs: c.latencyMs, ended: c.requests, bad: c.failed } : { latencyMs: {}, ended: 0, bad: 0 };
  }
  const queues: Record<string, number> = {};
  // Workers saturate below 97% busy by the gauge (prefetch 1 leaves each idle for a delivery round
  // trip: 95% on queue-offload while its backlog grew by 1,290), so a backlog that grew by more
  // than BACKLOG_GROWTH of the window's arrivals also counts as saturated workers.
  const arrivals = Object.values(m.classes).reduce((a, c) => a + c.offeredRate, 0) * windowS;
  const growing = m.backlogGrowth !== undefined && arrivals > 0 && m.backlogGrowth > BACKLOG_GROWTH * arrivals;
  // Each queue by its own workers where they were read one by one (a partitioned queue by its
  // busiest partition: averaged with the idle ones, the hot partition's consumer passed 97% busy
  // only well past the knee, 118 req/s measured against 103 predicted), else all queues' together.
  if (m.workerUtilization !== undefined || m.queueWorkerUtilization !== undefined || growing) {
    for (const [n, c] of Object.entries(s.components)) {
      if (c.kind !== "queue") continue;
      const u = m.queueWorkerUtilization?.[n] ?? m.workerUtilization;
      if (growing) queues[n] = 1;
      else if (u !== undefined) queues[n] = u;
    }
  }
  return firstFailure(s.slo ? sloChecks(s.slo, figures) : [], queues);
}

export interface Bisection {
  /** highest passing rate (0 when none passed down to 1 req/s), null when stopped */
  lo: number | null;
  /** lowest failing rate, null when none failed within the steps */
  hi: number | null;
  steps: KneeStep[];
  /** the step that stopped the search (unreliable or error) */
  stopped?: KneeStep;
}

/**
 * Bracket from the prediction, then bisect, judging each rate with `judge` (one real run each);
 * rates are whole requests per second. Pure apart from `judge`, so the search is testable alone.
 */
export async function bisectKnee(predicted: number, judge: (rate: number) => Promise<KneeStep>, o: { resolution?: number; maxSteps?: number; signal?: AbortSignal } = {}): Promise<Bisection> {
  const resolution = o.resolution ?? KNEE_RESOLUTION;
  const maxSteps = o.maxSteps ?? KNEE_MAX_STEPS;
  const steps: KneeStep[] = [];
  const r = (x: number) => Math.max(1, Math.round(x));
  let lo: number | null = null;
  let hi: number | null = null;
  const run = async (rate: number): Promise<KneeStep> => {
    const s = await judge(rate);
    steps.push(s);
    return s;
  };
  const out = (stopped?: KneeStep): Bisection => ({ lo: stopped ? null : (lo ?? 0), hi, steps, ...(stopped ? { stopped } : {}) });
  const done = () => steps.length >= maxSteps || !!o.signal?.aborted;
  // low end: must pass
  let rate = r(predicted * KNEE_BRACKET[0]);
  for (;;) {
    const s = await run(rate);
    if (s.status === "unreliable" || s.status === "error") return out(s);
    if (s.status === "pass") { lo = rate; break; }
    hi = rate;
    if (rate <= 1 || done()) return out();
    rate = r(rate * KNEE_BRACKET[0]);
  }
  // high end: must fail
  if (hi === null) {
    rate = r(Math.max(predicted * KNEE_BRACKET[1], lo + 1));
    for (;;) {
      if (done()) return out();
      const s = await run(rate);
      if (s.status === "unreliable" || s.status === "error") return out(s);
      if (s.status === "fail") { hi = rate; break; }
      lo = rate;
      rate = r(Math.max(rate * KNEE_BRACKET[1], rate + 1));
    }
  }
  while (!done() && (hi - lo) / lo > resolution) {
    const mid = r((lo + hi) / 2);
    if (mid <= lo || mid >= hi) break;
    const s = await run(mid);
    if (s.status === "unreliable" || s.status === "error") return out(s);
    if (s.status === "pass") lo = mid; else hi = mid;
  }
  return out();
}

export interface KneeOptions {
  file: string;
  /** the scenario the app is started from and whose SLO judges the measurements */
  scenario: Scenario;
  /** the model the prediction is made with (the calibrated copy with --calibrate) */
  model: Scenario;
  outDir: string;
  durationS: number;
  warmupS: number;
  maxLagMs?: number;
  resolution?: number;
  signal?: AbortSignal;
  log?: (s: string) => void;
  /** a prediction already made (tests, or a caller that ran the capacity search itself) */
  prediction?: CapacityResult;
}

/** Whether the scenario has an SLO (a latency limit or an error rate) a knee can be searched at. */
export function hasSlo(model: Scenario): boolean {
  return !!model.slo && (model.slo.error_rate !== undefined || Object.values(model.slo.latency ?? {}).some((v) => v !== undefined));
}

/** `headroom capacity`'s prediction: its own search code, default settings, on worker threads. */
export async function predictKnee(model: Scenario): Promise<CapacityResult> {
  if (!hasSlo(model)) {
    throw new LevelError(`scenario '${model.name}': --knee needs an slo (latency limits or error_rate) to find the sustainable rate at`);
  }
  const settings = searchSettings(model, {});
  const pool = new WorkerPool(Math.min(defaultThreads(), settings.searches));
  try {
    return await findCapacity(model, settings, pool);
  } finally {
    await pool.close();
  }
}

export async function measureKnee(o: KneeOptions): Promise<KneeSearch> {
  const log = o.log ?? (() => {});
  const p = o.prediction ?? (await predictKnee(o.model));
  const resolution = o.resolution ?? KNEE_RESOLUTION;
  log(`${o.scenario.name}: predicted knee ${p.capacity.value.toFixed(1)} req/s (headroom capacity, ${p.bottleneck ?? "?"}); bisecting the reference app to ${(resolution * 100).toFixed(0)}%`);
  const judge = async (rate: number): Promise<KneeStep> => {
    const t0 = Date.now();
    const seconds = () => Math.round((Date.now() - t0) / 100) / 10;
    try {
      const t = await measureTrusted((attempt) => measureLevel({
        scenario: withRate(o.scenario, rate), file: o.file, outDir: join(o.outDir, `knee-${rate}${attempt > 1 ? "-retry" : ""}`),
        durationS: o.durationS, warmupS: o.warmupS, maxLagMs: o.maxLagMs, signal: o.signal, log,
      }), log);
      const generator = t.attempts;
      if (!t.reliable) return { rate, status: "unreliable", reason: "the load generator lagged beyond the bound on both attempts", generator, seconds: seconds() };
      const failed = measuredFailure(o.scenario, t.measured, o.durationS - o.warmupS);
      log(`  knee step ${rate} req/s: ${failed === null ? "sustainable" : `past the knee (${failed})`}`);
      return { rate, status: failed === null ? "pass" : "fail", reason: failed, generator, seconds: seconds() };
    } catch (e) {
      if (!(e instanceof MeasureError)) throw e;
      log(`  knee step ${rate} req/s: not measured: ${e.message}`);
      return { rate, status: "error", reason: e.message, seconds: seconds() };
    }
  };
  const b = await bisectKnee(p.capacity.value, judge, { resolution, signal: o.signal });
  const seconds = b.steps.reduce((a, s) => a + s.seconds, 0);
  const predicted = {
    rate: p.capacity.value, ci95: p.capacity.ci95, bottleneck: p.bottleneck, limitedBy: p.limitedBy, runs: p.runs,
    method: `headroom capacity: ${p.capacity.perSearch.length} simulated searches of ${p.settings.duration}s runs, tolerance ${(p.settings.tolerance * 100).toFixed(0)}%`,
  };
  const rule = "the capacity search's: every latency limit of the SLO on every class, the error rate, no queue with workers over 97% busy";
  if (b.stopped || b.lo === null) {
    const why = b.stopped ? `${b.stopped.rate} req/s: ${b.stopped.reason}` : "interrupted";
    return { rule, resolution: { target: resolution, reached: null }, predicted, measured: { rate: null, firstFailure: b.hi }, error: null, target: KNEE_TARGET, verdict: b.stopped?.status ?? "error", message: `the search stopped at ${why}`, steps: b.steps, seconds };
  }
  const reached = b.hi !== null && b.lo > 0 ? (b.hi - b.lo) / b.lo : null;
  const error = predicted.rate > 0 ? (b.lo - predicted.rate) / predicted.rate : null;
  // a knee never bracketed (no failing rate) is not a measured knee: never a pass
  const verdict: StepStatus = reached !== null && error !== null && Math.abs(error) <= KNEE_TARGET ? "pass" : "fail";
  const msg = reached === null ? "no failing rate within the steps: the measured knee is a lower bound" : reached > resolution ? `the step budget ran out at a bracket of ${(reached * 100).toFixed(1)}%` : undefined;
  return { rule, resolution: { target: resolution, reached }, predicted, measured: { rate: b.lo, firstFailure: b.hi }, error, target: KNEE_TARGET, verdict, ...(msg ? { message: msg } : {}), steps: b.steps, seconds };
}
