// The built-in runner in a process of its own (runLoad's builtInChild, as validate's driveLoad runs
// it): the same files and accounting as in-process (every arrival of the realization started or
// dropped, every started one sent and seen by the target), the NDJSON tails (first sample, live
// intervals) still fed from its one file, its own loop's lag returned, and a failure said clearly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./testing/server.ts";
import { readK6Results } from "./ingest/ingest.ts";
import { runLoad } from "./harness.ts";
import { runBuiltInChild } from "./child-runner.ts";
import type { MeasuredInterval } from "./ingest/intervals.ts";
import { loadScenarioFile } from "../shared/load-scenario.ts";

let srv: TestServer;
let dir: string;
const YAML = `version: 1
name: child_test
seed: 7
load:
  model: open
  rate: 80/s
  classes:
    get: { http: { method: GET, path: "/items/{key}" }, keys: { count: 20 }, flow: [api] }
components:
  api: { kind: station, servers: 4, service: 5ms }
`;

beforeAll(async () => {
  srv = await startTestServer({ latencyMs: 2 });
  dir = await mkdtemp(join(tmpdir(), "child-runner-"));
  await writeFile(join(dir, "s.yaml"), YAML);
});
afterAll(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the built-in runner in its own process", () => {
  it("accounts for every arrival as in-process does, feeds the NDJSON tails and returns its own loop lag", async () => {
    const scenario = await loadScenarioFile(join(dir, "s.yaml"));
    const started0 = Date.now();
    const before = srv.requests;
    const firsts: number[] = [];
    const intervals: MeasuredInterval[] = [];
    const child = await runLoad({
      scenario, source: join(dir, "s.yaml"), target: srv.url, outDir: join(dir, "child"), plan: { durationS: 4 }, engine: "built-in",
      builtInChild: true, onFirstSample: (t) => firsts.push(t), onInterval: (iv) => intervals.push(iv),
    });
    const seen = srv.requests - before;
    expect(child.exitCode).toBe(0);
    expect(child.engine).toBe("built-in");
    expect(child.written).toEqual([child.ndjsonPath, child.summaryPath]);
    // the child's own loop lag (the in-process run below has none: its lag is the caller's)
    expect(child.loopLag).toBeDefined();
    expect(Number.isFinite(child.loopLag!.p99) && child.loopLag!.p99 >= 0).toBe(true);
    expect(child.loopLag!.max).toBeGreaterThanOrEqual(child.loopLag!.p99);
    const nd = await readK6Results(child.ndjsonPath);
    const n = nd.metrics.http_reqs.values.count;
    // Poisson 80/s over 4 s: 320 +/- 4 sd
    expect(Math.abs(n - 320)).toBeLessThanOrEqual(4 * Math.sqrt(320));
    expect(child.arrivals!.started + child.arrivals!.dropped).toBe(child.arrivals!.scheduled);
    expect(child.arrivals!.started).toBe(n);
    expect(seen).toBe(n);
    // the load's t = 0 from the child's file, once, within the run
    expect(firsts.length).toBe(1);
    expect(firsts[0]!).toBeGreaterThanOrEqual(started0);
    expect(firsts[0]!).toBeLessThanOrEqual(Date.now());
    // the live seconds add up to the requests in the file
    const live = intervals.reduce((x, iv) => x + Object.values(iv.classes).reduce((y, c) => y + c.throughput * iv.intervalS, 0), 0);
    expect(intervals.length).toBeGreaterThanOrEqual(4);
    expect(Math.round(live)).toBe(n);

    // the same realization in-process: the same schedule, the same accounting
    const own = await runLoad({ scenario, source: join(dir, "s.yaml"), target: srv.url, outDir: join(dir, "own"), plan: { durationS: 4 }, engine: "built-in" });
    expect(own.exitCode).toBe(0);
    expect(own.loopLag).toBeUndefined();
    expect(own.arrivals!.scheduled).toBe(child.arrivals!.scheduled);
    expect(own.arrivals!.started + own.arrivals!.dropped).toBe(own.arrivals!.scheduled);
    const plan = (p: string) => readFile(join(dir, p, "plan.json"), "utf8");
    expect(await plan("child")).toBe(await plan("own"));
  }, 60_000);

  it("a child that fails says its exit code, what it means and its last stderr lines", async () => {
    const script = join(dir, "bad.js");
    await writeFile(script, `export default function () { throw new Error("boom in the script"); }\nthrow new Error("init failed here");\n`);
    const r = await runBuiltInChild({ scriptPath: script, ndjsonPath: join(dir, "bad.ndjson"), summaryPath: join(dir, "bad.json"), env: {}, allowedOrigins: [srv.url], lagPath: join(dir, "bad-lag.json"), maxRunMs: 30_000 });
    expect(r.exitCode).not.toBe(0);
    expect(r.message).toMatch(new RegExp(`^the built-in runner's process exited with code ${r.exitCode} \\(`));
    expect(r.message).toContain("init failed here");
  }, 60_000);
});
