// Why partitioned-queue's broker confirm (calibrated at 37 req/s) measured shorter at 64 req/s:
// the confirm as the reference app pays it (bench/confirm-load.ts: the app's Publisher, persistent
// messages on 4 durable partition queues, consumers in another process) at open Poisson rates,
// by rate, by the gap since the previous publish and by publishes in flight, with the broker's
// ack frames (`multiple` = confirms batched) and the fit of the model's confirm_wake
// (cost x (1 - e^(-gap/idle))). Broker at AMQP_URL (default guest on 127.0.0.1:5672).
// Run: node bin/run-ts.mjs reference-app/bench/confirm-rate.ts [--rates 10,37,64,100,150] [--seconds 10] [--json out.json]
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fitWake, publishAtRates } from "./confirm-load.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rates = (arg("--rates") ?? "10,37,64,100,150").split(",").map(Number);
const seconds = Number(arg("--seconds") ?? "10");
if (rates.some((r) => !(r > 0 && r <= 2000)) || !(seconds >= 2 && seconds <= 120)) {
  console.error("confirm-rate: --rates takes rates in (0, 2000] per second (10,37,64) and --seconds 2 to 120");
  process.exit(2);
}
const url = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const q = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
const row = (xs: readonly number[]) =>
  `n ${String(xs.length).padStart(5)}  mean ${mean(xs).toFixed(3)}  p50 ${q(xs, 0.5).toFixed(3)}  p95 ${q(xs, 0.95).toFixed(3)}  p99 ${q(xs, 0.99).toFixed(3)} ms`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

console.log(`confirm-rate: rates ${rates.join(", ")}/s, ${seconds} s each; load average at start ${load()}`);
const { samples, acks } = await publishAtRates({ url, rates, seconds });
console.log(`load average at end ${load()}\n\nconfirm time by offered rate (open Poisson; each rate's first second left out)`);
rates.forEach((rate, i) => {
  const ms = samples.filter((s) => s.pass === i).map((s) => s.ms);
  if (ms.length > 0) console.log(`  ${String(rate).padStart(4)}/s  ${row(ms)}  ack frames ${acks[i].frames} (multiple ${acks[i].multiple})`);
});
console.log("\nthe same publishes by the gap since the previous publish");
for (const [lo, hi] of [[0, 2], [2, 5], [5, 10], [10, 20], [20, 50], [50, 100], [100, Infinity]] as const) {
  const ms = samples.filter((s) => s.gapMs >= lo && s.gapMs < hi).map((s) => s.ms);
  if (ms.length > 0) console.log(`  gap ${lo}-${hi === Infinity ? "" : hi} ms`.padEnd(18) + row(ms));
}
console.log("\nby publishes already in flight");
for (const k of [0, 1, 2]) {
  const ms = samples.filter((s) => (k < 2 ? s.inFlight === k : s.inFlight >= k)).map((s) => s.ms);
  if (ms.length > 0) console.log(`  ${k < 2 ? k : `${k}+`}`.padEnd(18) + row(ms));
}
const fit = fitWake(samples);
console.log(`\nfit (samples above the 99th percentile left out): base ${fit.baseMs.toFixed(3)} ms + cost ${fit.costMs.toFixed(3)} ms x (1 - e^(-gap/${fit.idleMs.toFixed(1)} ms))`);
console.log(`  as YAML: confirm_wake: { cost: ${fit.costMs.toFixed(2)}ms, idle: ${fit.idleMs.toFixed(0)}ms }`);
const out = arg("--json");
if (out) writeFileSync(out, JSON.stringify({ rates, seconds, samples, acks, fit }));
