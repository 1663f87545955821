// The measured knee's parts that run without a reference app: the bisection's path and its
// bounded number of runs, and a measured level judged by the capacity search's own rule (the same
// verdict as `headroom capacity` gives a simulation with the same figures).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate, type Scenario } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { summarize } from "../planning/verdict.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { bisectKnee, measureKnee, measuredFailure, KNEE_RESOLUTION, type KneeStep } from "./knee-search.ts";
import { kneeSearchMarkdown, type ValidationReport } from "./report.ts";
import { kneeTable, summary, table } from "./suite-tables.ts";
import type { CapacityResult } from "../planning/capacity.ts";
import { withRate } from "./levels.ts";
import { judgeHealth } from "./starvation.ts";
import { queueUtilization, type Measured } from "./measure.ts";

const root = join(import.meta.dirname, "..");
function load(path: string): Scenario {
  return scenarioOf(readFileSync(join(root, path), "utf8"), path);
}

/** single-service.yaml's station with `routing`, which the reference app does not realize (station.ts). */
function routedStation(): Scenario {
  const path = "scenarios/single-service.yaml";
  const text = readFileSync(join(root, path), "utf8").replace("    service: { dist: exponential, mean: 20ms }\n", "    service: { dist: exponential, mean: 20ms }\n    routing: [{ to: exit, p: 1 }]\n");
  return scenarioOf(text, path);
}
const healthy = judgeHealth({ lagMs: { mean: 0.5, p99: 3, max: 8 }, loadAverage1: 0.8, cpus: 2, cpuSteal: 0 }, 20);

/** A system whose true knee is `knee` req/s: rates up to it pass, above it fail. */
function system(knee: number, odd: Partial<Record<number, KneeStep["status"]>> = {}) {
  const asked: number[] = [];
  const judge = async (rate: number): Promise<KneeStep> => {
    asked.push(rate);
    const status = odd[rate] ?? (rate <= knee ? "pass" : "fail");
    return { rate, status, reason: status === "pass" ? null : status, seconds: 1 };
  };
  return { asked, judge };
}

describe("bisectKnee", () => {
  it("brackets from 0.8x/1.2x of the prediction and bisects to 5% in 6 runs", async () => {
    const s = system(173);
    const b = await bisectKnee(180, s.judge);
    expect(s.asked.slice(0, 2)).toEqual([144, 216]);
    expect(b.steps.length).toBeLessThanOrEqual(6);
    expect(b.lo!).toBeLessThanOrEqual(173);
    expect(b.hi!).toBeGreaterThan(173);
    expect((b.hi! - b.lo!) / b.lo!).toBeLessThanOrEqual(KNEE_RESOLUTION);
    expect(173 - b.lo!).toBeLessThanOrEqual(173 * KNEE_RESOLUTION);
  });
  it("steps out when the prediction is wrong by 2x either way, still bounded", async () => {
    const low = system(90);
    const bl = await bisectKnee(200, low.judge);
    expect(bl.lo!).toBeLessThanOrEqual(90);
    expect(bl.hi!).toBeGreaterThan(90);
    expect((bl.hi! - bl.lo!) / bl.lo!).toBeLessThanOrEqual(KNEE_RESOLUTION);
    expect(bl.steps.length).toBeLessThanOrEqual(8);
    const high = system(300);
    const bh = await bisectKnee(150, high.judge);
    expect(bh.lo!).toBeLessThanOrEqual(300);
    expect(bh.hi!).toBeGreaterThan(300);
    expect(bh.steps.length).toBeLessThanOrEqual(8);
  });
  it("stops without a figure at an unreliable or unmeasured step: never a pass", async () => {
    for (const st of ["unreliable", "error"] as const) {
      const s = system(173, { 216: st });
      const b = await bisectKnee(180, s.judge);
      expect(b.lo).toBeNull();
      expect(b.stopped?.status).toBe(st);
      expect(s.asked).toEqual([144, 216]);
    }
  });
  it("reports the bracket it reached when the step budget runs out", async () => {
    const s = system(173);
    const b = await bisectKnee(180, s.judge, { maxSteps: 3 });
    expect(b.steps.length).toBe(3);
    expect((b.hi! - b.lo!) / b.lo!).toBeGreaterThan(KNEE_RESOLUTION);
  });
});

