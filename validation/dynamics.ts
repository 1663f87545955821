// Time-series validation of a system that moves: an auto-scaled pool under a ramp, a gateway rate
// limit at twice its rate, a slowed dependency whose callers retry and break the circuit (that one
// runs in resilience-validate.ts: its load comes from a Node client, not k6; so do a cache loss, a
// database failover, a serverless function's bursts and a region outage, each in its own *-validate.ts). `validate` compares window averages at constant rates; here the scenario
// runs its own stages once on the simulator (instance series, one point per simulation.interval)
// and once on the reference app, and the instance count over time, the scale-out moments and the
// accepted/rejected rates are compared against the targets in docs/validation.md ("Dynamic
// scenarios"). Trade-off: one real run per scenario (no replications on the measured side), so a
// figure near its target can flip from run to run; the report says the load average beside it.
//
//   node bin/run-ts.mjs validation/dynamics.ts scenarios/validation/dynamic/autoscale-ramp.yaml [--out DIR]
//   exit 0 every target met, 1 a target missed, 2 bad input, 3 not measurable
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { simulate, type Scenario, type SimResult } from "../simulator/index.ts";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { startAppPromise } from "../reference-app/launcher.ts";
import { firstRequest } from "../reference-app/first-request.ts";
import type { ScalingEvent } from "../reference-app/scaling.ts";
import { instanceSteps, moments, rateRows, scalingRows, seriesSteps, timeWeightedMean, type Row } from "./dynamics-series.ts";
import { runLoad } from "../k6/harness.ts";
import { parseK6Time } from "../k6/ingest/ingest.ts";
import { validateResilience } from "./resilience-validate.ts";
import { resilienceTarget } from "./resilience-rows.ts";
import { cacheLossTarget, validateCacheLoss } from "./cache-loss-validate.ts";
import { failoverTarget, validateFailover } from "./db-failover-validate.ts";
import { functionTarget, validateFunction } from "./function-validate.ts";
import { regionsTarget } from "./regions-rows.ts";
import { dynamicsDocument, type DynamicsSeries } from "./dynamics-report.ts";
import { validateRegions } from "./regions-validate.ts";

// ---------------------------------------------------------------- the measured side

/** Requests by status whose k6 sample time lies in [first + fromS, first + toS), and the first sample time. */
export async function statusCounts(ndjson: string, fromS: number, toS: number): Promise<{ firstMs: number; byStatus: Map<string, number> }> {
  const pts: Array<{ t: number; status: string }> = [];
  let first = Infinity;
  for await (const line of createInterface({ input: createReadStream(ndjson), crlfDelay: Infinity })) {
    if (!line.includes('"http_reqs"') || !line.includes('"Point"')) continue;
    const o = JSON.parse(line) as { type: string; metric: string; data: { time: string; tags?: Record<string, string> } };
    if (o.type !== "Point" || o.metric !== "http_reqs") continue;
    const t = parseK6Time(o.data.time);
    first = Math.min(first, t);
    pts.push({ t, status: o.data.tags?.status ?? "0" });
  }
  const byStatus = new Map<string, number>();
  for (const p of pts) {
    if (p.t < first + fromS * 1000 || p.t >= first + toS * 1000) continue;
    byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1);
  }
  return { firstMs: first, byStatus };
}

/**
 * Answers per second in each interval [k I, (k + 1) I) from the first sample, labelled at the
 * interval's end as the simulator's series are: those other than 429 (accepted) and 429 (refused).
 */
export async function statusSeries(ndjson: string, intervalS: number, durationS: number): Promise<{ accepted: Array<[number, number]>; rejected: Array<[number, number]> }> {
  const { firstMs } = await statusCounts(ndjson, 0, durationS);
  const n = Math.ceil(durationS / intervalS);
  const acc = new Array<number>(n).fill(0), rej = new Array<number>(n).fill(0);
  for await (const line of createInterface({ input: createReadStream(ndjson), crlfDelay: Infinity })) {
    if (!line.includes('"http_reqs"') || !line.includes('"Point"')) continue;
    const o = JSON.parse(line) as { type: string; metric: string; data: { time: string; tags?: Record<string, string> } };
    if (o.type !== "Point" || o.metric !== "http_reqs") continue;
    const k = Math.floor((parseK6Time(o.data.time) - firstMs) / 1000 / intervalS);
    if (k < 0 || k >= n) continue;
    if (o.data.tags?.status === "429") rej[k]++;
    else acc[k]++;
  }
  const at = (xs: number[]) => xs.map((c, k): [number, number] => [(k + 1) * intervalS, c / intervalS]);
  return { accepted: at(acc), rejected: at(rej) };
}

export interface DynamicsReport {
  scenario: string;
  loadAverage: number[];
  rows: Row[];
  /** instances over time (auto-scaling, a function's pool): steps [t s from the load's start, count] */
  measuredSteps?: Array<[number, number]>;
  predictedSteps?: Array<[number, number]>;
  /** other compared series (a cache's hit ratio over time...), for the report file and the dashboard */
  series?: DynamicsSeries[];
}

