// The serverless path's own cost, calibrated from the measured run (function-validate.ts): the
// model's invocation is its cold start, its `service` draws and its calls' modelled times, while a
// real invocation on the reference app also pays the dispatcher's IPC round trip to its instance,
// the instance's timer ending late and every event loop's waits (reference-app/function/
// dispatcher.ts times each invocation's parts, GET /invocations), and each request the HTTP hops
// to the dispatcher and back (through the service or the API gateway). Under a burst these are
// 10-40 ms where the model's 30 runs spread over a few, so without them p95, p99 and throttles
// could only be printed (docs/validation.md, "Serverless function"). Two calibrated parameters,
// given to the simulator only, through `validate --calibrate`'s applyCalibration (the app never
// injects either):
//   - components.<fn>.overhead, in the invocation's slot (it holds the instance, so it counts for
//     throttles): per completed invocation, its IPC excess plus its calls' excess over its class's
//     modelled mean (the dispatcher's own time between steps is in the calls' part), as an
//     empirical law with each value's time in the run (`at`, a draw at time t takes one measured
//     within WINDOW_S/2 of t, as the cold start is: function-validate.ts). The time is when the
//     overhead ran, its admission plus its queue and cold start: the model draws it then, and a
//     cold invocation's (after a 1-2 s boot) stamped at its admission had mixed into the onset's
//     draws. Why timed: the real
//     path is not stationary. While a burst's instances boot on the machine's few cores the warm
//     invocations took 2-3 times their usual time (77-105 ms against 31-33), and the throttles are
//     made exactly then; drawn from the whole run, the model's slots were freer at the onsets and
//     its throttles 20-47% under the measured ones (docs/validation.md, "serverless-api.yaml: the
//     throttles"). Why per invocation: the calls slow down then too (the dispatcher makes them);
//     their class mean spread that over the run. Its cost: the calls' own spread is counted twice
//     (the model's draws and the measured values), the mean not;
//   - load.classes.<class>.flow.0.network, each way, outside the slot: the YAML's plus half of what
//     the measured path outside the dispatcher (client latency - the dispatcher's whole, means over
//     the 2xx answers) takes beyond the model's (class latency - the function's time in its slot),
//     a constant, as --calibrate's edge (the two are not joined per request: the driver's records
//     and the dispatcher's carry no shared id).
// Trade-offs: the overhead is one law for every class; the edge a mean; a handler's calls are
// taken to be the only cache and database hops of the class (the dispatcher realizes no other
// call from a function, and the validated scenarios have none outside it).
import { simulate, type Dist, type Scenario } from "../simulator/index.ts";
import { meanOf } from "../simulator/model/index.ts";
import type { InvocationParts } from "../reference-app/function/dispatcher.ts";
import { applyCalibration } from "./calibrate.ts";
import type { CalibratedParameter } from "./report.ts";

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** The scenario with the function's cold start replaced (the calibration before this one). */
export function withColdStart(s: Scenario, fn: string, coldStart: Dist): Scenario {
  const f = s.components[fn];
  if (f?.kind !== "function") throw new Error(`components.${fn}: not a function`);
  return { ...s, components: { ...s.components, [fn]: { ...f, cold_start: coldStart } } };
}

/** Per class, the model's time in the function's calls per request (ms): its cache and database hops and their network legs. */
export function modelCallsMs(s: Scenario, arrivalSeed: number): Record<string, number> {
  const r = simulate(s, { seed: s.seed, replications: 1, arrivalSeed, hops: true });
  const out: Record<string, number> = {};
  for (const [cls, c] of Object.entries(r.classes)) {
    const h = c.hopsMs;
    if (!h) continue;
    let ms = h.networkMs.mean;
    for (const [name, x] of Object.entries(h.components)) {
      const kind = s.components[name]?.kind;
      if (kind === "cache" || kind === "database") ms += x.waitMs.mean + x.serviceMs.mean;
    }
    out[cls] = Number.isFinite(ms) ? ms : 0;
  }
  return out;
}

/**
 * The time window (s) a timed calibrated draw takes its measured values from. The slow spells at a
 * burst's onset last 0.2-0.4 s (warm invocations 50-61 ms in some 0.2 s bins, 31 in the next), so a
 * 1 s window averaged them away: on two dumped serverless-api runs (4 Dec, load 5-7) the model's
 * throttles were 0.82 and 0.76 of the measured with 1 s, 0.90 and 0.84 with 0.25 s, 0.94 and 0.88
 * with 0.1 s (docs/validation.md). 0.25 s still holds about 15 invocations at an onset (2 warm
 * slots); narrower would replay single invocations and shrink the model's own spread.
 */
export const WINDOW_S = 0.25;

/**
 * The per-invocation overhead (ms) of each completed invocation, in their order: its IPC excess
 * plus its calls beyond its class's modelled mean, at least 0; and each class's mean calls excess.
 */
