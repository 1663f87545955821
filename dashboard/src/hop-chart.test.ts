// The "where the time goes" bars: one row per class from a real run's per-hop figures, segments in
// the scenario's component order with the network last, adding up to the class's mean latency.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { hopRows, hopsMismatch } from "./hops.ts";

const text = readFileSync(new URL("../../scenarios/read-replicas.yaml", import.meta.url), "utf8");
const slow = readFileSync(new URL("../../scenarios/validation/dynamic/slow-dependency.yaml", import.meta.url), "utf8");

describe("hopRows", () => {
  test("read-replicas: api and db per class in the scenario's order, adding up to the mean", () => {
    const r = simulate(scenarioOf(text, "read-replicas.yaml"), { duration: 30, replications: 2, hops: true });
    const { rows, segments } = hopRows(r);
    expect(rows.map((x) => x.cls)).toEqual(["get_product", "create_order"]);
    expect(segments.at(-1)!.key).toBe("network");
    const comps = [...new Set(segments.map((s) => s.component).filter((c) => c !== null))];
    // in the scenario's order (the balancer only where requests waited for a connection)
    expect(comps.filter((c) => c !== "lb")).toEqual(["api", "db"]);
    for (const row of rows) expect(Math.abs(row.sumMs - row.meanMs) / row.meanMs, row.cls).toBeLessThan(0.01);
  });

  test("a link: the cache's transfers are their own segment after its service, and the bars add up", () => {
    const cache = readFileSync(new URL("../../scenarios/validation/cache-link.yaml", import.meta.url), "utf8");
    const { rows, segments } = hopRows(simulate(scenarioOf(cache, "cache-link.yaml"), { duration: 30, replications: 2, hops: true }));
    const keys = segments.map((s) => s.key);
    expect(keys.indexOf("meta link")).toBe(keys.indexOf("meta service") + 1);
    expect(keys).not.toContain("api link"); // no bandwidth on the api
    const [row] = rows;
    expect(row.parts["meta link"]).toBeGreaterThan(10); // 20 KB on 2 MB/s, 40% busy: about 17 ms
    expect(Math.abs(row.sumMs - row.meanMs) / row.meanMs).toBeLessThan(0.01);
    expect(hopsMismatch(row)).toBeNull();
  });

  test("a result without hops (the CLI's, an opened file) has no rows", () => {
    expect(hopRows(simulate(scenarioOf(text, "read-replicas.yaml"), { duration: 10, replications: 1 })).rows).toEqual([]);
  });

  test("hops that add up to the mean carry no note", () => {
    const { rows } = hopRows(simulate(scenarioOf(text, "read-replicas.yaml"), { duration: 30, replications: 2, hops: true }));
    for (const r of rows) expect(hopsMismatch(r), r.cls).toBeNull();
  });

  test("slow-dependency: over a third of the requests fail, and the bars are still the completed requests' mean (no note)", () => {
    const r = simulate(scenarioOf(slow, "slow-dependency.yaml"), { replications: 1, hops: true });
    const [row] = hopRows(r).rows;
    const c = r.classes.get_item.counts;
    expect(row.failedShare).toBeCloseTo((c.failed + c.dropped) / (c.completed + c.failed + c.dropped), 12);
    expect(row.failedShare).toBeGreaterThan(0.3);
    // the failed requests' time was on the bars before hop ledgers: 1.7 s of hops against a 65 ms mean
    expect(Math.abs(row.sumMs - row.meanMs) / row.meanMs).toBeLessThan(0.01);
    expect(hopsMismatch(row)).toBeNull();
  });

  test("a fan-out's hops add up to more than its mean, and the note says why", () => {
    const note = hopsMismatch({ cls: "x", meanMs: 10, sumMs: 16, parts: {}, failedShare: 0 })!;
    expect(note).toContain("16 ms against a mean of 10 ms");
    expect(note).toContain("fan-out");
  });
});
