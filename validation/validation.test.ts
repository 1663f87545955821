// The validation harness's pure parts and its bad-input paths: Prometheus sums, windowed k6 stats
// (and truncated output), comparison against the targets, saturation from the simulator, and the
// clear errors of `headroom validate` for bad flags and a scenario the reference app refuses.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulate, type Scenario, type SimResult } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { IngestError } from "../k6/ingest/ingest.ts";
import { sumMetrics, addScrapes } from "../reference-app/prom.ts";
import { windowStats } from "./k6-window.ts";
import { compare, saturationRow, splitRow } from "./compare.ts";
import { levelStatus, type CalibratedParameter } from "./report.ts";
import { predictSaturation, extrapolatedSaturation, levelUtilization, withRate, LevelError } from "./levels.ts";
import { counterIncrease, measureLevel, MeasureError, type Measured } from "./measure.ts";
import { applyCalibration, calibratedYaml, fitHops, spreadOf } from "./calibrate.ts";
import { findKnee } from "./knee.ts";
import { wakeMoments } from "../simulator/analytic/index.ts";
import type { Row } from "./compare.ts";
import { judgeHealth, measureTrusted, parseProcStat, startHealthProbe, DEFAULT_MAX_LAG_MS } from "./starvation.ts";

const root = join(import.meta.dirname, "..");
const bin = join(root, "bin/headroom.mjs");

function load(path: string): Scenario {
  return scenarioOf(readFileSync(join(root, path), "utf8"), path);
}

/** single-service.yaml's station with `routing`, which the reference app does not realize (station.ts). */
function routedStation(): Scenario {
  const path = "scenarios/single-service.yaml";
  const text = readFileSync(join(root, path), "utf8").replace("    service: { dist: exponential, mean: 20ms }\n", "    service: { dist: exponential, mean: 20ms }\n    routing: [{ to: exit, p: 1 }]\n");
  return scenarioOf(text, path);
}

const healthy = judgeHealth({ lagMs: { mean: 0.5, p99: 3, max: 8 }, loadAverage1: 0.8, cpus: 2, cpuSteal: 0 }, DEFAULT_MAX_LAG_MS);

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "headroom-validation-test-"));
}

describe("prom", () => {
  it("sums every label set of a metric and adds scrapes", () => {
    const a = sumMetrics(['# HELP x', 'headroom_slots_busy 3', 'headroom_db_pool_wait_seconds_sum{server="primary"} 0.5', 'headroom_db_pool_wait_seconds_sum{server="replica 1"} 0.25 1700000000', "junk"].join("\n"));
    expect(a.get("headroom_slots_busy")).toBe(3);
    expect(a.get("headroom_db_pool_wait_seconds_sum")).toBeCloseTo(0.75, 12);
    expect(addScrapes([a, sumMetrics("headroom_slots_busy 2\n")]).get("headroom_slots_busy")).toBe(5);
  });
});

