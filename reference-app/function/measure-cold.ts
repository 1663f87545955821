// Measures what a real cold start costs in the dispatcher beyond the YAML's init: N invocations,
// each after the previous instance was reaped (idle_timeout 50 ms), with a cold_start of 0, so the
// cold start is the fork and start of instance.mjs alone. Prints the mean and the range, in ms.
// node bin/run-ts.mjs reference-app/function/measure-cold.ts [N]
import { Dispatcher, dispatcherConfig } from "./dispatcher.ts";

const n = Number(process.argv[2] ?? 20);
const d = new Dispatcher(dispatcherConfig("measure", {
  max_instances: 1, concurrency: 1, cold_start: { dist: "constant", value: 0 }, idle_timeout: 0.05, provisioned: 0,
  service: { dist: "constant", value: 0 }, on_throttle: "reject",
}));
try {
  await d.start();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await d.invoke();
    if (!r.cold || r.status !== 200) throw new Error(`invocation ${i}: ${JSON.stringify(r)}`);
    ms.push(r.ms);
    while (d.alive() > 0) await new Promise((res) => setTimeout(res, 20));
  }
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / n;
  process.stdout.write(`cold invocation (fork + start of instance.mjs, no init, no work), ${n} runs: mean ${mean.toFixed(1)} ms, min ${ms[0].toFixed(1)}, median ${ms[n >> 1].toFixed(1)}, max ${ms[n - 1].toFixed(1)}\n`);
} finally {
  await d.close();
}
