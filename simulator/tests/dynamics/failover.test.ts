// Database failover, what the reference app's validation compares with: with asynchronous
// replication the writes acknowledged within the replication lag before the primary fails are lost
// (`lostWrites`); with `replication: synchronous` a write waits for the replicas (its time plus a
// lag draw), no replica read is stale and nothing is lost, and the writes waiting for the replicas
// when the primary dies fail. Counts against Poisson arrivals: within 4 standard deviations; seeds
// fixed.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { scenarioOf } from "../helpers.ts";

const base = (db: string, failures = "failures:\n  - { at: 30s, fail_primary: db, promote_after: 5s }\n") => `
version: 1
name: failover
seed: 11
simulation: { duration: 60s, warmup: 5s, replications: 20, interval: 250ms }
load:
  model: open
  rate: 100/s
  classes:
    write: { weight: 50, flow: [{ call: api }] }
    read: { weight: 50, keys: { count: 1k }, flow: [{ call: api2 }] }
components:
  api: { kind: service, concurrency: 200, handlers: { write: [{ call: db, op: write }] } }
  api2: { kind: service, concurrency: 200, handlers: { read: [{ call: db, op: read }] } }
  db: { kind: database, keys: 1k, read: 2ms, write: 2ms, replicas: 2, read_from: replicas, max_connections: 1000${db ? `, ${db}` : ""} }
${failures}`;

describe("lost writes of a failover", () => {
  it("asynchronous, lag 400 ms: the writes acknowledged in the last 400 ms are lost (50/s x 0.4 s = 20 per run)", () => {
    const r = simulate(scenarioOf(base("replication_lag: 400ms")));
    const lost = r.components.db!.lostWrites!;
    // 20 runs of a Poisson count with mean 20: the mean's sd is 1
    expect(Math.abs(lost.mean - 20)).toBeLessThanOrEqual(4);
    // writes before the window are not lost: the count is not the run's writes
    expect(r.components.db!.writes! / 20).toBeGreaterThan(2000);
  });
  it("a lag twice as long loses twice as many", () => {
    const lost = simulate(scenarioOf(base("replication_lag: 800ms"))).components.db!.lostWrites!.mean;
    expect(Math.abs(lost - 40)).toBeLessThanOrEqual(4 * Math.sqrt(40 / 20));
  });
  it("no lag, or synchronous replication: none lost", () => {
    expect(simulate(scenarioOf(base(""))).components.db!.lostWrites!.mean).toBe(0);
    expect(simulate(scenarioOf(base("replication_lag: 400ms, replication: synchronous"))).components.db!.lostWrites!.mean).toBe(0);
  });
  it("a database no failover strikes has no lostWrites figure (older results keep their bytes)", () => {
    expect(simulate(scenarioOf(base("replication_lag: 400ms", ""))).components.db!).not.toHaveProperty("lostWrites");
  });
});

describe("synchronous replication", () => {
  const sync = simulate(scenarioOf(base("replication_lag: 400ms, replication: synchronous", "")));
  const async = simulate(scenarioOf(base("replication_lag: 400ms", "")));
  it("a write takes its time plus the lag (402 ms); reads are unchanged", () => {
    expect(Math.abs(sync.classes.write!.latencyMs.mean.mean - 402)).toBeLessThan(2);
    expect(Math.abs(async.classes.write!.latencyMs.mean.mean - 2)).toBeLessThan(0.5);
    expect(Math.abs(sync.classes.read!.latencyMs.mean.mean - async.classes.read!.latencyMs.mean.mean)).toBeLessThan(0.5);
  });
  it("no replica read is stale (asynchronously some are)", () => {
    expect(sync.components.db!.staleReadRatio!.mean).toBe(0);
    expect(async.components.db!.staleReadRatio!.mean).toBeGreaterThan(0);
  });
  it("the writes waiting for the replicas when the primary dies fail with the writes until the promotion", () => {
    const r = simulate(scenarioOf(base("replication_lag: 400ms, replication: synchronous")));
    // writes arriving in [30 - 0.4, 35): 50/s x 5.4 s = 270 per run, 20 runs
    const failed = r.accounting.byReason.db_unavailable ?? 0;
    expect(Math.abs(failed - 5400)).toBeLessThanOrEqual(4 * Math.sqrt(5400));
    expect(r.accounting.arrived).toBe(r.accounting.completed + r.accounting.dropped + r.accounting.failed + r.accounting.inFlightAtEnd);
  });
  it("after promoting the last replica writes stop waiting (no replica left)", () => {
    const one = base("replication_lag: 400ms, replication: synchronous").replace("replicas: 2,", "replicas: 1,");
    const r = simulate(scenarioOf(one));
    const s = r.series!;
    const at = (t0: number, t1: number) => {
      const xs = s.t.flatMap((t, i) => (t > t0 && t <= t1 ? [s.classes.write!.p50Ms[i]!] : []));
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(at(10, 29)).toBeGreaterThan(390);
    expect(at(40, 60)).toBeLessThan(10);
  });
});

describe("synchronous replication input", () => {
  it("needs a replica", () => {
    expect(() => scenarioOf(base("replication: synchronous", "").replace("replicas: 2, read_from: replicas,", ""))).toThrow(/replication: synchronous replication needs a replica/);
  });
});