describe("measuredFailure: the capacity search's rule on measured figures", () => {
  const s = load("scenarios/validation/single-pool.yaml"); // slo p95 200 ms, p99 400 ms, errors 1%
  // the measured side expressed with a simulation's own figures: the rule must say what summarize says
  const asMeasured = (rate: number): { m: Measured; simVerdict: string | null } => {
    const r = simulate(withRate(s, rate), { duration: 30, warmup: 5, replications: 1, seed: 3 });
    const c = r.classes.get_item;
    const ended = c.counts.completed + c.counts.dropped + c.counts.failed;
    const lat = { mean: c.latencyMs.mean.mean, p50: c.latencyMs.p50.mean, p90: c.latencyMs.p90.mean, p95: c.latencyMs.p95.mean, p99: c.latencyMs.p99.mean, p999: c.latencyMs.p999.mean };
    const m: Measured = {
      engine: "built-in", requestsTotal: ended, scrapes: 10, generator: healthy,
      classes: { get_item: { requests: ended, failed: c.counts.dropped + c.counts.failed, throughput: c.throughput.mean, offeredRate: rate, latencyMs: lat } },
    };
    return { m, simVerdict: summarize(rate, r).failed };
  };
  it("agrees with `headroom capacity`'s verdict below and past the knee", () => {
    const below = asMeasured(120);
    expect(below.simVerdict).toBeNull();
    expect(measuredFailure(s, below.m)).toBeNull();
    const past = asMeasured(240);
    expect(past.simVerdict).not.toBeNull();
    expect(measuredFailure(s, past.m)).toBe(past.simVerdict);
  });
  it("fails on each SLO part: p95 over 200 ms, errors over 1%, a class with no answer", () => {
    const ok = asMeasured(120).m;
    const slow = { ...ok, classes: { get_item: { ...ok.classes.get_item, latencyMs: { ...ok.classes.get_item.latencyMs, p95: 230 } } } };
    expect(measuredFailure(s, slow)).toMatch(/^p95_ms of get_item 230 > 200$/);
    const errs = { ...ok, classes: { get_item: { ...ok.classes.get_item, failed: Math.ceil(ok.classes.get_item.requests * 0.02) } } };
    expect(measuredFailure(s, errs)).toMatch(/^error_rate 0\.02/);
    expect(measuredFailure(s, { ...ok, classes: {} })).toMatch(/of get_item NaN/);
  });
  it("a queue whose workers are over 97% busy is past the knee, as in the capacity search", () => {
    const q = load("scenarios/validation/queue-offload.yaml");
    const lat = { mean: 10, p50: 9, p90: 15, p95: 18, p99: 25, p999: 40 };
    const m: Measured = { engine: "built-in", requestsTotal: 1000, scrapes: 10, generator: healthy, classes: {}, workerUtilization: 0.99 };
    for (const c of Object.keys(q.load.classes)) m.classes[c] = { requests: 500, failed: 0, throughput: 25, offeredRate: 25, latencyMs: lat };
    expect(measuredFailure(q, m)).toMatch(/^queue \w+ saturated \(workers 99% busy\)$/);
    expect(measuredFailure(q, { ...m, workerUtilization: 0.9 })).toBeNull();
    // 95% busy by the gauge, but the backlog grew by more than 5% of the window's arrivals: saturated
    const arriving = { ...m, workerUtilization: 0.95, classes: Object.fromEntries(Object.entries(m.classes).map(([k, c]) => [k, { ...c, offeredRate: 200 }])) };
    expect(measuredFailure(q, { ...arriving, backlogGrowth: 1290 }, 20)).toMatch(/^queue \w+ saturated/);
    expect(measuredFailure(q, { ...arriving, backlogGrowth: 150 }, 20)).toBeNull();
  });
  it("a partitioned queue is judged by its busiest partition's consumer, a plain one by its workers' mean", () => {
    const q = load("scenarios/validation/partitioned-queue.yaml"); // events: 4 partitions, one consumer each
    const workers = [0, 1, 2, 3].map(() => ({ queue: "events" }));
    // the hot partition's consumer always busy, the others half the time: mean 62.5%, busiest 100%
    const scrapes = [0, 1, 2, 3].map((k) => ({ workerBusy: [k % 2, 1, 0.5, k < 2 ? 1 : 0] }));
    const per = queueUtilization(q, workers, scrapes);
    expect(per.events).toBe(1);
    const lat = { mean: 3, p50: 3, p90: 4, p95: 5, p99: 8, p999: 10 };
    const m: Measured = { engine: "built-in", requestsTotal: 1000, scrapes: 10, generator: healthy, classes: { event: { requests: 1000, failed: 0, throughput: 50, offeredRate: 50, latencyMs: lat } }, workerUtilization: 0.625, queueWorkerUtilization: per };
    expect(measuredFailure(q, m)).toMatch(/^queue events saturated \(workers 100% busy\)$/);
    // the same gauges without the per-worker reading: the mean (62.5%) hides the hot partition
    expect(measuredFailure(q, { ...m, queueWorkerUtilization: undefined })).toBeNull();
    // a queue without partitions: its workers' mean
    const plain = load("scenarios/validation/queue-offload.yaml");
    const qn = Object.entries(plain.components).find(([, c]) => c.kind === "queue")![0];
    expect(queueUtilization(plain, [{ queue: qn }, { queue: qn }], [{ workerBusy: [1, 0.5] }, { workerBusy: [1, NaN] }])[qn]).toBeCloseTo(0.75, 12);
  });
});

