// runWithSeries (replications.ts), the worker's run for the charts: its result is simulate()'s to
// the byte (series only observe), each replication's series is its own, and replication 0's
// intervals are offered while it runs, growing, throttled, and equal to its final series; with
// peeks, the interval in progress too, flagged, from the first.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { runWithSeries } from "./replications.ts";

const s = scenarioOf(readFileSync(new URL("../../scenarios/cache-aside.yaml", import.meta.url), "utf8"), "cache-aside.yaml");

describe("runWithSeries", () => {
  test("the result is simulate()'s bytes; one series per replication; partials grow to replication 0's series", () => {
    const o = { duration: 40, replications: 3, hops: true };
    const partials: number[] = [];
    let last: ReturnType<typeof JSON.stringify> = "";
    let clock = 0;
    const progress: number[] = [];
    const run = runWithSeries(s, o, {
      onPartial: (series) => { partials.push(series.t.length); last = JSON.stringify(series); },
      onProgress: (f) => progress.push(f),
      // a clock that moves 100 ms per call: with everyMs 250, about one interval in three is offered
      now: () => (clock += 100),
      everyMs: 250,
    });
    expect(JSON.stringify(run.result)).toBe(JSON.stringify(simulate(s, o)));
    expect(run.replicationSeries).toHaveLength(3);
    expect(run.replicationSeries[0]).toEqual(run.result.series);
    expect(run.replicationSeries[1].offered).not.toEqual(run.replicationSeries[0].offered);
    // 40 intervals of 1 s: the first two at once (two points are the first line), then every third
    // (the throttle), all from replication 0, then replication 0 whole
    expect(partials.slice(0, 2)).toEqual([1, 2]);
    expect(partials.length).toBeGreaterThan(10);
    expect(partials.length).toBeLessThan(20);
    for (let i = 1; i < partials.length - 1; i++) expect(partials[i]).toBeGreaterThan(partials[i - 1]);
    // once replication 0 is done it is offered whole (the throttle may have held back its end):
    // the last snapshot is its final series
    expect(partials.at(-1)).toBe(40);
    expect(last).toBe(JSON.stringify(run.result.series));
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
  });

  test("with peeks: the interval in progress comes first, flagged, between whole intervals; the result unchanged", () => {
    // 10 s intervals, as one-million-users': a peek is the only way to a point before 10 s
    const text = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8").replace("warmup: 15s", "warmup: 15s\n  interval: 10s");
    const ss = scenarioOf(text, "single-service.yaml");
    const o = { duration: 60, replications: 2 };
    const seen: Array<{ n: number; t: number; inProgress: boolean }> = [];
    let clock = 0;
    const run = runWithSeries(ss, o, {
      onPartial: (series, inProgress) => seen.push({ n: series.t.length, t: series.t.at(-1)!, inProgress }),
      now: () => (clock += 10),
      peekEveryMs: 10,
    });
    expect(JSON.stringify(run.result)).toBe(JSON.stringify(simulate(ss, o)));
    // the first offer is a peek at the first interval, well before its end
    expect(seen[0].inProgress).toBe(true);
    expect(seen[0].n).toBe(1);
    expect(seen[0].t).toBeLessThan(10);
    // peeks sit inside the interval after the last whole one; whole intervals end on 10 s steps
    for (const x of seen) {
      if (x.inProgress) expect(x.t).toBeGreaterThan((x.n - 1) * 10);
      if (x.inProgress) expect(x.t).toBeLessThanOrEqual(x.n * 10);
      else expect(x.t).toBe(x.n * 10);
    }
    expect(seen.filter((x) => x.inProgress).length).toBeGreaterThan(5);
    expect(seen.at(-1)).toEqual({ n: 6, t: 60, inProgress: false });
  });
});