/** Every series of a report: the instance steps as one, then the others. */
export function reportSeries(r: DynamicsReport): DynamicsSeries[] {
  const out: DynamicsSeries[] = [];
  if (r.predictedSteps && r.measuredSteps) out.push({ name: "instances", unit: "instances", shape: "steps", predicted: r.predictedSteps, measured: r.measuredSteps });
  return [...out, ...(r.series ?? [])];
}

export async function validateDynamics(file: string, scenario: Scenario, outDir: string, log: (s: string) => void = () => {}, o: { throughGateway?: boolean; runSeed?: number } = {}): Promise<DynamicsReport> {
  if (resilienceTarget(file, scenario)) return validateResilience(file, scenario, log, o.throughGateway ? "gateway" : "client", o.runSeed);
  if (cacheLossTarget(file, scenario)) return validateCacheLoss(file, scenario, outDir, log);
  if (failoverTarget(file, scenario)) return validateFailover(file, scenario, log);
  if (functionTarget(file, scenario)) return validateFunction(file, scenario, log);
  const regions = regionsTarget(file, scenario);
  if (regions) return validateRegions(file, scenario, regions, log);
  const sim: SimResult = simulate(scenario);
  const durationS = sim.run.durationS;
  const warmupS = sim.run.warmupS;
  const service = Object.entries(scenario.components).find(([, c]) => c.kind === "service" && c.autoscaling);
  const lbLimited = Object.values(scenario.components).some((c) => c.kind === "load_balancer" && c.rate_limit);
  if (!service && !lbLimited) throw new InputError(`${file}: neither autoscaling nor a rate_limit: nothing dynamic to compare (use headroom validate)`);
  const la0 = loadavg();
  const { app, stop } = await startAppPromise(scenario, { file });
  let loadStartMs = NaN;
  let ndjson: string;
  let events: ScalingEvent[] = [];
  try {
    log(`app up (${app.url}); load for ${durationS} s`);
    const watch = { done: false };
    const started = app.haproxyStatsSocket ? firstRequest(app.haproxyStatsSocket, watch) : Promise.resolve(Date.now());
    // The scalers' evaluation clocks restart as the first request arrives (the simulator's t = 0).
    void started.then((t) => { loadStartMs = t; for (const x of Object.values(app.scalers)) x.begin(); });
    const run = await runLoad({ scenario, source: file, target: app.url, outDir: join(outDir, "k6"), engine: "auto", maxRunMs: (durationS + 60) * 1000 });
    watch.done = true;
    if (run.exitCode !== 0 && run.exitCode !== 99) throw new NotMeasurable(`${file}: the load run (${run.engine}) ended with exit code ${run.exitCode}${run.message ? ` (${run.message})` : ""}`);
    ndjson = run.ndjsonPath;
  } finally {
    // the first auto-scaled service's (the one compared below), wherever it sits in the call graph
    const scaler = service ? app.scalers[service[0]] : undefined;
    events = scaler ? [...scaler.events] : [];
    await stop();
  }
  if (!Number.isFinite(loadStartMs)) throw new NotMeasurable(`${file}: HAProxy never counted a request`);
  const rows: Row[] = [];
  const report: DynamicsReport = { scenario: scenario.name, loadAverage: [la0[0]!, loadavg()[0]!], rows };
  if (service) {
    const [name, c] = service as [string, Extract<Scenario["components"][string], { kind: "service" }>];
    const initial = c.replicas;
    const series = sim.series?.components[name];
    if (!series || !sim.series) throw new NotMeasurable(`${file}: the simulation kept no series`);
    const predicted = seriesSteps(sim.series.t, series.instances, initial);
    const measured = instanceSteps(initial, events, loadStartMs);
    report.predictedSteps = predicted;
    report.measuredSteps = measured;
    rows.push(...scalingRows({
      predictedMean: sim.components[name]!.instances!.mean,
      measuredMean: timeWeightedMean(measured, 0, durationS),
      predicted: [moments(predicted, 1), moments(predicted, -1)],
      measured: [moments(measured, 1).filter((t) => t <= durationS), moments(measured, -1).filter((t) => t <= durationS)],
      interval: c.autoscaling!.interval,
      predictedMax: Math.max(...predicted.map((s) => s[1])),
      measuredMax: Math.max(...measured.filter((s) => s[0] <= durationS).map((s) => s[1])),
    }));
  }
  if (lbLimited) {
    const { byStatus } = await statusCounts(ndjson!, warmupS, durationS);
    const windowS = durationS - warmupS;
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
    const rejected = byStatus.get("429") ?? 0;
    const cls = Object.values(sim.classes);
    const accepted = cls.reduce((a, k) => a + k.throughput.mean, 0);
    const errorRate = cls.reduce((a, k) => a + k.errorRate.mean * k.throughput.mean / Math.max(1e-9, 1 - k.errorRate.mean), 0) / Math.max(1e-9, accepted + cls.reduce((a, k) => a + k.errorRate.mean * k.throughput.mean / Math.max(1e-9, 1 - k.errorRate.mean), 0));
    rows.push(...rateRows({
      acceptedPredicted: accepted,
      acceptedMeasured: (total - rejected) / windowS,
      // The model's refusals at the offered rate the generator really sent (a Poisson realization).
      rejectedPredicted: errorRate * (total / windowS),
      rejectedMeasured: rejected / windowS,
    }));
    // the same over time: the model's first replication per interval against the app's answers
    if (sim.series) {
      const m = await statusSeries(ndjson!, sim.series.intervalS, durationS);
      const sum = (f: (c: { throughput: number[]; errors: number[] }) => number[]) => sim.series!.t.map((t, i): [number, number] => [t, Object.values(sim.series!.classes).reduce((a, c) => a + (f(c)[i] ?? 0), 0)]);
      report.series = [
        { name: "accepted (answers other than 429)", unit: "req/s", shape: "samples", predicted: sum((c) => c.throughput), measured: m.accepted },
        { name: "refused by the rate limit (429)", unit: "req/s", shape: "samples", predicted: sum((c) => c.errors), measured: m.rejected },
      ];
    }
  }
  return report;
}

