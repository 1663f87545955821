// Ingestion of k6 results, with fixtures written from k6's documentation of both formats, and a round
// trip through the built-in runner's own outputs.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { readK6Results, readNdjson, readSummaryExport, parseK6Time } from "./ingest.ts";

const fx = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url));

describe("k6 result ingestion", () => {
  it("parses Go RFC3339Nano times with zone offsets to the microsecond", () => {
    expect(parseK6Time("2017-05-09T14:34:45.625742514+02:00")).toBeCloseTo(Date.UTC(2017, 4, 9, 12, 34, 45, 625) + 0.742514, 3);
    expect(parseK6Time("2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1));
  });

  it("reads the NDJSON stream from k6's docs: metrics, per-class latency, thresholds, checks", async () => {
    const r = await readNdjson(fx("k6-docs.ndjson"));
    expect(r.format).toBe("ndjson");
    expect(r.metrics.vus).toEqual({ type: "gauge", values: { value: 5, min: 5, max: 5 } });
    expect(r.metrics.http_req_duration.values.avg).toBeCloseTo(1000, 6);
    expect(r.metrics.http_req_duration.values.med).toBeCloseTo(1000, 6);
    expect(r.metrics.http_reqs.values.count).toBe(2);
    expect(r.metrics.http_req_failed.values).toEqual({ rate: 0.5, passes: 1, fails: 1 });
    const cls = r.classes!["https://httpbin.test.k6.io/get"];
    expect(cls.requests).toBe(2);
    expect(cls.failed).toBe(1);
    expect(cls.latency.max).toBeCloseTo(1540.134271, 6);
    expect(r.requestsPerSecond).toEqual([1, 1]);
    expect(r.thresholds).toEqual([
      { metric: "http_req_duration", threshold: "avg<1000", ok: false },
      { metric: "http_req_failed", threshold: "rate<0.01", ok: false },
    ]);
    expect(r.checks).toEqual([{ path: "::my group::json::status is 200", name: "status is 200", passes: 1, fails: 1 }]);
  });

  it("reads a --summary-export file from k6's docs and tells the formats apart by content", async () => {
    const r = await readK6Results(fx("k6-docs-summary.json"));
    expect(r.format).toBe("summary-export");
    expect(r.metrics.http_req_duration).toEqual({
      type: "trend",
      values: { avg: 104.073, min: 100.2, med: 103.4, max: 110.9, "p(90)": 109.4, "p(95)": 110.1 },
    });
    expect(r.metrics.checks).toEqual({ type: "rate", values: { passes: 3, fails: 1, rate: 0.75 } });
    expect(r.metrics.http_reqs.type).toBe("counter");
    expect(r.metrics.vus.type).toBe("gauge");
    expect(r.thresholds).toEqual([
      { metric: "http_req_duration", threshold: "p(95)<500", ok: true },
      { metric: "http_req_failed", threshold: "rate<0.01", ok: false },
    ]);
    expect(r.checks).toEqual([{ path: "::status is 200", name: "status is 200", passes: 3, fails: 1 }]);
    expect((await readK6Results(fx("k6-docs.ndjson"))).format).toBe("ndjson");
  });

  it("judges a submetric threshold on the submetric's points: the parent fails p(95)<100, {name:fast} passes", async () => {
    // k6's shape: the Metric line carries only the parent's thresholds; per-class ones come from the script
    const path = fx("submetric-thresholds.ndjson");
    const r = await readNdjson(path, {
      thresholds: { "http_req_duration{name:fast}": ["p(95)<100", "p(99.9)<40"], "http_req_duration{name:slow}": [{ threshold: "p(95)<100", abortOnFail: true }] },
    });
    // fast: 20, 22, ..., 38 ms; slow: 501, 503, ..., 519 ms
    expect(r.metrics["http_req_duration{name:fast}"].values["p(95)"]).toBeCloseTo(37.1, 9);
    expect(r.metrics["http_req_duration{name:fast}"].values.max).toBe(38);
    expect(r.metrics["http_req_duration{name:slow}"].values.min).toBe(501);
    expect(r.metrics.http_req_duration.values["p(95)"]).toBeCloseTo(517.1, 9);
    expect(r.thresholds).toEqual([
      { metric: "http_req_duration", threshold: "p(95)<100", ok: false },
      { metric: "http_req_duration{name:fast}", threshold: "p(95)<100", ok: true },
      // p(99.9) of fast is 37.982: any percentile is computed, not only those in `metrics`
      { metric: "http_req_duration{name:fast}", threshold: "p(99.9)<40", ok: true },
      { metric: "http_req_duration{name:slow}", threshold: "p(95)<100", ok: false },
    ]);
    // without the script's thresholds only the parent's, from the Metric line, are judged
    expect((await readK6Results(path)).thresholds).toEqual([{ metric: "http_req_duration", threshold: "p(95)<100", ok: false }]);
  });

  it("counts a paginated class's walks, not its pages: the first page is the request, the walk's time its latency", async () => {
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(`${tmpdir()}/ingest-walk-`);
    try {
      const line = (metric: string, value: number, s: number, tags: Record<string, string>) =>
        JSON.stringify({ type: "Point", metric, data: { time: `2026-01-01T00:00:0${s}Z`, value, tags } });
      const lines: string[] = [JSON.stringify({ type: "Metric", metric: "http_reqs", data: { type: "counter", contains: "default", thresholds: [], submetrics: null } })];
      // 4 walks of 3 pages (10 ms a page, the walk 31 ms); the last walk fails on its 2nd page and stops
      for (let w = 0; w < 4; w++) {
        const pages = w === 3 ? 2 : 3;
        for (let p = 1; p <= pages; p++) {
          const tags = { name: "album", page: String(p) };
          lines.push(line("http_reqs", 1, w, tags), line("http_req_duration", 10, w, tags), line("http_req_failed", w === 3 && p === 2 ? 1 : 0, w, tags));
        }
        lines.push(line("headroom_walk_duration", w === 3 ? 21 : 31, w, { name: "album" }));
      }
      // a class without pages beside it
      lines.push(line("http_reqs", 1, 1, { name: "one" }), line("http_req_duration", 5, 1, { name: "one" }), line("http_req_failed", 0, 1, { name: "one" }));
      await writeFile(`${dir}/walks.json`, lines.join("\n") + "\n");
      const r = await readNdjson(`${dir}/walks.json`);
      expect(r.classes!.album).toMatchObject({ requests: 4, failed: 1, latency: { min: 21, max: 31 } });
      expect(r.classes!.one).toMatchObject({ requests: 1, failed: 0, latency: { min: 5, max: 5 } });
      // pages are still k6's http_reqs; the per-second count is of requests (walks)
      expect(r.metrics.http_reqs.values.count).toBe(12);
      expect(r.requestsPerSecond).toEqual([1, 2, 1, 1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("names the line of a broken NDJSON file", async () => {
    const { writeFile, mkdtemp, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const dir = await mkdtemp(`${tmpdir()}/k6ingest-`);
    try {
      await writeFile(`${dir}/bad.json`, '{"type":"Metric","data":{"type":"counter"},"metric":"x"}\nnot json\n');
      await expect(readNdjson(`${dir}/bad.json`)).rejects.toThrow(/bad\.json:2: not a JSON line/);
      await expect(readSummaryExport(`${dir}/bad.json`)).rejects.toThrow(/not a JSON summary export/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
