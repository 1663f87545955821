// Where a calibrated scenario's measured tail comes from: one level of the reference app under the
// scenario's own load (built-in runner, in this process as `headroom validate` ran it before 4 Dec), with the
// validation's metric scraping done three ways: not at all (one scrape before and after the window),
// in this process every 250 ms as measure.ts does, or in a child process at the same pace. Prints the
// client latency's quantiles from the NDJSON (after the warm-up), this process's event-loop delay
// while the load ran, and the service's own per-hop figures over the window (time at the replica,
// the publishes' confirm histogram). Comparing the three says whether the scraping's cost lands in
// the measured latency, and where (in the services, or in the generator's event loop).
// Run: node bin/run-ts.mjs validation/tail-probe.ts FILE.yaml --rate R [--scrape off|inproc|child|genchild] [--duration 25] [--warmup 5] [--json OUT]
import { spawn } from "node:child_process";
import { createReadStream, writeFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { startAppPromise } from "../reference-app/launcher.ts";
import { addScrapes, sumMetrics } from "../reference-app/prom.ts";
import { runLoad } from "../k6/harness.ts";
import { withRate } from "./levels.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const file = process.argv[2];
const rate = Number(arg("--rate"));
const mode = arg("--scrape") ?? "off";
const durationS = Number(arg("--duration") ?? "25");
const warmupS = Number(arg("--warmup") ?? "5");
if (!file || !(rate > 0) || !["off", "inproc", "child", "genchild"].includes(mode) || !(durationS > warmupS)) {
  console.error("tail-probe: FILE.yaml --rate R [--scrape off|inproc|child|genchild] [--duration S > --warmup S]");
  process.exit(2);
}
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const q = (xs: readonly number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function scrape(urls: readonly string[]): Promise<Map<string, number>[]> {
  return Promise.all(urls.map(async (u) => sumMetrics(await (await fetch(u, { signal: AbortSignal.timeout(2000) })).text())));
}

/** sumMetrics, plus the replica-time histogram's buckets under `duration_le=<le>` (sumMetrics keeps le for `kind` only). */
async function scrapeService(urls: readonly string[]): Promise<Map<string, number>> {
  const texts = await Promise.all(urls.map(async (u) => (await fetch(u, { signal: AbortSignal.timeout(2000) })).text()));
  const m = addScrapes(texts.map(sumMetrics));
  for (const t of texts) {
    for (const line of t.split("\n")) {
      const x = /^headroom_http_request_duration_seconds_bucket\{.*le="([^"]+)".*\} (\S+)/.exec(line);
      if (x) m.set(`duration_le=${x[1]}}`, (m.get(`duration_le=${x[1]}}`) ?? 0) + Number(x[2]));
    }
  }
  return m;
}

/** Quantile p of a cumulative histogram [(le seconds, count)], linear inside a bucket, in ms. */
function histQ(b: ReadonlyArray<readonly [number, number]>, p: number): number {
  const n = b[b.length - 1]![1];
  const target = p * n;
  const i = b.findIndex(([, c]) => c >= target);
  if (i < 0) return b[b.length - 1]![0] * 1000; // past the last finite bound: that bound
  const [hi, cHi] = b[i]!;
  const [lo, cLo] = i > 0 ? b[i - 1]! : [0, 0];
  return (cHi > cLo ? lo + ((hi - lo) * (target - cLo)) / (cHi - cLo) : hi) * 1000;
}

function buckets(a: Map<string, number>, b: Map<string, number>, prefix: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [k, v] of b) {
    if (!k.startsWith(prefix)) continue;
    const le = k.slice(prefix.length).replace(/[}]$/, "");
    if (le === "+Inf") continue;
    out.push([Number(le), v - (a.get(k) ?? 0)]);
  }
  return out.sort((x, y) => x[0] - y[0]);
}

const scenario = withRate(await loadScenarioFile(file), rate);