export function overheadSamples(parts: readonly InvocationParts[], modelCalls: Readonly<Record<string, number>>): { samples: number[]; callsExcessMs: Record<string, number> } {
  const byClass = new Map<string, number[]>();
  for (const p of parts) {
    const xs = byClass.get(p.cls) ?? [];
    xs.push(p.calls);
    byClass.set(p.cls, xs);
  }
  const callsExcessMs: Record<string, number> = {};
  for (const [cls, xs] of byClass) callsExcessMs[cls] = mean(xs) - (modelCalls[cls] ?? 0);
  return { samples: parts.map((p) => Math.max(0, p.ipc + p.calls - (modelCalls[p.cls] ?? 0))), callsExcessMs };
}

export interface PathCalibration {
  /** The scenario for the simulator: cold start, overhead and edges calibrated. */
  readonly scenario: Scenario;
  readonly parameters: CalibratedParameter[];
  /** Means over the completed invocations (ms): the parts as the dispatcher timed them. */
  readonly partsMs: { readonly ipc: number; readonly calls: number; readonly total: number };
  /** The path outside the dispatcher (ms): measured (client - dispatcher) and the model's before the edge. */
  readonly outsideMs: { readonly measured: number; readonly model: number };
}

/**
 * The calibration: `s` already carries the measured cold start; `parts` are the run's completed
 * invocations; `clientOkMs` every 2xx answer's client latency; the model's runs share the arrivals
 * of `arrivalSeed`; `loadStartMs` (the load's first request, ms since the epoch): the overhead is
 * timed (each value at its invocation's admission), else resampled from the whole run. Throws when
 * the run completed no invocation (nothing to calibrate with).
 */
export function calibratePath(s: Scenario, fn: string, parts: readonly InvocationParts[], clientOkMs: readonly number[], arrivalSeed: number, loadStartMs?: number): PathCalibration {
  if (parts.length === 0 || clientOkMs.length === 0) throw new Error(`${s.name}: no completed invocation in the measured run: nothing to calibrate the function's path with`);
  const { samples, callsExcessMs } = overheadSamples(parts, modelCallsMs(s, arrivalSeed));
  const overheadMs = mean(samples);
  const classes = Object.keys(callsExcessMs).sort();
  const overhead: CalibratedParameter = {
    parameter: `components.${fn}.overhead`, valueMs: overheadMs, samplesMs: samples,
    ...(loadStartMs !== undefined ? { atS: parts.map((p) => Math.max(0, (p.at + p.queue + p.start - loadStartMs) / 1000)), windowS: WINDOW_S } : {}),
    how: `per invocation, the dispatcher's IPC round trips beyond the drawn work (mean ${mean(parts.map((p) => p.ipc)).toFixed(3)} ms) + its calls beyond its class's modelled mean (on average ${classes.map((c) => `${c || "(no class)"} ${callsExcessMs[c]!.toFixed(3)} ms`).join(", ")}), at least 0: the ${samples.length} completed invocations, ${loadStartMs !== undefined ? `each drawn within ${WINDOW_S / 2} s of its slot's work starting in the run (admission + queue + cold start)` : "resampled"}`,
  };
  const withOverhead = applyCalibration(s, [overhead]);
  // the model's path outside the slot: the classes' latency (request-weighted) less the function's time in its slot
  const r = simulate(withOverhead, { seed: s.seed, replications: 1, arrivalSeed });
  let sum = 0, n = 0;
  for (const c of Object.values(r.classes)) {
    if (!(c.counts.completed > 0)) continue;
    sum += c.latencyMs.mean.mean * c.counts.completed;
    n += c.counts.completed;
  }
  const model = sum / n - r.components[fn]!.responseMs.mean.mean;
  const measured = mean(clientOkMs) - mean(parts.map((p) => p.total));
  const edges: CalibratedParameter[] = [];
  for (const [cls, c] of Object.entries(s.load.classes)) {
    const first = c.flow[0];
    if (!first || !("call" in first)) continue;
    const yaml = first.network ? meanOf(first.network) * 1000 : 0;
    edges.push({
      parameter: `load.classes.${cls}.flow.0.network`, valueMs: Math.max(0, yaml + (measured - model) / 2),
      how: `the YAML's (${yaml.toFixed(3)} ms) + half of the measured path outside the dispatcher (${measured.toFixed(3)} ms: mean client latency of the 2xx answers - mean invocation at the dispatcher) beyond the model's (${model.toFixed(3)} ms: class latency - the function's time in its slot), each way`,
    });
  }
  return {
    scenario: applyCalibration(withOverhead, edges),
    parameters: [overhead, ...edges],
    partsMs: { ipc: mean(parts.map((p) => p.ipc)), calls: mean(parts.map((p) => p.calls)), total: mean(parts.map((p) => p.total)) },
    outsideMs: { measured, model },
  };
}
