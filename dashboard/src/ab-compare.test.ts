// Paired A/B differences from real runs of single-service (8 servers of 20 ms at 300 req/s, 75%
// busy) against the same model with 12 servers, both with A's seed: the run made replication by
// replication is the run simulate() makes; the paired interval is Student's t over the paired
// differences, checked by hand; with common random numbers the busy time is nearly the same in A
// and B, so the utilization falls by about a third of A's and its paired interval is far tighter
// than the two runs' intervals combined as if they were independent (about 0.28 of it; the
// throughput's, from the same arrivals, under 0.1); A against itself differs by exactly 0, not
// significant.
import { describe, expect, test } from "vitest";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { pairedRows, t975 } from "./ab-compare.ts";
import { runByReplication } from "./replications.ts";
import text from "../../scenarios/single-service.yaml?raw";

const A = scenarioOf(text, "single-service.yaml");
const B = scenarioOf(text.replace("servers: 8", "servers: 12"), "b.yaml");
const opts = { replications: 5, duration: 40, warmup: 5, seed: A.seed };
const a = runByReplication(A, opts);
const b = runByReplication(B, opts);

describe("a run replication by replication", () => {
  test("is the run simulate() makes, and each replication's result is one replication alone", () => {
    expect(JSON.stringify(a.result)).toBe(JSON.stringify(simulate(A, opts)));
    expect(a.replications).toHaveLength(5);
    for (const r of a.replications) expect(r.run.replications).toBe(1);
    // the run's estimate is the mean of the replications' values
    const mean = a.replications.reduce((s, r) => s + r.components.api.utilization.mean, 0) / 5;
    expect(a.result.components.api.utilization.mean).toBeCloseTo(mean, 12);
  });
});

describe("paired differences", () => {
  const rows = pairedRows(a.replications, b.replications);
  const row = (m: string) => rows.find((r) => r.metric === m)!;

  test("A and B are the runs' means, Δ their difference, the interval t(4) x sd / sqrt(5) of the paired differences", () => {
    const u = row("api utilization");
    expect(u.pairs).toBe(5);
    expect(u.a).toBeCloseTo(a.result.components.api.utilization.mean, 12);
    expect(u.b).toBeCloseTo(b.result.components.api.utilization.mean, 12);
    expect(u.delta).toBeCloseTo(u.b - u.a, 12);
    const d = a.replications.map((r, i) => b.replications[i].components.api.utilization.mean - r.components.api.utilization.mean);
    const m = d.reduce((s, x) => s + x, 0) / 5;
    const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / 4);
    expect(u.ci95).toBeCloseTo((2.776 * sd) / Math.sqrt(5), 12); // t(0.975, 4 df) = 2.776
  });

  test("8 -> 12 servers: utilization falls by a third of A's (same busy time on 1.5x the servers), significantly", () => {
    const u = row("api utilization");
    expect(u.a).toBeGreaterThan(0.72);
    expect(u.a).toBeLessThan(0.78);
    expect(u.delta / u.a).toBeCloseTo(-1 / 3, 2);
    expect(u.significant).toBe(true);
    expect(row("get_product p99").delta).toBeLessThan(0);
    expect(row("get_product p99").significant).toBe(true);
  });

  test("common random numbers: paired intervals narrower than the runs' intervals combined as if independent", () => {
    const unpaired = (ea: { ci95: number | null }, eb: { ci95: number | null }) => Math.hypot(ea.ci95!, eb.ci95!);
    // d_i = -u_A,i / 3 nearly, so sd(d) = sd(u_A) / 3 against sqrt(1 + (2/3)^2) sd(u_A): a ratio near 0.28
    const u = unpaired(a.result.components.api.utilization, b.result.components.api.utilization);
    expect(row("api utilization").ci95!).toBeLessThan(0.5 * u);
    // the same arrivals in both: throughputs differ only by the requests in flight at the window's ends
    const tp = unpaired(a.result.classes.get_product.throughput, b.result.classes.get_product.throughput);
    expect(row("get_product throughput").ci95!).toBeLessThan(0.1 * tp);
    // latencies: positively correlated through the shared arrivals and service times
    for (const q of ["p50", "p95", "p99"] as const) {
      expect(row(`get_product ${q}`).ci95!, q).toBeLessThan(unpaired(a.result.classes.get_product.latencyMs[q], b.result.classes.get_product.latencyMs[q]));
    }
  });

  test("A against itself: every difference exactly 0, none significant", () => {
    for (const r of pairedRows(a.replications, a.replications)) {
      if (r.pairs === 0) continue;
      expect(r.delta, r.metric).toBe(0);
      expect(r.ci95, r.metric).toBe(0);
      expect(r.significant, r.metric).toBe(false);
    }
  });

  test("one replication has no interval; unequal runs cannot be paired", () => {
    const one = pairedRows(a.replications.slice(0, 1), b.replications.slice(0, 1));
    expect(one.every((r) => r.ci95 === null && r.significant === null)).toBe(true);
    expect(() => pairedRows(a.replications, b.replications.slice(1))).toThrow(/A has 5 replications and B 4/);
  });

  test("the t quantiles: the table's ends and its Cornish-Fisher tail", () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(30)).toBe(2.042);
    expect(t975(60)).toBeCloseTo(2.0003, 3); // t(0.975, 60) = 2.0003
    expect(t975(0)).toBeNaN();
  });
});