describe("windowStats", () => {
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const point = (metric: string, ms: number, value: number, name = "get", ok = true) =>
    JSON.stringify({ metric, type: "Point", data: { time: new Date(t0 + ms).toISOString(), value, tags: { name, expected_response: String(ok) } } });
  it("keeps only samples in the window; latency and throughput of the successful ones, exact percentiles", async () => {
    const dir = tmp();
    try {
      const lines = [JSON.stringify({ metric: "http_req_duration", type: "Metric", data: { name: "http_req_duration", type: "trend" } })];
      lines.push(point("http_req_duration", 0, 1000)); // before the window: ignored
      for (let i = 0; i < 100; i++) {
        // the first 5 fail slowly (a 503 after connect retries): errors, not latency
        lines.push(point("http_req_duration", 2000 + i * 10, i < 5 ? 500 : i + 1, "get", i >= 5));
        lines.push(point("http_req_failed", 2000 + i * 10, i < 5 ? 1 : 0));
      }
      lines.push(point("http_req_duration", 4000, 5000)); // at the window's end: excluded
      // arrivals k6 dropped (no free VU): 3 in the window, one before it
      for (const ms of [500, 1500, 2500, 3500]) lines.push(point("dropped_iterations", ms, 1));
      const f = join(dir, "k6.ndjson");
      writeFileSync(f, lines.join("\n") + "\n");
      const w = await windowStats(f, 1, 4);
      // scheduled = the 100 sent in the window + the 3 dropped in it
      expect(w.arrivals).toEqual({ scheduled: 103, dropped: 3 });
      const c = w.classes.get;
      expect(c.requests).toBe(100);
      // sent in the window (end - duration): the 100 above; the two outliers were sent before it
      expect(c.offeredRate).toBeCloseTo(100 / 3, 9);
      expect(c.failed).toBe(5);
      expect(c.throughput).toBeCloseTo(95 / 3, 9);
      // 6..100 ms
      expect(c.latencyMs.mean).toBeCloseTo(53, 9);
      expect(c.latencyMs.p50).toBeCloseTo(53, 9);
      expect(c.latencyMs.p99).toBeCloseTo(99.06, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a request's latency includes its own connect and TLS handshake (k6 reports them apart), not another request's", async () => {
    const dir = tmp();
    try {
      const lines = [point("http_req_duration", 0, 1000)]; // the file's first sample: the window starts 1 s after it
      // request 1 opens a connection: 3 ms to connect, 6 ms of handshake, then 2 ms of request
      lines.push(point("http_req_duration", 2000, 2), point("http_req_blocked", 2000, 9.5), point("http_req_connecting", 2000, 3), point("http_req_tls_handshaking", 2000, 6), point("http_req_failed", 2000, 0));
      // request 2 reuses it: 0 ms of each
      lines.push(point("http_req_duration", 2100, 4), point("http_req_connecting", 2100, 0), point("http_req_tls_handshaking", 2100, 0));
      // request 3 of another class at the same instant: its set-up is its own, not request 2's
      lines.push(point("http_req_duration", 2100, 1, "put"), point("http_req_connecting", 2100, 5, "put"));
      const f = join(dir, "k6.ndjson");
      writeFileSync(f, lines.join("\n") + "\n");
      const w = await windowStats(f, 1, 4);
      expect(w.classes.get.latencyMs.mean).toBeCloseTo((11 + 4) / 2, 9);
      expect(w.classes.put.latencyMs.mean).toBeCloseTo(6, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("a paginated class counts walks, not pages: the walk's time is the latency, a walk with a failed page one failed request", async () => {
    const dir = tmp();
    try {
      const lines = [point("http_req_duration", 0, 1)]; // the file's first sample
      // 3 walks of 3 pages (10 ms a page, the walk 31 ms) ending at 1.5, 2.0, 2.5 s; the third's 2nd page fails (walk 21 ms)
      for (const [end, fails] of [[1500, false], [2000, false], [2500, true]] as const) {
        for (let p = 1; p <= (fails ? 2 : 3); p++) {
          const bad = fails && p === 2;
          lines.push(
            JSON.stringify({ metric: "http_req_duration", type: "Point", data: { time: new Date(t0 + end - 10 * (3 - p)).toISOString(), value: 10, tags: { name: "album", page: String(p), expected_response: String(!bad) } } }),
            JSON.stringify({ metric: "http_req_failed", type: "Point", data: { time: new Date(t0 + end - 10 * (3 - p)).toISOString(), value: bad ? 1 : 0, tags: { name: "album", page: String(p), expected_response: String(!bad) } } }),
          );
        }
        lines.push(JSON.stringify({ metric: "headroom_walk_duration", type: "Point", data: { time: new Date(t0 + end).toISOString(), value: fails ? 21 : 31, tags: { name: "album", expected_response: String(!fails) } } }));
      }
      lines.push(point("http_req_duration", 1800, 5, "one"), point("http_req_failed", 1800, 0, "one"));
      const f = join(dir, "k6.ndjson");
      writeFileSync(f, lines.join("\n") + "\n");
      const w = await windowStats(f, 1, 3);
      expect(w.classes.album).toMatchObject({ requests: 3, failed: 1, throughput: 1, offeredRate: 1.5 });
      expect(w.classes.album.latencyMs.mean).toBe(31);
      expect(w.classes.one).toMatchObject({ requests: 1, failed: 0 });
      expect(w.arrivals.scheduled).toBe(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("rejects truncated output with the line number", async () => {
    const dir = tmp();
    try {
      const f = join(dir, "k6.ndjson");
      writeFileSync(f, point("http_req_duration", 0, 3) + "\n" + point("http_req_duration", 10, 3).slice(0, 40));
      await expect(windowStats(f, 0, 1)).rejects.toThrow(IngestError);
      await expect(windowStats(f, 0, 1)).rejects.toThrow(/:2: not a JSON line/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("splitRow: a shard's throughput against the binomial noise of its share", () => {
  it("widens the 3% band to 3 standard errors of the two shares' difference", () => {
    // a quarter of 1,700 measured reads against 8,500 simulated: sd = sqrt(3 (1/1700 + 1/8500)) = 4.6%
    const r = splitRow("db.shard0", 100, 0.25, 110, 1700, 8500, true);
    expect(r.target).toBeCloseTo(3 * Math.sqrt(3 * (1 / 1700 + 1 / 8500)), 6);
    expect(r.verdict).toBe("pass");
    expect(splitRow("db.shard0", 100, 0.25, 120, 1700, 8500, true).verdict).toBe("fail");
  });
  it("keeps 3% where the counts are large, and no target where targets do not apply", () => {
    expect(splitRow("db.shard0", 100, 0.25, 104, 1e7, 1e7, true)).toMatchObject({ target: 0.03, verdict: "fail" });
    expect(splitRow("db.shard0", 100, 0.25, 150, 1700, 8500, false)).toMatchObject({ target: null, verdict: "info" });
  });
});

describe("compare", () => {
  const est = (mean: number) => ({ mean, ci95: 0 });
  const lat = (m: number) => ({ mean: est(m), p50: est(m * 0.7), p90: est(m * 2), p95: est(m * 3), p99: est(m * 4.6), p999: est(m * 7), max: est(m * 9) });
  const sim = {
    run: { seed: 1, replications: 5, durationS: 15, warmupS: 5, events: 0 },
    classes: { get: { throughput: est(100), latencyMs: lat(40), errorRate: est(0), counts: { arrived: 5000, completed: 5000 } } },
    components: { api: { kind: "service", utilization: est(0.5) }, cache: { kind: "cache", hitRatio: est(0.6), utilization: est(0.02) } },
  } as unknown as SimResult;
  const measured = (f: number, hit: number, offered = 100): Measured => ({
    engine: "built-in", requestsTotal: 1000, scrapes: 10, utilization: 0.52, cacheHitRatio: hit,
    classes: { get: { requests: 1000, failed: 0, throughput: 100 * f, offeredRate: offered, latencyMs: { mean: 40 * f, p50: 28 * f, p95: 120 * f, p99: 184 * f } } },
    generator: healthy,
  });
  it("applies the issue's tolerances: 3% throughput, 10% mean, 3 points hit ratio", () => {
    const ok = compare(sim, measured(1.02, 0.62), 0.5);
    expect(levelStatus(ok)).toBe("pass");
    const bad = compare(sim, measured(1.05, 0.64), 0.5);
    const v = (m: string) => bad.find((r) => r.metric === m)!;
    expect(v("throughput").verdict).toBe("fail");
    expect(v("throughput").error).toBeCloseTo(0.05, 9);
    expect(v("mean").verdict).toBe("pass");
    expect(v("p99").verdict).toBe("pass");
    expect(v("cacheHitRatio").verdict).toBe("fail");
    expect(v("cacheHitRatio").error).toBeCloseTo(0.04, 9);
    expect(v("utilization").verdict).toBe("info");
    expect(levelStatus(bad)).toBe("fail");
  });
  it("widens the hit ratio's 3 points to its counting noise only where a window has few gets", () => {
    const v = (gets: number | undefined, hit: number) => compare(sim, { ...measured(1, hit), cacheGets: gets }, 0.5).find((r) => r.metric === "cacheHitRatio")!;
    // 5,000 gets: 3 x sqrt(0.6 x 0.4 / 5000) = 0.021 < 3 points, so 3 points it stays
    expect(v(5000, 0.64)).toMatchObject({ target: 0.03, verdict: "fail" });
    expect(v(undefined, 0.64).target).toBe(0.03);
    // 500 gets (25/s over 20 s): 3 x 0.0219 = 0.0657
    const few = v(500, 0.64);
    expect(few.target).toBeCloseTo(3 * Math.sqrt(0.24 / 500), 9);
    expect(few.verdict).toBe("pass");
    expect(v(500, 0.67).verdict).toBe("fail");
  });
  it("predicts throughput for the load really sent: a generator 5% short is not a model error, a system 10% short is", () => {
    const v = (rows: ReturnType<typeof compare>, m: string) => rows.find((r) => r.metric === m)!;
    const short = compare(sim, measured(0.95, 0.6, 95), 0.5);
    expect(v(short, "offered")).toMatchObject({ predicted: 100, measured: 95, verdict: "info" });
    expect(v(short, "throughput")).toMatchObject({ predicted: 95, measured: 95, error: 0, verdict: "pass" });
    const lossy = compare(sim, measured(0.9, 0.6, 100), 0.5);
    expect(v(lossy, "throughput").verdict).toBe("fail");
    expect(v(lossy, "throughput").error).toBeCloseTo(-0.1, 9);
  });
  it("reports the share of arrivals the generator dropped beside the model's 0", () => {
    const v = (rows: ReturnType<typeof compare>) => rows.find((r) => r.metric === "droppedArrivals")!;
    const dropped = v(compare(sim, { ...measured(1, 0.6), arrivals: { scheduled: 1000, dropped: 30 } }, 0.5));
    expect(dropped).toMatchObject({ scope: "load", predicted: 0, verdict: "info" });
    expect(dropped.error).toBeCloseTo(0.03, 9);
    expect(compare(sim, { ...measured(1, 0.6), arrivals: { scheduled: 0, dropped: 0 } }, 0.5).some((r) => r.metric === "droppedArrivals")).toBe(false);
  });
  it("shows each partition's mean depth beside the simulator's, without a target", () => {
    const q = { kind: "queue", utilization: est(0.4), queue: { asyncLatencyMs: lat(30), backlog: est(1.2) }, parts: { "ev[0]": { queueLength: est(0.2) }, "ev[1]": { queueLength: est(1.0) } } };
    const rows = compare({ ...sim, components: { ...sim.components, ev: q } } as unknown as SimResult, { ...measured(1, 0.6), queueBacklog: 1.5, partitionDepth: { ev: [0.3, 1.2] } }, 0.5);
    const parts = rows.filter((r) => r.scope.startsWith("ev["));
    expect(parts.map((r) => [r.scope, r.metric, r.predicted, r.measured, r.verdict])).toEqual([
      ["ev[0]", "queueBacklog", 0.2, 0.3, "info"],
      ["ev[1]", "queueBacklog", 1.0, 1.2, "info"],
    ]);
    expect(parts[1]!.error).toBeCloseTo(0.2, 9);
  });
  it("switches targets off at 80% predicted utilization and above", () => {
    const rows = compare(sim, measured(1.5, 0.9), 0.8);
    expect(rows.every((r) => r.verdict === "info")).toBe(true);
    expect(levelStatus(rows)).toBe("info");
  });
});

describe("saturation throughput", () => {
  // single pool: 8 slots x exponential 40 ms = 200 req/s; offered 1.3x that, the balancer's queue
  // timeout sheds the excess and what completes successfully is the capacity
  const sim = simulate(withRate(load("scenarios/validation/single-pool.yaml"), 264), { duration: 30, warmup: 5, replications: 5 });
  const byClass = (requests: number, failed: number, throughput: number): Measured => ({
    engine: "built-in", requestsTotal: requests, scrapes: 10,
    classes: { get_item: { requests, failed, throughput, offeredRate: throughput, latencyMs: { mean: 600, p50: 600, p95: 700, p99: 800 } } },
    generator: healthy,
  });
  it("predicts the plateau at c / S = 200 req/s", () => {
    const r = saturationRow(sim, byClass(2900, 0, 195));
    // 5 x 25 s at 200 req/s: ~25,000 completions, Poisson sd 0.6%; 3% is 5 sd
    expect(Math.abs(r.predicted! - 200) / 200).toBeLessThan(0.03);
    expect(r.verdict).toBe("pass");
    expect(r.target).toBe(0.1);
  });
  it("counts only successful requests on the measured side; a 20% shortfall fails", () => {
    const r = saturationRow(sim, byClass(3000, 600, 160)); // 200 req/s completed, 160 of them successful
    expect(r.measured).toBeCloseTo(160, 9);
    expect(r.error!).toBeLessThan(-0.15);
    expect(r.verdict).toBe("fail");
  });
});

describe("levels", () => {
  it("predicts the single pool's saturation near its 8 slots / 40 ms = 200 req/s", () => {
    const s = predictSaturation(load("scenarios/validation/single-pool.yaml"));
    expect(s.rate).toBeGreaterThan(180);
    expect(s.rate).toBeLessThan(220);
  });
  it("puts a pool-bound system's saturation at its pool: 4 connections / 25 ms = 160 req/s (the old picker said ~1,100, lb)", () => {
    const s = load("validation/fixtures/pool-bound.yaml");
    const sat = predictSaturation(s);
    // the pool's own closed form is 160; the slots fill with requests waiting on it slightly earlier
    expect(sat.rate).toBeGreaterThan(160 * 0.96);
    expect(sat.rate).toBeLessThanOrEqual(160);
    expect(sat.bottleneck).toMatch(/^db/);
    const old = extrapolatedSaturation(s);
    expect(old.bottleneck).not.toMatch(/^db/);
    expect(old.rate / 160).toBeGreaterThan(5); // 1,093 req/s: its "0.6" level was 4x past saturation
    // the simulator agrees: at 0.9 of the predicted saturation everything offered is served, at
    // 1.3 the pool caps the throughput at 160
    const below = simulate(withRate(s, 0.9 * sat.rate), { duration: 30, warmup: 5, replications: 1, seed: 5 });
    expect(below.classes.get_item.throughput.mean / (0.9 * sat.rate)).toBeGreaterThan(0.97);
    const above = simulate(withRate(s, 1.3 * sat.rate), { duration: 30, warmup: 5, replications: 1, seed: 5 });
    expect(above.classes.get_item.throughput.mean).toBeLessThan(160 * 1.03);
    expect(above.classes.get_item.throughput.mean).toBeGreaterThan(160 * 0.9);
    // and a level at 0.9 is not taken for a lightly loaded one: targets would not apply there
    const u = levelUtilization(s, 0.9 * sat.rate, { name: "api", u: 0.1 });
    expect(u.name).toMatch(/^db/);
    expect(u.u).toBeGreaterThan(0.85);
  });
  it("refuses a scenario without a constant open rate", () => {
    const s = load("scenarios/validation/single-pool.yaml");
    const staged = { ...s, load: { ...s.load, rate: undefined, stages: [{ duration: 10, target: 5, shape: "linear" }] } } as unknown as Scenario;
    expect(() => withRate(staged, 10)).toThrow(LevelError);
  });
  it("calibration writes constant delays into a copy of the scenario", () => {
    const s = load("scenarios/validation/single-pool.yaml");
    const before = structuredClone(s);
    const c = applyCalibration(s, [{ parameter: "components.lb.overhead", valueMs: 2.5, how: "test" }]);
    expect((c.components.lb as { overhead?: unknown }).overhead).toEqual({ dist: "constant", value: 0.0025 });
    // the scenario itself is left as it was (its own measured overhead included)
    expect(s).toEqual(before);
  });
  it("calibration at load recovers known per-hop costs from a system that has them", () => {
    // The "real system" is the model with hidden costs; its per-hop means are built the way the
    // services' metrics read them (time at the replica; calls without the injected network legs).
    const s = load("scenarios/validation/cache-aside-zipf.yaml");
    const truth: CalibratedParameter[] = [
      { parameter: "components.lb.overhead", valueMs: 0.6, how: "truth" },
      { parameter: "components.api.call_overhead", valueMs: 0.25, how: "truth" },
      { parameter: "components.api.overhead", valueMs: 0.4, how: "truth" },
    ];
    const rate = 60;
    const o = { durationS: 60, warmupS: 10 };
    const real = simulate(withRate(applyCalibration(s, truth), rate), { duration: o.durationS, warmup: o.warmupS });
    const yamlNet = 0; // the scenario states no network: all of it is the hidden cost
    const lbWait = real.components.lb.balancer?.queueWaitMs.mean.mean ?? 0;
    const m = {
      engine: "model", requestsTotal: 1, scrapes: 2, generator: { reliable: true } as never,
      classes: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => [n, { requests: 1, failed: 0, throughput: 1, offeredRate: 1, latencyMs: { mean: c.latencyMs.mean.mean, p50: 0, p95: 0, p99: 0 } }])),
      hops: {
        serviceMs: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => [n, { meanMs: c.latencyMs.mean.mean - 0.6 - lbWait, count: c.throughput.mean }])),
        calls: {
          cache: { meanMs: real.components.cache.responseMs.mean.mean + 2 * (0.25 - yamlNet), perSecond: real.components.cache.throughput.mean },
          database: { meanMs: real.components.db.responseMs.mean.mean + 2 * (0.25 - yamlNet), perSecond: real.components.db.throughput.mean },
        },
      },
    };
    const fit = fitHops(s, m as never, rate, o);
    const got = Object.fromEntries(fit.map((p) => [p.parameter, p.valueMs]));
    expect(got["components.lb.overhead"]).toBeCloseTo(0.6, 1);
    expect(got["components.api.call_overhead"]).toBeCloseTo(0.25, 1);
    // the overhead absorbs what the model's own sampling noise leaves: within 0.1 ms
    expect(Math.abs(got["components.api.overhead"] - 0.4)).toBeLessThan(0.1);
  });
  it("a TLS balancer: the handshake from HAProxy's CPU per request, the overhead net of the model's handshakes, passes and waits", () => {
    // tls-churn: the "real system" costs 5.2 ms of HAProxy CPU per new connection (the YAML says
    // 6.2) and 3 ms of client-side time (the YAML says none). Its client latency includes the
    // handshake (validation/k6-window.ts), which the fit must not charge twice.
    const s = load("scenarios/validation/tls-churn.yaml");
    const truth: CalibratedParameter[] = [
      { parameter: "components.lb.tls.handshake", valueMs: 5.2, how: "truth" },
      { parameter: "components.lb.overhead", valueMs: 3, how: "truth" },
    ];
    const applied = applyCalibration(s, truth);
    expect(applied.components.lb).toMatchObject({ overhead: { dist: "constant", value: 0.003 }, tls: { handshake: { dist: "constant", value: 0.0052 }, requests_per_connection: 1 } });
    const rate = 60;
    const o = { durationS: 60, warmupS: 10 };
    const real = simulate(withRate(applied, rate), { duration: o.durationS, warmup: o.warmupS, hops: true });
    const c = real.classes.get_item;
    const m = {
      engine: "model", requestsTotal: 1, scrapes: 2, generator: { reliable: true } as never,
      classes: { get_item: { requests: 1, failed: 0, throughput: 1, offeredRate: 1, latencyMs: { mean: c.latencyMs.mean.mean, p50: 0, p95: 0, p99: 0 } } },
      hops: { serviceMs: { get_item: { meanMs: c.hopsMs!.components.api.serviceMs.mean, count: c.throughput.mean } }, calls: {} },
      balancerCpu: { perRequestMs: 5.2, utilization: (5.2 * rate) / 1000 },
    };
    const got = Object.fromEntries(fitHops(s, m as never, rate, o).map((p) => [p.parameter, p.valueMs]));
    expect(got["components.lb.tls.handshake"]).toBeCloseTo(5.2, 9);
    // the same seed and costs; what is left is the two passes' convergence (the waits move with the overhead)
    expect(Math.abs(got["components.lb.overhead"] - 3)).toBeLessThan(0.05);
    expect(got["components.api.overhead"]).toBeLessThan(0.02);
  });
  /** A queue's confirm_wake mean (ms) at `rate` publishes/s: what calibration takes off the measured confirm. */
  const wakeMs = (s: Scenario, rate: number) => {
    const w = (s.components.events as { confirm_wake?: { cost: number; idle: number } }).confirm_wake;
    return w ? wakeMoments(w, rate).mean * 1000 : 0;
  };
  it("without a balancer, recovers the client's edge to the service per class and writes it into the class's first step", () => {
    // partitioned-queue: clients call the service directly. The hidden costs: 0.7 ms each way on the
    // client's edge (HTTP stack, loopback), 0.3 ms of overhead in the slot, a 2 ms confirm.
    const s = load("scenarios/validation/partitioned-queue.yaml");
    const truth: CalibratedParameter[] = [
      { parameter: "load.classes.event.flow.0.network", valueMs: 0.7, how: "truth" },
      { parameter: "components.api.overhead", valueMs: 0.3, how: "truth" },
      { parameter: "components.events.confirm", valueMs: 2, how: "truth" },
    ];
    const before = structuredClone(s);
    const applied = applyCalibration(s, truth);
    expect(applied.load.classes.event.flow[0]).toEqual({ call: "api", network: { dist: "constant", value: 0.0007 } });
    expect(s).toEqual(before);
    const rate = 30;
    const o = { durationS: 60, warmupS: 10 };
    const real = simulate(withRate(applied, rate), { duration: o.durationS, warmup: o.warmupS });
    const c = real.classes.event;
    const m = {
      engine: "model", requestsTotal: 1, scrapes: 2, generator: { reliable: true } as never,
      classes: { event: { requests: 1, failed: 0, throughput: 1, offeredRate: 1, latencyMs: { mean: c.latencyMs.mean.mean, p50: 0, p95: 0, p99: 0 } } },
      // the publishes' measured time is the confirm plus the YAML's confirm_wake at the publish rate
      hops: { serviceMs: { event: { meanMs: c.latencyMs.mean.mean - 1.4, count: c.throughput.mean } }, calls: { queue: { meanMs: 2 + wakeMs(s, c.throughput.mean), perSecond: c.throughput.mean } } },
    };
    const got = Object.fromEntries(fitHops(s, m as never, rate, o).map((p) => [p.parameter, p.valueMs]));
    expect(got["load.classes.event.flow.0.network"]).toBeCloseTo(0.7, 6);
    expect(got["components.events.confirm"]).toBeCloseTo(2, 6);
    expect(Math.abs(got["components.api.overhead"] - 0.3)).toBeLessThan(0.05);
    const text = "version: 1\nload:\n  classes:\n    event:\n      flow: [{ call: api }] # direct\n";
    const out = calibratedYaml(text, { rate: 30, runs: [], parameters: [{ parameter: "load.classes.event.flow.0.network", valueMs: 0.7, how: "t" }] });
    expect(out).toMatch(/network: 0\.7ms/);
    expect(out).toContain("call: api");
  });
  describe("with links: the transfers the measured times hold are the model's, not an overhead", () => {
    // The "real system" is the model with hidden costs (the link relay's hop among them), its
    // per-hop means built the way the services' metrics read them: a call until its answer is in
    // (the transfer on the store's link included), a replica's time until its answer leaves (its own
    // link's transfer after it), the client's latency with every transfer. Before the model's link
    // time was subtracted, the fit put the transfers into the overheads: cache-link's call_overhead
    // came out 8.9 ms for 0.35, bandwidth-link's balancer overhead 13.6 ms for 0.6; and a YAML
    // without a balancer overhead left it uncalibrated at 0 (a balancer with no time was not in the hops).
    const o = { durationS: 60, warmupS: 10 };
    const measuredOf = (real: SimResult, service: string, calls: Record<string, unknown> = {}) => ({
      engine: "model", requestsTotal: 1, scrapes: 2, generator: { reliable: true } as never,
      classes: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => [n, { requests: 1, failed: 0, throughput: 1, offeredRate: 1, latencyMs: { mean: c.latencyMs.mean.mean, p50: 0, p95: 0, p99: 0 } }])),
      hops: {
        serviceMs: Object.fromEntries(Object.entries(real.classes).map(([n, c]) => {
          const at = c.hopsMs!.components;
          // the replica's clock: its own wait and work and every call's full time (each downstream hop with its link), not its own link
          const replica = Object.entries(at).reduce((sum, [name, h]) => sum + (name === "lb" ? 0 : h.waitMs.mean + h.serviceMs.mean + (name === service ? 0 : h.linkMs?.mean ?? 0)), 0);
          return [n, { meanMs: replica, count: c.throughput.mean }];
        })),
        calls,
      },
    });
    it("a cache's link: the relay's hop on each call is call_overhead, the transfer is not", () => {
      const s = load("scenarios/validation/cache-link.yaml");
      const truth: CalibratedParameter[] = [
        { parameter: "components.lb.overhead", valueMs: 0.6, how: "truth" },
        { parameter: "components.api.call_overhead", valueMs: 0.35, how: "truth" },
        { parameter: "components.api.overhead", valueMs: 0.2, how: "truth" },
      ];
      const rate = 40;
      const real = simulate(withRate(applyCalibration(s, truth), rate), { duration: o.durationS, warmup: o.warmupS, hops: true });
      const meta = real.components.meta, db = real.components.db;
      // per cache call: its response, the replies' transfers (bytes / 20 KB values, times their mean time), both legs
      const transfersPerSecond = meta.link!.throughputBitsPerSecond.mean / 8 / 20_000;
      const cacheCall = meta.responseMs.mean.mean + (transfersPerSecond * meta.link!.transferMs.mean.mean) / meta.throughput.mean + 0.7;
      const m = measuredOf(real, "api", {
        cache: { meanMs: cacheCall, perSecond: meta.throughput.mean },
        database: { meanMs: db.responseMs.mean.mean + 0.7, perSecond: db.throughput.mean },
      });
      const got = Object.fromEntries(fitHops(s, m as never, rate, o).map((p) => [p.parameter, p.valueMs]));
      expect(got["components.api.call_overhead"]).toBeCloseTo(0.35, 1);
      expect(Math.abs(got["components.lb.overhead"] - 0.6)).toBeLessThan(0.1);
      expect(Math.abs(got["components.api.overhead"] - 0.2)).toBeLessThan(0.1);
    });
    it("a balancer's link (the entry's answers) and a service's own link: the transfers stay out of the balancer's and the service's overheads", () => {
      const lbLinked = load("scenarios/validation/bandwidth-link.yaml");
      // the same system with the link on the API's answers instead (they cross it before HAProxy)
      const text = readFileSync("scenarios/validation/bandwidth-link.yaml", "utf8").replace("    bandwidth: 40Mbps\n", "").replace("    replicas: 1\n", "    replicas: 1\n    bandwidth: 40Mbps\n");
      const apiLinked = scenarioOf(text, "api-linked.yaml");
      expect((apiLinked.components.api as { bandwidth?: number }).bandwidth).toBe(40e6); // bits per second
      for (const [name, s] of [["lb's link", lbLinked], ["api's link", apiLinked]] as const) {
        const truth: CalibratedParameter[] = [
          { parameter: "components.lb.overhead", valueMs: 0.6, how: "truth" },
          { parameter: "components.api.overhead", valueMs: 0.3, how: "truth" },
        ];
        const rate = 40;
        const real = simulate(withRate(applyCalibration(s, truth), rate), { duration: o.durationS, warmup: o.warmupS, hops: true });
        expect(real.classes.blob.latencyMs.mean.mean, name).toBeGreaterThan(10); // the transfers are most of it
        const got = Object.fromEntries(fitHops(s, measuredOf(real, "api") as never, rate, o).map((p) => [p.parameter, p.valueMs]));
        expect(Math.abs(got["components.lb.overhead"] - 0.6), name).toBeLessThan(0.1);
        expect(Math.abs(got["components.api.overhead"] - 0.3), name).toBeLessThan(0.1);
      }
    });
  });
  it("reads a confirm's spread off its histogram: quantiles with the fitted mean and the measured shape", () => {
    // 10,000 exponential times of mean 3 ms in the app's buckets
    const bounds = [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 12.5, 15, 20, 25, 35, 50, 100, 250, 1000];
    const buckets = bounds.map((b) => [b, Math.round(10_000 * (1 - Math.exp(-b / 3)))] as [number, number]);
    const q = spreadOf(buckets, 2.5)!;
    expect(q).toHaveLength(40);
    expect(q.reduce((x, y) => x + y, 0) / q.length).toBeCloseTo(2.5, 9);
    for (let i = 1; i < q.length; i++) expect(q[i]).toBeGreaterThanOrEqual(q[i - 1]);
    // the shape kept: p95 - median of an exponential of mean 3 is 3 (ln 20 - ln 2) = 6.9 ms
    expect(q[38] - q[20]).toBeGreaterThan(5.5);
    expect(q[38] - q[20]).toBeLessThan(8.5);
    expect(Math.min(...q)).toBeGreaterThanOrEqual(0);
    // too few observations: no spread, the constant stays
    expect(spreadOf(buckets.map(([b, c]) => [b, Math.round(c / 100)] as [number, number]), 2.5)).toBeUndefined();
    const applied = applyCalibration(load("scenarios/validation/partitioned-queue.yaml"), [{ parameter: "components.events.confirm", valueMs: 2.5, how: "t", samplesMs: q }]);
    expect((applied.components.events as { confirm?: { dist: string } }).confirm?.dist).toBe("empirical");
  });
  it("sums a histogram's buckets per kind of call across processes", () => {
    const text = 'headroom_call_seconds_bucket{le="0.005",kind="queue",op="publish"} 7\nheadroom_call_seconds_bucket{le="0.005",kind="cache",op="get"} 3\n';
    const m = addScrapes([sumMetrics(text), sumMetrics(text)]);
    expect(m.get("headroom_call_seconds_bucket{kind=queue,le=0.005}")).toBe(14);
    expect(m.get("headroom_call_seconds_bucket{kind=cache,le=0.005}")).toBe(6);
  });
  it("writes the calibrated values into a copy of the YAML, comments and layout kept", () => {
    const text = "# my system\nversion: 1\ncomponents:\n  lb:\n    kind: load_balancer # the proxy\n    backends: api\n  api:\n    kind: service\n    network: 0.1ms\n";
    const out = calibratedYaml(text, { rate: 42, runs: [], parameters: [
      { parameter: "components.lb.overhead", valueMs: 0.51234, how: "t" },
      { parameter: "components.api.network", valueMs: 0.3, how: "t" },
    ] });
    expect(out).toContain("# my system");
    expect(out).toContain("kind: load_balancer # the proxy");
    expect(out).toMatch(/overhead: 0\.512ms # calibrated at 42 req\/s \(not set\)/);
    expect(out).toMatch(/network: 0\.3ms # calibrated at 42 req\/s \(was "0\.1ms"\)/);
  });
});

describe("knee", () => {
  const rows = (rate: number, p: [number, number], m: [number, number]): Row[] => [
    { scope: "c", metric: "throughput", predicted: p[0], measured: m[0], error: null, errorKind: "relative", target: null, verdict: "info" },
    { scope: "c", metric: "p99", predicted: p[1], measured: m[1], error: null, errorKind: "relative", target: null, verdict: "info" },
  ].map((r) => ({ ...r, rate })) as unknown as Row[];
  it("brackets the knee by p99 over the SLO or throughput below 97% of the offered rate (long window)", () => {
    const k = findKnee([
      { rate: 100, rows: rows(100, [100, 50], [99, 80]) },
      { rate: 200, rows: rows(200, [199, 90], [190, 150]) }, // measured: throughput 95% -> past
      { rate: 300, rows: rows(300, [298, 210], [250, 900]) }, // predicted: p99 over 200 -> past
    ], { p99: 200 }, 1000);
    expect(k.predicted).toEqual({ below: 200, above: 300 });
    expect(k.measured).toEqual({ below: 100, above: 200 });
  });
  it("does not call a Poisson shortfall of a short window a knee", () => {
    // 40/s over 10 s: 400 requests, sd 5%; 36.5/s is 1.9 sd low
    const k = findKnee([{ rate: 40, rows: rows(40, [40, 50], [36.5, 60]) }], { p99: 400 }, 10);
    expect(k.measured).toEqual({ below: 40, above: null });
  });
});

describe("starved measurements", () => {
  const lagging = judgeHealth({ lagMs: { mean: 9, p99: 48, max: 160 }, loadAverage1: 11.4, cpus: 2, cpuSteal: 0.02 }, DEFAULT_MAX_LAG_MS);
  it("a generator whose p99 lag is past the bound is unreliable; within it, reliable", () => {
    expect(lagging.reliable).toBe(false);
    expect(healthy.reliable).toBe(true);
    expect(judgeHealth({ ...healthy, lagMs: { mean: 2, p99: DEFAULT_MAX_LAG_MS, max: 30 } }, DEFAULT_MAX_LAG_MS).reliable).toBe(true);
  });
  it("reads CPU steal from /proc/stat's cpu line", () => {
    const t = parseProcStat("cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
    expect(t).toEqual({ total: 1000, steal: 35 });
    expect(parseProcStat("intr 1 2 3")).toBeNull();
  });
  it("measures real event-loop lag: a loop blocked 60 ms every 100 ms is past the 20 ms bound", async () => {
    const probe = startHealthProbe();
    for (let i = 0; i < 8; i++) {
      const t = Date.now();
      while (Date.now() - t < 60) { /* a generator starved of its loop */ }
      await new Promise((r) => setTimeout(r, 40));
    }
    const h = probe.stop();
    expect(h.lagMs.max).toBeGreaterThan(45);
    expect(h.lagMs.p99).toBeGreaterThan(DEFAULT_MAX_LAG_MS);
    expect(h.reliable).toBe(false);
    expect(h.cpus).toBeGreaterThan(0);
  });
  it("re-runs a lagging level once: kept when the second attempt is healthy, unreliable when it lags again", async () => {
    const m = (g: typeof healthy, n: number) => ({ generator: g, n });
    let calls = 0;
    const once = await measureTrusted(async () => m(healthy, ++calls));
    expect([calls, once.reliable, once.attempts.length]).toEqual([1, true, 1]);
    calls = 0;
    const retried = await measureTrusted(async () => m(calls++ === 0 ? lagging : healthy, calls));
    expect([calls, retried.reliable, retried.attempts.map((a) => a.reliable), retried.measured.n]).toEqual([2, true, [false, true], 2]);
    calls = 0;
    const bad = await measureTrusted(async () => m(lagging, ++calls));
    expect([calls, bad.reliable, bad.attempts.length]).toEqual([2, false, 2]);
  });
});

describe("bad input", () => {
  it("a scenario the reference app refuses is a clear MeasureError, nothing started", async () => {
    const s = routedStation(); // a station with routing: the reference app refuses it
    const dir = tmp();
    try {
      const err = await measureLevel({ scenario: s, file: "scenarios/single-service.yaml", outDir: dir, durationS: 5, warmupS: 1 }).catch((e) => e);
      expect(err).toBeInstanceOf(MeasureError);
      expect(err.message).toMatch(/scenarios\/single-service\.yaml: the reference app did not start: .*station/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("headroom validate: bad flags exit 2 with a message, no stack", () => {
    const r = spawnSync(process.execPath, [bin, "validate", join(root, "scenarios/validation/single-pool.yaml"), "--levels", "0.5,abc"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--levels expects positive numbers/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // calibration takes one rate or two different ones
    for (const bad of ["10,20,30", "20,20", "10,x"]) {
      const c = spawnSync(process.execPath, [bin, "validate", join(root, "scenarios/validation/single-pool.yaml"), "--calibrate", "--calibrate-rate", bad], { encoding: "utf8" });
      expect(c.status).toBe(2);
      expect(c.stderr).toContain(`--calibrate-rate expects one rate or two different rates in req/s above 0 (R or R1,R2), got '${bad}'`);
    }
  });
  it("headroom validate: a generator past the lag bound twice is unreliable, never a pass, exit 3 (real app, Node only)", () => {
    // --max-lag 1us: any real lag is past it, so both attempts of the level are starved by definition
    const dir = tmp();
    try {
      const r = spawnSync(process.execPath, [bin, "validate", join(root, "validation/fixtures/one-replica.yaml"), "--rates", "20", "--duration", "4s", "--warmup", "1s", "--max-lag", "1us", "--out", dir], { encoding: "utf8", timeout: 120_000 });
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/v-one-replica at 20 req\/s: unreliable: the load generator lagged beyond the bound twice/);
      const rep = JSON.parse(readFileSync(join(dir, "v-one-replica.json"), "utf8"));
      expect(rep.levels).toHaveLength(1);
      expect(rep.levels[0].status).toBe("unreliable");
      expect(rep.levels[0].generator).toHaveLength(2);
      expect(rep.levels[0].generator[0].maxLagMs).toBeCloseTo(0.001, 9);
      expect(rep.levels[0].rows.length).toBeGreaterThan(0); // kept, not dropped
      expect(rep.pass).toBe(false);
      expect(readFileSync(join(dir, "v-one-replica.md"), "utf8")).toMatch(/— \*\*unreliable\*\*[\s\S]*attempt 2: generator lag p99/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
  it("headroom validate --knee: a scenario without an SLO is exit 2 before anything starts", () => {
    const dir = tmp();
    try {
      const f = join(dir, "no-slo.yaml");
      writeFileSync(f, readFileSync(join(root, "validation/fixtures/one-replica.yaml"), "utf8").replace(/^slo:[\s\S]*$/m, ""));
      const r = spawnSync(process.execPath, [bin, "validate", f, "--knee", "--out", join(dir, "out")], { encoding: "utf8" });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/no-slo\.yaml: slo: a capacity needs an SLO/);
      expect(r.stderr).not.toMatch(/app up/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("headroom validate: a reference app that cannot start is exit 3, the report says why", () => {
    const dir = tmp();
    try {
      // single-service.yaml's station with routing, which the reference app refuses (station.ts)
      const file = join(dir, "single-service.yaml");
      writeFileSync(file, readFileSync(join(root, "scenarios/single-service.yaml"), "utf8").replace("    service: { dist: exponential, mean: 20ms }\n", "    service: { dist: exponential, mean: 20ms }\n    routing: [{ to: exit, p: 1 }]\n"));
      const out = join(dir, "out");
      const r = spawnSync(process.execPath, [bin, "validate", file, "--rates", "50", "--duration", "5s", "--warmup", "1s", "--out", out], { encoding: "utf8" });
      expect(r.status).toBe(3);
      const rep = JSON.parse(readFileSync(join(out, "single-service.json"), "utf8"));
      expect(rep.schema).toBe("headroom.validation/v1");
      expect(rep.levels[0].status).toBe("error");
      expect(rep.levels[0].error).toMatch(/the reference app did not start: .*station/);
      expect(rep.pass).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("counterIncrease", () => {
  const k = "headroom_http_requests_total";
  const at = (...xs: Array<number | undefined>) => xs.map((x) => new Map(x === undefined ? [] : [[k, x]]));
  it("sums each replica's increases; a restart from 0 (a killed replica reads absent) counts whole", () => {
    // replica 0 grows steadily; replica 1 grows to 40, is killed (absent), restarts and counts 5, then 12
    expect(counterIncrease([at(100, 30), at(110, 40), at(120, undefined), at(130, 5), at(140, 12)], k)).toBe(40 + 10 + 12);
    // without a restart it is the last minus the first
    expect(counterIncrease([at(100), at(107), at(150)], k)).toBe(50);
    expect(counterIncrease([at(100)], k)).toBe(0);
  });
});
