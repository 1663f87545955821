// A dumped function-validation run (HEADROOM_FUNCTION_DUMP=<file>, function-validate.ts) against the
// model again, offline: the calibration made as the validation makes it, then with the timed draws'
// window changed, 30 runs each on the run's own arrivals, the throttles per second beside the
// measured ones and every row the validation holds (cold share, p95, p99, instances, throttles:
// predicted / measured, MISS outside its target); and each measured cold start with how many were starting at once. Why: the
// throttles are made in a second or two at a burst's onset, and which calibration choice moves them
// is read here without another real run (docs/validation.md, "The remaining 5-20%").
// node bin/run-ts.mjs validation/function-dump.ts <dump.json> [window,window,... seconds]
import { readFileSync } from "node:fs";
import { simulate, type Scenario } from "../simulator/index.ts";
import type { InvocationParts } from "../reference-app/function/dispatcher.ts";
import { calibratePath, withColdStart } from "./function-overhead.ts";
import { calibratedColdStart, functionRows, measuredFunction, predictFunction, RUNS, stageBounds, type FunctionTarget } from "./function-validate.ts";
import type { Sent } from "./db-failover-validate.ts";
import type { FunctionSample } from "../reference-app/collector.ts";

interface Dump {
  readonly scenario: Scenario; readonly target: FunctionTarget; readonly loadStartMs: number; readonly durationS: number;
  readonly first: FunctionSample; readonly last: FunctionSample;
  readonly sent: Sent[]; readonly instances: Array<[number, number]>; readonly coldStarts: number[]; readonly coldStartsAt: number[]; readonly parts: InvocationParts[];
}

const [file, windowsArg] = process.argv.slice(2);
if (!file) throw new Error("usage: function-dump.ts <dump.json> [window,window,... seconds]");
const d = JSON.parse(readFileSync(file, "utf8")) as Dump;
const s = d.scenario, fn = d.target.fn, t0 = d.loadStartMs;
const starts = d.coldStarts.slice(d.first.coldStartCount);
const at = d.coldStartsAt.slice(d.first.coldStartCount).map((x) => (x - t0) / 1000);
const throttled = d.last.throttled - d.first.throttled;
const perSecond = new Array<number>(Math.ceil(d.durationS)).fill(0);
for (const r of d.sent) if (r.status === 429 && r.t < perSecond.length) perSecond[Math.floor(r.t)]!++;
process.stdout.write(`measured: ${throttled} throttled; by second ${perSecond.join(" ")}\n`);
// each start: its request (s), its time (ms), how many were starting on average over it
for (let i = 0; i < starts.length; i++) {
  const a = at[i]!, b = a + starts[i]!;
  let sum = 0;
  for (let j = 0; j < 50; j++) {
    const u = a + ((b - a) * (j + 0.5)) / 50;
    sum += starts.filter((x, k) => at[k]! <= u && at[k]! + x > u).length;
  }
  process.stdout.write(`  start at ${a.toFixed(3)} s: ${(starts[i]! * 1000).toFixed(0)} ms, ${(sum / 50).toFixed(2)} starting at once on average\n`);
}
const ok = d.sent.filter((r) => r.status >= 200 && r.status < 300).map((r) => (r.done - r.t) * 1000);
const fc = s.components[fn];
if (fc?.kind !== "function") throw new Error(`${file}: components.${fn}: not a function`);
const cold = calibratedColdStart(fc.cold_start, starts.map((x, i) => ({ s: x, atS: at[i] })));
const path = calibratePath(withColdStart(s, fn, cold), fn, d.parts, ok, s.seed, t0);
// the measured side as the validation reads it (the target class's answers, the run's counters)
const counts: FunctionSample = { ...d.last, cold: d.last.cold - d.first.cold, warm: d.last.warm - d.first.warm, throttled };
const measured = measuredFunction(d.sent.filter((r) => r.cls === d.target.cls), d.instances, counts, stageBounds(s, d.durationS), d.durationS);
/** The calibrated scenario with both timed draws' window set to w (s). */
const withWindow = (w: number): Scenario => {
  const c = path.scenario.components[fn] as Record<string, unknown> & { overhead: object; cold_start: object };
  return { ...path.scenario, components: { ...path.scenario.components, [fn]: { ...c, overhead: { ...c.overhead, window: w }, cold_start: { ...c.cold_start, window: w } } } } as Scenario;
};
const f1 = (x: number) => (Math.abs(x) < 1 ? x.toFixed(4) : x.toFixed(1));
for (const w of (windowsArg ?? "1,0.5,0.25,0.1").split(",").map(Number)) {
  if (!(w > 0)) throw new Error(`${windowsArg}: windows are seconds above 0, comma-separated (1,0.25)`);
  const sc = withWindow(w);
  const p = predictFunction(s, d.target, sc);
  const by = new Array<number>(perSecond.length).fill(0);
  for (let k = 0; k < RUNS; k++) {
    const r = simulate(sc, { seed: s.seed + k, replications: 1, arrivalSeed: s.seed });
    for (const c of Object.values(r.series!.classes)) c.errors.forEach((e, i) => { if (i < by.length) by[i]! += e / RUNS; });
  }
  const rows = functionRows(p.side, measured, p.spread).filter((r) => r.pass !== null);
  process.stdout.write(`window ${w} s: throttled ${p.side.throttled.toFixed(1)} / ${throttled} (${(p.side.throttled / throttled).toFixed(2)}), sd ${p.spread.sd.throttled.toFixed(1)}; by second ${by.map((x) => x.toFixed(1)).join(" ")}\n`);
  process.stdout.write(`  ${rows.map((r) => `${r.name.replace(/ of the invocations|, time average over the run/, "")} ${f1(r.predicted)} / ${f1(r.measured)}${r.pass ? "" : " MISS"}`).join("; ")}\n`);
}
