// k6's output formats byte for byte where k6 fixes them: NDJSON envelope key order and shapes (k6's
// output/json/wrapper.go), Go's time.Time JSON, the legacy summary export's shape; plus http.batch,
// custom Gauge/Rate/Trend and handleSummary.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { runK6Script } from "./engine.ts";
import { goTimeJSON, resetTimeCache } from "./output/ndjson.ts";
import { goDuration } from "./thresholds.ts";

let srv: TestServer;
let dir: string;
beforeAll(async () => {
  srv = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), "k6out-"));
});
afterAll(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

const SCRIPT = `import http from "k6/http"; import { check } from "k6"; import { Gauge, Rate, Trend } from "k6/metrics";
const g = new Gauge("my_gauge"); const r = new Rate("my_rate"); const t = new Trend("my_trend", true);
export const options = { vus: 1, iterations: 4, thresholds: {
  "http_req_duration{name:a}": ["p(95)<5000"], my_rate: ["rate>0.9"],
  http_reqs: ["count>0", { threshold: "count<1000", abortOnFail: true, delayAbortEval: "90s" }, { threshold: "rate>0", abortOnFail: true }],
} };
export default function () {
  const res = http.batch([["GET", __ENV.T + "/ok", null, { tags: { name: "a" } }], { method: "GET", url: __ENV.T + "/ok" }, __ENV.T + "/status/404"]);
  check(res, { "three": (x) => x.length === 3 && x[2].status === 404 });
  g.add(__ITER * 10); r.add(__ITER % 2 === 0); t.add(__ITER);
}
export function handleSummary(data) {
  return { stdout: "custom summary\\n", [__ENV.OUT + "/handled.json"]: JSON.stringify({ iterations: data.metrics.iterations.values.count }) };
}`;

describe("outputs", () => {
  it("writes NDJSON with k6's envelopes, a legacy summary export, and runs handleSummary", async () => {
    const script = join(dir, "s.js");
    await writeFile(script, SCRIPT);
    let out = "";
    const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
    const r = await runK6Script({ script, env: { T: srv.url, OUT: dir }, jsonOut: join(dir, "o.ndjson"), summaryExport: join(dir, "s.json"), stdout });
    expect(r.exitCode).toBe(99); // my_rate is 0.5, under its threshold
    // k6's last progress line (stdout, as k6 without --quiet), then what handleSummary returned
    expect(out).toMatch(/^running \(\d+\.\ds\), 0\/1 VUs, 4 complete and 0 interrupted iterations\ncustom summary\n$/);
    expect(JSON.parse(await readFile(join(dir, "handled.json"), "utf8"))).toEqual({ iterations: 4 });

    const lines = (await readFile(join(dir, "o.ndjson"), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    const metricLine = lines.find((l) => l.type === "Metric" && l.metric === "http_req_duration");
    // k6's metricEnvelope declares type, data, metric in that order (its sampleEnvelope: metric, type, data)
    expect(Object.keys(metricLine)).toEqual(["type", "data", "metric"]);
    expect(metricLine.data).toEqual({
      name: "http_req_duration",
      type: "trend",
      contains: "time",
      // k6 keys thresholds by the exact name: the {name:a} one belongs to the submetric, not here
      thresholds: [],
      // the thresholds' submetrics first, then the one k6's metrics engine always adds
      submetrics: [
        { name: "http_req_duration{name:a}", suffix: "name:a", tags: { name: "a" } },
        { name: "http_req_duration{expected_response:true}", suffix: "expected_response:true", tags: { expected_response: "true" } },
      ],
    });
    // abortOnFail thresholds are objects (k6's thresholdConfig.MarshalJSON), delayAbortEval as Go prints a Duration
    expect(lines.find((l) => l.type === "Metric" && l.metric === "http_reqs").data.thresholds).toEqual([
      "count>0",
      { threshold: "count<1000", abortOnFail: true, delayAbortEval: "1m30s" },
      { threshold: "rate>0", abortOnFail: true, delayAbortEval: null },
    ]);
    expect(lines.find((l) => l.type === "Metric" && l.metric === "http_req_failed").data).toEqual({
      name: "http_req_failed", type: "rate", contains: "default", thresholds: [], submetrics: null,
    });
    const point = lines.find((l) => l.type === "Point" && l.metric === "http_req_duration" && l.data.tags.name === "a");
    expect(Object.keys(point)).toEqual(["metric", "type", "data"]);
    expect(Object.keys(point.data)).toEqual(["time", "value", "tags"]);
    expect(point.data.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,8}[1-9])?(Z|[+-]\d\d:\d\d)$/);
    // sub-millisecond digits, as k6's time.Now(), for request and iteration samples alike
    for (const metric of ["http_req_duration", "iterations", "my_trend"]) {
      expect(lines.some((l) => l.type === "Point" && l.metric === metric && /\.\d{4,}/.test(l.data.time))).toBe(true);
    }
    expect(point.data.tags).toEqual({
      expected_response: "true", group: "", method: "GET", name: "a", proto: "HTTP/1.1", scenario: "default", status: "200", url: "a", // k6 copies a name tag into url
    });
    expect(Object.keys(point.data.tags)).toEqual([...Object.keys(point.data.tags)].sort());
    // every metric is declared once, before its first point
    const declared = new Set<string>();
    for (const l of lines) {
      if (l.type === "Metric") {
        expect(declared.has(l.metric)).toBe(false);
        declared.add(l.metric);
      } else expect(declared.has(l.metric)).toBe(true);
    }
    expect(lines.filter((l) => l.type === "Point" && l.metric === "http_reqs").length).toBe(12);

    const exp = JSON.parse(await readFile(join(dir, "s.json"), "utf8"));
    expect(Object.keys(exp)).toEqual(["root_group", "metrics"]);
    expect(Object.keys(exp.root_group)).toEqual(["name", "path", "id", "groups", "checks"]);
    expect(exp.root_group.checks.three).toEqual({ name: "three", path: "::three", id: expect.stringMatching(/^[0-9a-f]{32}$/), passes: 4, fails: 0 });
    expect(exp.metrics.my_gauge).toEqual({ value: 30, min: 0, max: 30 });
    expect(exp.metrics.my_rate).toEqual({ passes: 2, fails: 2, thresholds: { "rate>0.9": true }, value: 0.5 });
    expect(Object.keys(exp.metrics.my_trend)).toEqual(["avg", "min", "med", "max", "p(90)", "p(95)"]);
    expect(exp.metrics.my_trend.med).toBe(1.5);
    expect(exp.metrics.http_reqs.count).toBe(12);
    expect(exp.metrics["http_req_duration{name:a}"].thresholds).toEqual({ "p(95)<5000": false });
    expect(exp.metrics.http_req_failed.value).toBeCloseTo(4 / 12, 9);
  });
});

describe("Go's formats", () => {
  it("times as Go marshals a local time.Time: RFC3339Nano, trailing zeros trimmed, the zone's offset or Z", () => {
    const saved = process.env.TZ;
    try {
      process.env.TZ = "UTC";
      resetTimeCache();
      expect(goTimeJSON(Date.UTC(2026, 10, 28, 1, 2, 3, 123) + 0.5)).toBe("2026-11-28T01:02:03.1235Z");
      expect(goTimeJSON(Date.UTC(2026, 10, 28, 1, 2, 3, 120))).toBe("2026-11-28T01:02:03.12Z");
      expect(goTimeJSON(Date.UTC(2026, 10, 28, 1, 2, 4))).toBe("2026-11-28T01:02:04Z");
      // 0.25 ms = 250000 ns: nine digits before trimming
      expect(goTimeJSON(Date.UTC(2026, 10, 28, 1, 2, 5) + 0.25)).toBe("2026-11-28T01:02:05.00025Z");
      process.env.TZ = "Asia/Kolkata";
      resetTimeCache();
      expect(goTimeJSON(Date.UTC(2026, 10, 28, 1, 2, 3, 500))).toBe("2026-11-28T06:32:03.5+05:30");
      process.env.TZ = "America/New_York";
      resetTimeCache();
      expect(goTimeJSON(Date.UTC(2026, 0, 1, 12))).toBe("2026-01-01T07:00:00-05:00");
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
      resetTimeCache();
    }
  });

  it("durations as Go's time.Duration.String()", () => {
    expect([goDuration(10_000), goDuration(90_000), goDuration(3_600_000), goDuration(1500), goDuration(500), goDuration(0.25)]).toEqual([
      "10s", "1m30s", "1h0m0s", "1.5s", "500ms", "250µs",
    ]);
  });
});
