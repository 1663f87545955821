// What a capacity search or plan needs before it starts: an SLO to meet (requireSlo) and the search
// settings, defaulted from the scenario's run window (searchSettings). Shared by the commands, the
// validation knee search, so both read the same defaults.
import { runWindow, type Scenario } from "../simulator/index.ts";
import { UsageError, InputError } from "../shared/errors.ts";
import type { CapacitySettings } from "./capacity.ts";

export function requireSlo(file: string, s: Scenario): void {
  const slo = s.slo;
  if (!slo || (slo.error_rate === undefined && Object.values(slo.latency ?? {}).every((v) => v === undefined))) {
    throw new InputError(`${file}: slo: a capacity needs an SLO to meet; add e.g. slo: { latency: { p99: 250ms }, error_rate: 0.1% }`);
  }
}

/** Search settings from flags, defaulting to the scenario's run window capped at 60 s per run. */
export function searchSettings(s: Scenario, o: { searches?: number; duration?: number; warmup?: number; tolerance?: number; seed?: number; maxRuns?: number }): CapacitySettings {
  const w = runWindow(s);
  // A staged load must run to its end, or the search would never reach the peak it reports; realtime
  // connections (load.connections) take several lifetimes to build up: the scenario's own run and
  // warm-up, which it sized for that.
  const realtime = Object.keys(s.load.connections ?? {}).length > 0;
  const duration = o.duration ?? (s.load.stages || realtime ? w.duration : Math.min(w.duration, 60));
  const warmup = o.warmup ?? (realtime ? Math.min(w.warmup, duration * 0.5) : Math.min(w.warmup, duration * 0.2));
  if (warmup >= duration) throw new UsageError(`--warmup (${warmup}s) must be shorter than --duration (${duration}s)`);
  return { searches: o.searches ?? 4, duration, warmup, tolerance: o.tolerance ?? 0.02, maxRuns: o.maxRuns ?? 14, seed: o.seed ?? s.seed };
}
