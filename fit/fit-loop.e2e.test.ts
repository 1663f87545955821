// The loop with a known truth: start fit/fixtures/traced.yaml's reference app with tracing on, drive
// it 40 s with the built-in runner, fit its traces, and compare with what the app was told to do:
// the call structure exactly (every handler's steps, by component kind), the injected service times
// (cv within 10%; mean within 3 standard errors of the draws plus the stack's own share, below), the
// cache hit ratio (within 2 points of Redis' own counts) and the
// offered rate (within 3 standard errors of a Poisson count).
// Then the fitted model is validated at two rates it was not fitted at (25/s and 50/s against the
// traced 40/s; not 55/s: the original's own model puts orders at 77% busy there and a fit from 40 s
// of traces moves that by about 3 points, so 55/s fell past the 80% line, where targets stop, in 2
// of 3 runs; 50/s is 68%): the original YAML with every time replaced by its fit (`fit --update`: no
// hand-written time left; replicas, slots and pools stay the system's own configuration) is the
// model, the reference app started from the original YAML is the system, and every row with a
// target must pass (docs/validation.md's targets).
// The measured figures are printed. A span holds the injected wait and what the stack adds to it
// (the query's round trip, event-loop lag): about 1 ms idle, 5 ms on the loaded 2-core machine, a
// fixed 5% target missed by that in CI (db.read +5.2%, 3 Dec). The reference app marks each query's
// pg_sleep argument on its span (reference-app/tracing.ts), so for the database's operations the
// stack's share is measured in the same spans (mean of duration minus injected wait) and allowed on
// top of 3 standard errors of the draws; the setTimeout waits (handlers, the queue's worker) carry
// no such mark and keep a 5% target (or 3 standard errors, when larger).
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nominalRate, withRate } from "../validation/levels.ts";
import { measureLevel } from "../validation/measure.ts";
import { reportMarkdown } from "../validation/report.ts";
import { validateScenario } from "../validation/run.ts";
import { meanOf, scvOf } from "../simulator/model/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import type { Dist, Scenario } from "../simulator/model/index.ts";
import { classify } from "./classify.ts";
import { fitTraces } from "./pipeline.ts";
import { readTraceFile } from "./read-traces.ts";
import { Notes } from "./span.ts";
import { tracedRun } from "./traced-run.ts";
import { updateScenario } from "./update.ts";
import { INJECTED_WAIT_ATTR } from "../reference-app/injected-wait.ts";
import { writeScenario } from "./write-scenario.ts";

const FILE = "fit/fixtures/traced.yaml";
const dir = mkdtempSync(join(tmpdir(), "headroom-fit-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Steps = ReadonlyArray<Record<string, unknown>>;

/** A handler's steps as text with components named by kind, so fitted and original names compare. */
function shape(steps: Steps | undefined, kinds: Record<string, string>): string {
  return (steps ?? []).map((s) => {
    if ("service" in s) return "service";
    if ("publish" in s) return "publish";
    if ("parallel" in s) return `parallel(${(s["parallel"] as Steps[]).map((f) => shape(f, kinds)).join(" | ")})`;
    if ("branch" in s) return `branch(${(s["branch"] as Array<{ p: number; flow: Steps }>).map((b) => shape(b.flow, kinds)).join(" | ")})`;
    const call = `${kinds[s["call"] as string]}.${(s["op"] as string | undefined) ?? ""}`;
    return "hit" in s || "miss" in s ? `${call}[hit ${shape(s["hit"] as Steps, kinds)}; miss ${shape(s["miss"] as Steps, kinds)}]` : call;
  }).join(", ");
}

function shapes(sc: Scenario): string[] {
  const comps = sc.components as unknown as Record<string, { kind: string; handlers?: Record<string, Steps>; handler?: Steps }>;
  const kinds = Object.fromEntries(Object.entries(comps).map(([n, c]) => [n, c.kind]));
  const classes = sc.load.classes as Record<string, { http?: { method: string; path: string } }>;
  const out: string[] = [];
  for (const c of Object.values(comps)) {
    for (const [cls, steps] of Object.entries(c.handlers ?? {})) out.push(`${c.kind} ${classes[cls]?.http?.method} ${classes[cls]?.http?.path}: ${shape(steps, kinds)}`);
    if (c.kind === "queue") out.push(`queue: ${shape(c.handler, kinds)}`);
  }
  return out.sort();
}

/** Per database operation key (`postgresql.read`): mean seconds a span lasted beyond its injected pg_sleep. */
async function stackShare(traces: string): Promise<Record<string, { spans: number; overheadMs: number }>> {
  const sums: Record<string, { spans: number; s: number }> = {};
  for (const span of (await readTraceFile(traces, new Notes())).spans) {
    const wait = span.attributes[INJECTED_WAIT_ATTR];
    const op = classify(span);
    if (typeof wait !== "number" || op.role !== "database") continue;
    const sum = (sums[`${op.component}.${op.op}`] ??= { spans: 0, s: 0 });
    sum.spans += 1;
    sum.s += (span.end - span.start) / 1e6 - wait;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, { spans: v.spans, overheadMs: Number(((v.s / v.spans) * 1000).toFixed(2)) }]));
}

/** The original YAML with its times replaced by the fit, kept for the second test. */
let fittedText: string | undefined;