describe("measureKnee", () => {
  it("a step the reference app cannot run ends the search with an error verdict naming why, no figure", async () => {
    const s = routedStation(); // a station with routing: the reference app refuses it
    const dir = mkdtempSync(join(tmpdir(), "headroom-knee-test-"));
    const prediction = { capacity: { value: 100, ci95: 2, resolution: 2, perSearch: [100] }, bottleneck: "x", limitedBy: null, runs: 9, settings: { duration: 30, warmup: 5, tolerance: 0.02 } } as unknown as CapacityResult;
    try {
      const k = await measureKnee({ file: "scenarios/single-service.yaml", scenario: s, model: s, outDir: dir, durationS: 4, warmupS: 1, prediction });
      expect(k.verdict).toBe("error");
      expect(k.measured.rate).toBeNull();
      expect(k.error).toBeNull();
      expect(k.steps).toHaveLength(1);
      expect(k.steps[0].rate).toBe(80);
      expect(k.message).toMatch(/^the search stopped at 80 req\/s: .*the reference app did not start/);
      const md = kneeSearchMarkdown(k);
      expect(md).toMatch(/predicted 100 ± 2 req\/s .* measured — req\/s .* — \*\*error\*\*/);
      expect(md).toMatch(/\| 1 \| 80 \| \*\*error\*\* \|/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("VALIDATION.md tables", () => {
  const row = (verdict: "pass" | "fail" | "info") => ({ scope: "c", metric: "p50", predicted: 10, measured: 10.5, error: 0.05, errorKind: "relative" as const, target: 0.1, verdict });
  const level = (rate: number, status: "pass" | "fail" | "unreliable", rows = [row("pass"), row("pass")]) => ({ level: 0.3, rate, predictedUtilization: 0.3, bottleneck: "api", targetsApply: true, engine: "built-in", requestsMeasured: 100, rows, status });
  const report = (name: string, kneeSearch?: object) => ({
    schema: "headroom.validation/v1", scenario: { name, file: `${name}.yaml` }, createdAt: "2026-12-02T08:00:00.000Z",
    machine: { host: "vm", cpus: 2, loadAverage: [1, 1, 1], node: "v20" }, durationS: 20, warmupS: 5,
    saturation: { predictedRate: 200, bottleneck: "api", method: "analytic" }, knee: { rule: "r", predicted: { below: null, above: null }, measured: { below: null, above: null } },
    calibration: null, levels: [level(60, "pass"), level(120, "unreliable", [row("pass"), row("fail")])], pass: false, ...(kneeSearch ? { kneeSearch } : {}),
  }) as unknown as ValidationReport;
  it("counts an unreliable level apart and leaves its rows out of the pass and fail counts", () => {
    expect(summary([report("a")])).toBe("1 scenarios, levels: 1 pass, 0 fail, 0 above 80% (no targets), 0 errors, 1 unreliable (load generator lagged; rows not counted); rows with a target: 2 pass, 0 fail.");
    expect(table([report("a")])).toMatch(/\| a \| 0\.3 \| 120 \| 30% \(api\) \| c \| p50 \| 10 \| 10\.5 \| 5\.0% \| \*\*unreliable\*\* \(fail\) \|/);
  });
  it("shows predicted and measured knees as numbers with their steps", () => {
    const k = {
      rule: "r", resolution: { target: 0.05, reached: 0.043 }, target: 0.1, seconds: 127,
      predicted: { rate: 91.2, ci95: 8.1, bottleneck: "api", limitedBy: null, runs: 27, method: "m" },
      measured: { rate: 70, firstFailure: 73 }, error: -0.232, verdict: "fail",
      steps: [{ rate: 73, status: "fail", reason: "p99", seconds: 50 }, { rate: 58, status: "pass", reason: null, seconds: 25 }],
    };
    expect(kneeTable([report("a", k)]).split("\n")[2]).toBe("| a | 91.2 ± 8.1 | 70 | 73 | 4.3% | -23.2% | **fail** | 2 | 127 | 73: fail, 58: pass |");
  });
});
