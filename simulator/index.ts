// The simulator's public entry: parse a scenario, run its replications, get a result. Pure
// TypeScript with no Node imports, so the dashboard's Web Worker runs exactly this code.
import type { Scenario } from "./model/schema.ts";
import { compile, type Program } from "./engine/program.ts";
import { runReplication, Cancelled, type ReplicationResult, type Series } from "./engine/simulation.ts";
import { buildResult, seriesResultOf, type SeriesResult, type SimResult } from "./result.ts";
import { runWindow, type RunWindowOptions } from "./model/run-size.ts";

export * from "./model/index.ts";
export * from "./result.ts";
export type { Estimate } from "./engine/stats.ts";
// Student's t at 0.975 behind every ± of the results, for callers that build intervals of their own (the dashboard's paired A/B)
export { tQuantile975 } from "./engine/stats.ts";
export { startScaler, stepScaler, type ScalerCommand, type ScalerEvent, type ScalerSnapshot } from "./dynamics/autoscaler.ts";
// the circuit breaker's machine: the reference app steps the same one by wall-clock timers
export { BREAKER_CLOSED, BREAKER_HALF_OPEN, BREAKER_OPEN, breakerCode, startBreaker, stepBreaker, type BreakerEvent, type BreakerSnapshot } from "./dynamics/circuit-breaker.ts";
export { Cancelled } from "./engine/simulation.ts";
export { UnsupportedError } from "./engine/program.ts";
export { reviveReplication } from "./replication-transfer.ts";

export interface SimulateOptions extends RunWindowOptions {
  /** Progress in [0, 1] over all replications; return true to cancel (throws Cancelled). */
  readonly onProgress?: (fraction: number) => boolean | void;
  /** Break each class's latency down by hop (ClassResult.hopsMs); off by default, so results
   * without it are unchanged. */
  readonly hops?: boolean;
  /** Every replication's arrival times from this seed's stream (engine ReplicationOptions.arrivalSeed); off by default. */
  readonly arrivalSeed?: number;
}

export function simulate(scenario: Scenario, o: SimulateOptions = {}): SimResult {
  const w = runWindow(scenario, o);
  const program = compile(scenario);
  const reps = [];
  for (let r = 0; r < w.replications; r++) {
    reps.push(replicationOf(program, w, r, o.onProgress ? (f) => o.onProgress!((r + f) / w.replications) : undefined, o.hops === true, o.arrivalSeed));
    if (o.onProgress?.((r + 1) / w.replications)) throw new Cancelled();
  }
  return buildResult(program, reps, w);
}

/** One replication's raw statistics; combineReplications() turns a run's, in order, into its result. */
export type { ReplicationResult } from "./engine/simulation.ts";

/** What a replication run alone may also record, beyond simulate()'s. */
export interface ReplicationRunOptions extends RunWindowOptions {
  /** Record its per-interval series whatever its index (simulate() records replication 0's only).
   * Series only observe: every other figure is the same bytes with or without them. */
  readonly series?: boolean;
  /** As SimulateOptions.hops. */
  readonly hops?: boolean;
  /** The share of this replication done, about every 65k events; return true to cancel (throws Cancelled). */
  readonly onProgress?: (fraction: number) => boolean | void;
  /**
   * With series: called as each interval is recorded, with the number recorded so far and a
   * function that copies them in the result's form (seriesResultOf; call it only when you want
   * them: it copies every array). For charts that fill in while a long run goes on.
   */
  readonly onIntervals?: (recorded: number, snapshot: () => SeriesResult) => void;
  /**
   * With series: called about every 4096 events with a function that copies the intervals so far
   * plus the one in progress, its rates over the part simulated yet, as the last point (its time is
   * the simulated time now; the next whole interval replaces it). For a first chart long before an
   * interval ends. Observation only: the replication is the same bytes with or without it.
   */
  readonly onPeek?: (snapshot: () => SeriesResult) => void;
}

/**
 * Replication `r` of the run simulate(scenario, o) would make, alone: for running a run's
 * replications on several threads (cli/parallel-simulate.ts), or one by one with each one's series
 * (the dashboard's confidence bands). Each replication draws from its own random streams, so where
 * and in which order they run does not change them.
 */
export function simulateReplication(scenario: Scenario, o: ReplicationRunOptions, r: number): ReplicationResult {
  const w = runWindow(scenario, o);
  if (!Number.isInteger(r) || r < 0 || r >= w.replications) throw new RangeError(`replication ${r} is not one of the run's 0..${w.replications - 1}`);
  const program = compile(scenario);
  let live: Series | undefined;
  const snapshot = () => structuredClone(seriesResultOf(program, live!, undefined, w));
  const onIntervals = o.onIntervals;
  const onSample = onIntervals ? (s: Series) => { live = s; onIntervals(s.t.length, snapshot); } : undefined;
  const onPeek = o.onPeek;
  let peek: (() => Series) | undefined;
  const peekSnapshot = () => seriesResultOf(program, peek!(), undefined, w);
  const peeker = onPeek ? (p: () => Series) => { peek = p; onPeek(peekSnapshot); } : undefined;
  return replicationOf(program, w, r, o.onProgress, o.hops === true, undefined, o.series === true, onSample, peeker);
}

/** The result of a run from its replications (simulateReplication for r = 0, 1, ...): what simulate() returns. */
export function combineReplications(scenario: Scenario, o: RunWindowOptions, reps: ReplicationResult[]): SimResult {
  const w = runWindow(scenario, o);
  if (reps.length !== w.replications) throw new RangeError(`${reps.length} replications for a run of ${w.replications}`);
  return buildResult(compile(scenario), reps, w);
}

function replicationOf(program: Program, w: ReturnType<typeof runWindow>, r: number, onTick: ((f: number) => boolean | void) | undefined, hops = false, arrivalSeed?: number, series = false, onSample?: (s: Series) => void, onPeek?: (peek: () => Series) => void): ReplicationResult {
  return runReplication(program, {
    seed: w.seed,
    replication: r,
    duration: w.duration,
    warmup: w.warmup,
    interval: w.interval,
    series: series || r === 0,
    onTick,
    ...(hops ? { hops } : {}),
    ...(arrivalSeed !== undefined ? { arrivalSeed } : {}),
    ...(onSample ? { onSample } : {}),
    ...(onPeek ? { onPeek } : {}),
  });
}