describe("fit: reference app traces back to its scenario", () => {
  it("recovers the structure, the service times and the hit ratio", async () => {
    const run = await tracedRun(FILE, dir, "40s");
    expect(run.loadExit).toBe(0);
    const fitted = await fitTraces(run.traces);
    const text = await readFile(FILE, "utf8");
    const original = scenarioOf(text, FILE);

    // Structure: the new scenario's handlers, by component kind, are the original's.
    const written = scenarioOf(writeScenario(fitted.model, "traced", "traces").yaml, "fitted.yaml");
    expect(shapes(written)).toEqual(shapes(original));

    // Parameters: --update on the original, then each fitted distribution against the injected one.
    fittedText = updateScenario(text, FILE, fitted.model).yaml;
    const updated = scenarioOf(fittedText, FILE);
    const at = (sc: Scenario, path: string[]): Dist => path.reduce((o: any, k) => o[k], sc.components) as Dist;
    const rows: Array<{ param: string; n: number; sampling_se: number; injected_mean_ms: number; stack_ms: number | undefined; fitted_mean_ms: number; mean_err: number; mean_tol: number; injected_cv: number; fitted_cv: number; cv_err: number }> = [];
    const stack = await stackShare(run.traces);
    const samples: Record<string, number> = {};
    for (const o of fitted.model.ops) samples[o.node.key] = o.node.times.length;
    const opOf: Record<string, string> = { "api.handlers.get_product.0.service": "api.GET /products/{key}", "api.handlers.create_order.0.service": "api.POST /orders", "db.read": "postgresql.read", "db.write": "postgresql.write" };
    for (const path of [["api", "handlers", "get_product", "0", "service"], ["api", "handlers", "create_order", "0", "service"], ["db", "read"], ["db", "write"], ["orders", "service"]]) {
      const a = at(original, path), b = at(updated, path);
      const cvA = Math.sqrt(scvOf(a)), cvB = Math.sqrt(scvOf(b));
      const key = opOf[path.join(".")] ?? fitted.model.ops.find((o) => o.node.role === "consume")!.node.key;
      // The injected draws' own mean wanders by cv / sqrt(n) (one standard error) around the YAML's.
      const n = samples[key] ?? 0;
      const se = cvA / Math.sqrt(n);
      // the stack's measured share where the spans mark their injected wait, else the 5% allowance
      const stackMs = stack[key]?.overheadMs;
      const tol = stackMs === undefined ? Math.max(0.05, 3 * se) : 3 * se + Math.max(0, stackMs) / (meanOf(a) * 1000);
      rows.push({ param: path.join("."), n, sampling_se: Number(se.toFixed(4)), injected_mean_ms: meanOf(a) * 1000, stack_ms: stackMs, fitted_mean_ms: Number((meanOf(b) * 1000).toFixed(2)), mean_err: Number((meanOf(b) / meanOf(a) - 1).toFixed(4)), mean_tol: Number(tol.toFixed(4)), injected_cv: cvA, fitted_cv: Number(cvB.toFixed(3)), cv_err: Number((cvB / cvA - 1).toFixed(4)) });
    }
    const cache = fitted.model.caches[0]!;
    const truth = run.hits / (run.hits + run.misses);
    console.log(JSON.stringify({ spans: fitted.spansIn, requests: fitted.model.classes.reduce((k, c) => k + c.count, 0), hit_ratio: { traces: cache.hitRatio, redis: truth, gets: cache.gets } }));
    console.table(rows);
    expect(Math.abs(cache.hitRatio - truth)).toBeLessThan(0.02);
    // Arrivals: 40/s offered; a Poisson count over the window has a relative SE of 1/sqrt(n): 3 SE.
    const n = fitted.model.classes.reduce((k, c) => k + c.count, 0);
    console.log(JSON.stringify({ rate: fitted.model.totalRate, offered: 40, classes: fitted.model.classes.map((c) => [c.key, c.count]) }));
    expect(Math.abs(fitted.model.totalRate / 40 - 1)).toBeLessThan(3 / Math.sqrt(n));
    for (const r of rows) {
      expect(Math.abs(r.mean_err), `${r.param} mean`).toBeLessThan(r.mean_tol);
      expect(Math.abs(r.cv_err), `${r.param} cv`).toBeLessThan(0.1);
    }
  });

  it("the fitted model passes the validation targets at two rates it was not fitted at", async () => {
    if (fittedText === undefined) throw new Error("the fit above did not finish");
    const fittedSc = scenarioOf(fittedText, "fitted.yaml");
    const truth = scenarioOf(await readFile(FILE, "utf8"), FILE);
    const report = await validateScenario({
      file: FILE,
      scenario: fittedSc,
      rates: [25, 50],
      durationS: 40, // 35 s judged: create_order at 25/s is ~7.5/s, and its mean (sd ~93 ms a request) needs ~260 requests for 10% to be 2.6 standard errors (25 s missed it in CI, +12%)
      warmupS: 5,
      outDir: join(dir, "levels"),
      calibrate: false,
      // the system measured is the app the original YAML describes, at the level's rate
      measure: (m) => measureLevel({ ...m, scenario: withRate(truth, nominalRate(m.scenario)) }),
      log: (line) => console.log(line),
    });
    console.log(reportMarkdown(report));
    for (const l of report.levels) {
      expect(l.targetsApply, `${l.rate}/s is below 80% predicted utilization`).toBe(true);
      const missed = l.rows.filter((r) => r.verdict === "fail").map((r) => `${r.scope} ${r.metric}: predicted ${r.predicted}, measured ${r.measured}`);
      expect(missed, `${l.rate}/s`).toEqual([]);
      expect(l.status, `${l.rate}/s`).toBe("pass");
    }
  });
});
