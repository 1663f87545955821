// Predicted against measured for one instance: Poisson invocations at `rate` against the
// dispatcher (max_instances 1, refusing beyond it, real processes), idle timeout T; the measured
// cold share of the admitted invocations, with its binomial 95% interval, beside e^{-rate T} and
// the simulator's figure for the same function (cold_start set to the measured start time).
// node bin/run-ts.mjs reference-app/function/compare-cold.ts [rate/s] [T seconds] [duration seconds]
import { Dispatcher, dispatcherConfig, type InvokeResult } from "./dispatcher.ts";
import { parseScenario, simulate } from "../../simulator/index.ts";
import { Rng } from "../../simulator/random.ts";

const rate = Number(process.argv[2] ?? 4), T = Number(process.argv[3] ?? 0.25), duration = Number(process.argv[4] ?? 60);
const fn = {
  max_instances: 1, concurrency: 1, cold_start: { dist: "constant" as const, value: 0 }, idle_timeout: T, provisioned: 0,
  service: { dist: "constant" as const, value: 0.01 }, on_throttle: "reject" as const,
};
const d = new Dispatcher(dispatcherConfig("compare", fn));
const rng = new Rng(18, 0, "compare-cold:arrivals");
const pending: Array<Promise<InvokeResult>> = [];
try {
  await d.start();
  const t0 = performance.now();
  let next = 0;
  while (next < duration * 1000) {
    next += (-Math.log(rng.next()) / rate) * 1000;
    const wait = t0 + next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(d.invoke());
  }
  const rs = await Promise.all(pending);
  const ok = rs.filter((r) => r.status === 200);
  const cold = ok.filter((r) => r.cold);
  const p = cold.length / ok.length;
  const half = 1.96 * Math.sqrt((p * (1 - p)) / ok.length);
  const start = cold.reduce((a, r) => a + r.ms, 0) / Math.max(cold.length, 1) / 1000 - 0.01;
  const yaml = `version: 1
name: compare
seed: 3
simulation: { duration: 4000s, warmup: 10s, replications: 5 }
load: { model: open, rate: ${rate}/s, classes: { c: { flow: [{ call: f }] } } }
components:
  f: { kind: function, max_instances: 1, cold_start: ${Math.max(start, 0).toFixed(4)}s, idle_timeout: ${T}s, service: 10ms }
`;
  const parsed = parseScenario(yaml, "compare.yaml");
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const sim = simulate(parsed.scenario).components.f.function!.coldStartShare;
  process.stdout.write(
    `rate ${rate}/s, idle_timeout ${T}s, ${duration}s: ${rs.length} invocations, ${ok.length} admitted, ${rs.length - ok.length} throttled; ` +
    `measured cold share ${(100 * p).toFixed(1)}% +- ${(100 * half).toFixed(1)} (mean cold invocation ${(start * 1000 + 10).toFixed(0)} ms); ` +
    `e^{-rate T} ${(100 * Math.exp(-rate * T)).toFixed(1)}%; simulator ${(100 * sim.mean).toFixed(1)}% +- ${(100 * (sim.ci95 ?? 0)).toFixed(1)}\n`,
  );
} finally {
  await d.close();
}
