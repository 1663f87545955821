// The live dashboard's per-second reading of a k6 NDJSON stream (intervals.ts) against counts and
// percentiles worked out by hand: requests and failures per class per second, a paginated class
// counted once per walk with the walk's time as its latency, offered = iterations + dropped, and an
// interval handed out only once samples GRACE_MS past its end were seen (or at the end).
import { describe, expect, test } from "vitest";
import { IntervalAggregator, GRACE_MS } from "./intervals.ts";

const T0 = Date.parse("2026-12-03T10:00:00Z");
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const point = (metric: string, ms: number, value: number, tags: Record<string, string> = {}) => ({ type: "Point", metric, data: { time: iso(ms), value, tags } });

describe("IntervalAggregator", () => {
  test("per-second figures by hand", () => {
    const a = new IntervalAggregator();
    a.add({ type: "Metric", metric: "http_reqs", data: {} });
    a.add(point("vus", 0, 1)); // the first sample: time 0 of the intervals
    // second 0: get 10, 20, 30, 40 ms (one failed), one dropped arrival; second 1: one 50 ms
    [10, 20, 30, 40].forEach((d, i) => {
      a.add(point("iterations", 100 + i * 200, 1));
      a.add(point("http_reqs", 100 + i * 200, 1, { name: "get" }));
      a.add(point("http_req_duration", 100 + i * 200, d, { name: "get" }));
      a.add(point("http_req_failed", 100 + i * 200, i === 3 ? 1 : 0, { name: "get" }));
    });
    a.add(point("dropped_iterations", 900, 1));
    a.add(point("http_reqs", 1500, 1, { name: "get" }));
    a.add(point("http_req_duration", 1500, 50, { name: "get" }));
    expect(a.take()).toEqual([]); // nothing seen past 1 s + grace yet
    a.add(point("vus", 1000 + GRACE_MS + 1, 4));
    const [first, ...rest] = a.take();
    expect(rest).toEqual([]);
    expect(first.t).toBe(1);
    expect(first.offered).toBe(5);
    // k6's percentile over 10, 20, 30, 40: rank p/100 x 3
    const { p99Ms, ...get } = first.classes.get;
    expect(get).toEqual({ throughput: 4, errors: 1, p50Ms: 25, p95Ms: 38.5 });
    expect(p99Ms).toBeCloseTo(39.7, 9); // 30 + 0.97 x 10, up to the double's rounding
    const last = a.take(true);
    expect(last.map((iv) => iv.t)).toEqual([2, 3]);
    expect(last[0].classes.get).toEqual({ throughput: 1, errors: 0, p50Ms: 50, p95Ms: 50, p99Ms: 50 });
    expect(last[1].classes).toEqual({}); // the vus sample's second: no request
  });

  test("a paginated class: one request per walk, the walk's time its latency", () => {
    const a = new IntervalAggregator();
    for (const page of ["1", "2", "3"]) {
      a.add(point("http_reqs", 100, 1, { name: "list", page }));
      a.add(point("http_req_duration", 100, 5, { name: "list", page }));
    }
    a.add(point("headroom_walk_duration", 110, 16, { name: "list" }));
    const [iv] = a.take(true);
    expect(iv.classes.list.throughput).toBe(1);
    expect(iv.classes.list.p95Ms).toBe(16);
  });

  test("a sample older than an interval already handed out counts in the next open one", () => {
    const a = new IntervalAggregator();
    a.add(point("http_reqs", 0, 1, { name: "get" }));
    a.add(point("vus", 1000 + GRACE_MS + 1, 1));
    expect(a.take().map((iv) => iv.classes.get?.throughput)).toEqual([1]);
    a.add(point("http_reqs", 500, 1, { name: "get" }));
    expect(a.take(true).map((iv) => iv.classes.get?.throughput ?? 0)).toEqual([1, 0]);
  });
});