export class InputError extends Error {}
export class NotMeasurable extends Error {}

function format(r: DynamicsReport): string {
  const f = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toFixed(2)) : "-");
  const lines = [`${r.scenario} (load average ${r.loadAverage.map((x) => x.toFixed(1)).join(" -> ")}; one real run, noisy on a shared machine)`];
  lines.push("row | predicted | measured | target | result");
  for (const row of r.rows) lines.push(`${row.name} | ${f(row.predicted)} | ${f(row.measured)} | ${row.target} | ${row.pass === null ? "-" : row.pass ? "pass" : "MISS"}`);
  if (r.predictedSteps) lines.push(`instances predicted: ${r.predictedSteps.map(([t, n]) => `${f(t)}s:${n}`).join(" ")}`);
  if (r.measuredSteps) lines.push(`instances measured:  ${r.measuredSteps.map(([t, n]) => `${t.toFixed(1)}s:${n}`).join(" ")}`);
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const files = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--run-seed");
  const outIdx = argv.indexOf("--out");
  if (files.length === 0 || argv.includes("--help")) {
    process.stderr.write("usage: node bin/run-ts.mjs validation/dynamics.ts <scenario.yaml>... [--out DIR] [--through-gateway] [--run-seed N]\n" +
      "  --out DIR          keep the runs' files there and write DIR/<scenario name>.dynamics.json (headroom.dynamics/v1: rows and the compared series, for the dashboard)\n" +
      "  --through-gateway  a slowed dependency's retries and breaker run in the app's resilience gateway (as `headroom app up` runs them),\n" +
      "                     the load sends plain requests through it; default: the load's own Node client runs them\n" +
      "  --run-seed N       a slowed dependency's real run draws its service times, the callers' jitter and the arrivals\n" +
      "                     from N (default: the scenario's seed, so every run of it is the same realization); the model's figures do not change\n");
    return files.length === 0 ? 2 : 0;
  }
  const seedIdx = argv.indexOf("--run-seed");
  const runSeed = seedIdx >= 0 ? Number(argv[seedIdx + 1]) : undefined;
  if (runSeed !== undefined && !(Number.isSafeInteger(runSeed) && runSeed >= 0)) {
    process.stderr.write(`--run-seed: a whole number >= 0 expected, got '${argv[seedIdx + 1] ?? ""}'\n`);
    return 2;
  }
  const out = outIdx >= 0 ? argv[outIdx + 1]! : await mkdtemp(join(tmpdir(), "headroom-dyn-"));
  let code = 0;
  for (const file of files.filter((f) => f !== out)) {
    try {
      const scenario = await loadScenarioFile(file);
      const r = await validateDynamics(file, scenario, join(out, scenario.name), (s) => process.stderr.write(`  ${s}\n`), { throughGateway: argv.includes("--through-gateway"), runSeed });
      process.stdout.write(format(r) + "\n\n");
      if (outIdx >= 0) {
        const doc = dynamicsDocument({ scenario: scenario.name, file, yaml: await readFile(file, "utf8"), createdAt: new Date().toISOString(), loadAverage: r.loadAverage, rows: r.rows, series: reportSeries(r) });
        await mkdir(out, { recursive: true });
        const path = join(out, `${scenario.name}.dynamics.json`);
        await writeFile(path, JSON.stringify(doc, null, 1) + "\n");
        process.stderr.write(`  report: ${path} (the dashboard opens it: Open validation…)\n`);
      }
      if (r.rows.some((x) => x.pass === false)) code = Math.max(code, 1);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      const c = e instanceof InputError || (e as Error).name === "InputError" ? 2 : 3;
      code = Math.max(code, c);
    }
  }
  if (outIdx < 0) await rm(out, { recursive: true, force: true });
  return code;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((c) => process.exit(c));
}