/** genchild: the same load from `headroom load` in its own process (a copy of the YAML at the rate), so this process's scraping and the app's collector share no event loop with the generator. */
async function loadInChild(target: string): Promise<{ exitCode: number; message: string; ndjsonPath: string }> {
  const text = (await readFile(file, "utf8")).replace(/^(\s*rate:\s*)\S+/m, `$1${rate}/s`);
  const copy = join(dir, "at-rate.yaml");
  await writeFile(copy, text);
  const out = join(dir, "k6");
  const code = await new Promise<number>((resolve) => spawn(process.execPath, [join(import.meta.dirname, "../bin/headroom.mjs"), "load", copy, "--target", target, "--out", out, "--duration", `${durationS}s`, "--engine", "built-in"], { stdio: "ignore" }).on("exit", (c) => resolve(c ?? 1)));
  return { exitCode: code, message: "headroom load", ndjsonPath: join(out, "k6.ndjson") };
}
const dir = await mkdtemp(join(tmpdir(), "tail-probe-"));
console.log(`tail-probe: ${file} at ${rate}/s, scraping ${mode}; load average at start ${load()}`);
const { app, stop } = await startAppPromise(scenario, { file });
let child: ReturnType<typeof spawn> | undefined;
let sampling = mode === "inproc" || mode === "genchild";
try {
  const urls = app.metricsUrls;
  const serviceUrls = urls.filter((u) => !app.workers.some((w) => u.startsWith(w.url)));
  const scraper = (async () => {
    while (sampling) {
      const t = Date.now();
      addScrapes(await scrape(urls).catch(() => []));
      await new Promise((r) => setTimeout(r, Math.max(0, 250 - (Date.now() - t))));
    }
  })();
  if (mode === "child") {
    const code = `const u=${JSON.stringify(urls)};(async()=>{for(;;){const t=Date.now();await Promise.all(u.map(async x=>{try{const s=await (await fetch(x)).text();s.split("\\n").map(l=>l.split(" "));}catch{}}));await new Promise(r=>setTimeout(r,Math.max(0,250-(Date.now()-t))));}})();`;
    child = spawn(process.execPath, ["-e", code], { stdio: "ignore" });
  }
  const lag = monitorEventLoopDelay({ resolution: 1 });
  let before: Map<string, number> | undefined;
  const beforeAt = setTimeout(async () => (before = await scrapeService(serviceUrls)), 0);
  const warm = setTimeout(async () => { lag.enable(); before = await scrapeService(serviceUrls); }, warmupS * 1000 + 1500);
  const run = mode === "genchild" ? await loadInChild(app.url) : await runLoad({ scenario, source: file, target: app.url, outDir: join(dir, "k6"), plan: { durationS }, engine: "built-in", maxRunMs: (durationS + 60) * 1000 });
  lag.disable();
  clearTimeout(beforeAt);
  clearTimeout(warm);
  sampling = false;
  await scraper;
  const after = await scrapeService(serviceUrls);
  if (run.exitCode !== 0 && run.exitCode !== 99) throw new Error(`load run ended with ${run.exitCode}: ${run.message}`);
  // client latency of every answered request after the warm-up (k6's http_req_duration points)
  const pts: Array<{ t: number; ms: number }> = [];
  for await (const line of createInterface({ input: createReadStream(run.ndjsonPath) })) {
    if (!line.includes('"http_req_duration"') || !line.includes('"Point"')) continue;
    const p = JSON.parse(line) as { data: { time: string; value: number } };
    pts.push({ t: Date.parse(p.data.time), ms: p.data.value });
  }
  const t0 = Math.min(...pts.map((p) => p.t));
  const win = pts.filter((p) => p.t >= t0 + (warmupS + 1.5) * 1000).map((p) => p.ms).sort((a, b) => a - b);
  const mean = win.reduce((a, b) => a + b, 0) / win.length;
  console.log(`client latency (n ${win.length}): mean ${mean.toFixed(3)}  p50 ${q(win, 0.5).toFixed(3)}  p90 ${q(win, 0.9).toFixed(3)}  p95 ${q(win, 0.95).toFixed(3)}  p99 ${q(win, 0.99).toFixed(3)}  max ${win[win.length - 1]!.toFixed(3)} ms`);
  console.log(`generator event-loop delay: mean ${(lag.mean / 1e6).toFixed(3)}  p50 ${(lag.percentile(50) / 1e6).toFixed(3)}  p99 ${(lag.percentile(99) / 1e6).toFixed(3)}  max ${(lag.max / 1e6).toFixed(3)} ms`);
  if (before) {
    const d = (k: string) => (after.get(k) ?? 0) - (before!.get(k) ?? 0);
    const cls = Object.keys(scenario.load.classes)[0]!;
    const n = d(`headroom_http_request_duration_seconds_count{class=${cls}}`);
    const srv = buckets(before, after, "duration_le=");
    console.log(`at the replica (n ${n}): mean ${((d(`headroom_http_request_duration_seconds_sum{class=${cls}}`) / n) * 1000).toFixed(3)} ms; share over 5 ms ${(1 - (srv.find(([le]) => le === 0.005)?.[1] ?? 0) / n).toFixed(4)}, over 10 ms ${(1 - (srv.find(([le]) => le === 0.01)?.[1] ?? 0) / n).toFixed(4)}`);
    console.log(`client share over 5 ms ${(win.filter((x) => x > 5).length / win.length).toFixed(4)}, over 10 ms ${(win.filter((x) => x > 10).length / win.length).toFixed(4)}`);
    const cb = buckets(before, after, "headroom_call_seconds_bucket{kind=queue,le=");
    const cn = d("headroom_call_seconds_count{kind=queue}");
    if (cn > 0) {
      const cMean = (d("headroom_call_seconds_sum{kind=queue}") / cn) * 1000;
      console.log(`confirm (n ${cn}): mean ${cMean.toFixed(3)}  p50 ${histQ(cb, 0.5).toFixed(3)}  p90 ${histQ(cb, 0.9).toFixed(3)}  p95 ${histQ(cb, 0.95).toFixed(3)}  p99 ${histQ(cb, 0.99).toFixed(3)} ms`);
      // what the calibrated model does: every hop but the confirm a constant (their mean), the confirm as measured
      const rest = mean - cMean;
      console.log(`client as constant ${rest.toFixed(3)} ms + measured confirm: p50 ${(rest + histQ(cb, 0.5)).toFixed(3)}  p90 ${(rest + histQ(cb, 0.9)).toFixed(3)}  p95 ${(rest + histQ(cb, 0.95)).toFixed(3)}  p99 ${(rest + histQ(cb, 0.99)).toFixed(3)} ms (measured above)`);
      const srvMean = (d(`headroom_http_request_duration_seconds_sum{class=${cls}}`) / n) * 1000;
      const over = (x: number) => { const b = cb.map(([le, c]) => [le * 1000, c] as const); const i = b.findIndex(([le]) => le >= x); if (i <= 0) return i === 0 ? 1 - (b[0]![1] * x) / b[0]![0] / cn : 0; const [lo, cl] = b[i - 1]!; const [hi, ch] = b[i]!; return 1 - (cl + ((ch - cl) * (x - lo)) / (hi - lo)) / cn; };
      console.log(`at the replica as constant ${(srvMean - cMean).toFixed(3)} ms + measured confirm: share over 5 ms ${over(5 - (srvMean - cMean)).toFixed(4)}, over 10 ms ${over(10 - (srvMean - cMean)).toFixed(4)}`);
    }
  }
  console.log(`load average at end ${load()}`);
  const out = arg("--json");
  if (out) writeFileSync(out, JSON.stringify({ file, rate, mode, latencyMs: win }));
} finally {
  sampling = false;
  child?.kill();
  await stop();
  await rm(dir, { recursive: true, force: true });
}
