// Measures what a real cold start costs in the dispatcher beyond the YAML's init: N rounds, each
// after the previous round's instances were reaped (idle_timeout 50 ms), of K invocations at once
// on K instances (max_instances K), with a cold_start of 0, so each cold start is the fork and start
// of instance.mjs alone, K of them together (a burst's onset). Prints the mean and the range, in ms.
// node bin/run-ts.mjs reference-app/function/measure-cold.ts [N] [K]
import { loadavg } from "node:os";
import { Dispatcher, dispatcherConfig } from "./dispatcher.ts";

const n = Number(process.argv[2] ?? 20);
const k = Number(process.argv[3] ?? 1);
const d = new Dispatcher(dispatcherConfig("measure", {
  max_instances: k, concurrency: 1, cold_start: { dist: "constant", value: 0 }, idle_timeout: 0.05, provisioned: 0,
  service: { dist: "constant", value: 0 }, on_throttle: "reject",
}));
try {
  await d.start();
  const ms: number[] = [];
  const la = loadavg()[0]!;
  for (let i = 0; i < n; i++) {
    const rs = await Promise.all(Array.from({ length: k }, () => d.invoke()));
    for (const r of rs) {
      if (!r.cold || r.status !== 200) throw new Error(`round ${i}: ${JSON.stringify(r)}`);
      ms.push(r.ms);
    }
    while (d.alive() > 0) await new Promise((res) => setTimeout(res, 20));
  }
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  process.stdout.write(`cold invocation (fork + start of instance.mjs, no init, no work), ${k} at once, ${n} rounds (load ${la.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}): mean ${mean.toFixed(1)} ms, min ${ms[0]!.toFixed(1)}, median ${ms[ms.length >> 1]!.toFixed(1)}, max ${ms[ms.length - 1]!.toFixed(1)}\n`);
} finally {
  await d.close();
}
