// One test split into two execution segments (two built-in runner engines side by side, as two
// generators would run it) and merged: the same arrivals and requests as one generator at the same
// total rate, percentiles alike, thresholds judged on the merged data, every Point line kept.
import { afterAll, beforeAll, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runK6Script } from "./runner/engine.ts";
import { mergeSegments } from "./merge-segments.ts";
import { equalSegment, equalSequence } from "./runner/segment.ts";
import { startTestServer, type TestServer } from "./testing/server.ts";

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ latencyMs: 20 });
  dir = await mkdtemp(join(tmpdir(), "k6seg-"));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const RATE = 60;
const SECONDS = 3;
// each part alone sends about half of RATE x SECONDS requests: the count threshold (three quarters of
// them) passes only merged, with room for the few iterations a loaded machine drops (at load 5, on
// 4 Dec, "count>=178" failed merged)
const MIN_COUNT = Math.floor(RATE * SECONDS * 0.75);
const options = {
  scenarios: { open: { executor: "constant-arrival-rate", rate: RATE, timeUnit: "1s", duration: `${SECONDS}s`, preAllocatedVUs: 10, maxVUs: 20 } },
  thresholds: { http_reqs: [`count>=${MIN_COUNT}`], "http_req_duration{name:a}": ["p(95)<5000"] },
};
const SCRIPT = `import http from "k6/http"; import { check } from "k6";
export const options = ${JSON.stringify(options)};
export default function () { const r = http.get(__ENV.T + "/ok", { tags: { name: "a" } }); check(r, { "is 200": (x) => x.status === 200 }); }`;

async function run(name: string, segment?: string) {
  const script = join(dir, "script.js");
  await writeFile(script, SCRIPT);
  const out = { ndjson: join(dir, `${name}.ndjson`), summary: join(dir, `${name}.json`) };
  const r = await runK6Script({
    script, env: { T: server.url }, jsonOut: out.ndjson, summaryExport: out.summary, maxRunMs: 60_000,
    overrides: segment ? { executionSegment: segment, executionSegmentSequence: equalSequence(2) } : {},
  });
  return { ...out, r };
}

it("two segments merged equal one generator: counts exact, percentiles alike, thresholds on the merged data", async () => {
  const whole = await run("whole");
  const [p0, p1] = await Promise.all([run("p0", equalSegment(0, 2)), run("p1", equalSegment(1, 2))]);
  // alone, each part fails the count threshold (it sent half)
  expect(p0.r.exitCode).toBe(99);
  expect(p1.r.exitCode).toBe(99);
  const merged = await mergeSegments([p0, p1], options, join(dir, "merged.ndjson"), join(dir, "merged.json"));
  const m = JSON.parse(await readFile(join(dir, "merged.json"), "utf8")).metrics;
  const w = JSON.parse(await readFile(whole.summary, "utf8")).metrics;
  const started = (x: any) => x.iterations.count + (x.dropped_iterations?.count ?? 0);
  // a constant-arrival-rate schedules exactly RATE x SECONDS starts, split 50/50 by the stripes
  expect(started(w)).toBe(RATE * SECONDS);
  expect(started(m)).toBe(RATE * SECONDS);
  expect(Math.abs(p0.r.summary.metrics.iterations.values.count - p1.r.summary.metrics.iterations.values.count)).toBeLessThanOrEqual(1);
  expect(m.http_reqs.count).toBe(m.iterations.count);
  expect(m.checks.passes).toBe(m.http_reqs.count);
  expect(merged.thresholds.every((t) => t.ok)).toBe(true);
  expect(m.http_reqs.thresholds[`count>=${MIN_COUNT}`]).toBe(false); // legacy export: false = not failed
  // the same target latency (20 ms) seen by one or two generators: medians within 30%
  expect(Math.abs(m.http_req_duration.med - w.http_req_duration.med) / w.http_req_duration.med).toBeLessThan(0.3);
  expect(m.http_req_duration.med).toBeGreaterThanOrEqual(20);
  expect(m["http_req_duration{name:a}"].med).toBe(m.http_req_duration.med);
  // every Point line of both parts, in time order, each Metric line once
  const lines = (f: string) => readFile(f, "utf8").then((t) => t.split("\n").filter(Boolean));
  const [l0, l1, lm] = await Promise.all([lines(p0.ndjson), lines(p1.ndjson), lines(join(dir, "merged.ndjson"))]);
  const pointsOf = (ls: string[]) => ls.filter((l) => l.includes('"type":"Point"'));
  expect(pointsOf(lm).length).toBe(pointsOf(l0).length + pointsOf(l1).length);
  expect(merged.points).toBe(pointsOf(lm).length);
  expect(new Set(pointsOf(lm))).toEqual(new Set([...pointsOf(l0), ...pointsOf(l1)]));
  const metricNames = lm.filter((l) => l.startsWith('{"type":"Metric"')).map((l) => JSON.parse(l).metric);
  expect(metricNames.length).toBe(new Set(metricNames).size);
  const times = pointsOf(lm).map((l) => Date.parse(JSON.parse(l).data.time));
  expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
});
