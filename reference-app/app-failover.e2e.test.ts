// A database failover on demand through the admin API (parts/pg-failover.ts), on a primary with two
// asynchronous replicas 100 ms behind on the wire (parts/wal-delay.ts: the YAML schedules a
// failover, which is what puts the lag there; the schedule itself is not started here). After the
// kill, orders fail with 503 (the model's db_unavailable) and reads go on from the replicas; after
// the promotion orders succeed on the promoted replica, the other replica follows it (streams from
// it and receives the new orders) and every order acknowledged well before the failure is there.
// Then a clean stop; and a run stopped in the middle of a promotion (what Ctrl-C does: the
// launcher's scope closed) leaves nothing either.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import type { Scenario } from "../simulator/model/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { adminPost, appPorts, countBy, drive, get, leftovers, post, queryDb } from "./testing.ts";

const SCENARIO = `
version: 1
name: failover-on-demand
simulation: { duration: 60s }
load:
  model: open
  rate: 10/s
  classes:
    get_product:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 1000 }
      flow: [{ call: lb }]
    create_order:
      http: { method: POST, path: /orders }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: api, maxconn: 8 }
  api:
    kind: service
    replicas: 2
    concurrency: 8
    handlers:
      get_product: [{ call: db, op: read }]
      create_order: [{ call: db, op: write }]
  db:
    kind: database
    keys: 1000
    read: 2ms
    write: 2ms
    replicas: 2
    read_from: replicas
    replication_lag: 100ms
    pool: { size: 4, timeout: 2s }
failures:
  - { at: 50s, fail_primary: db, promote_after: 5s }
`;

let app: RunningApp;
let stop: () => Promise<void>;

function scenario(): Scenario {
  return scenarioOf(SCENARIO, "failover-on-demand.yaml");
}

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenario(), { file: "failover-on-demand.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const query = <T extends pg.QueryResultRow>(port: number, sql: string, params: unknown[] = []) => queryDb<T>(app, port, sql, params);
const admin = (path: string) => adminPost(app, path);
const orders = (n: number, from = 0) => drive(Array.from({ length: n }, (_, i) => post(`${app.url}/orders`, { product: from + i })), 4);
const reads = (n: number) => drive(Array.from({ length: n }, (_, i) => get(`${app.url}/products/${(i * 37) % 1000}`)), 4);

describe("database failover on demand", () => {
  const acked: string[] = [];

  it("refuses a shard that does not exist and a promotion while the primary is up", async () => {
    expect((await admin("/faults/db/shard/3/fail-primary")).status).toBe(400);
    expect((await admin("/faults/db/shard/0/promote")).status).toBe(400);
  });

  it("kills the primary: orders fail with 503, reads go on from the replicas", async () => {
    const before = await orders(20);
    expect(countBy(before, (r) => String(r.status))).toEqual({ "201": 20 });
    for (const r of before) acked.push((JSON.parse(r.body) as { order_id: string }).order_id);
    // Well past the 100 ms on the wire: these must survive the failover.
    await new Promise((r) => setTimeout(r, 1000));
    const oldPrimary = app.failover!.primaryPort(0)!;
    expect((await admin("/faults/db/shard/0/fail-primary")).status).toBe(200);
    expect(app.failover!.primaryPort(0)).toBeUndefined();
    const during = await orders(10, 100);
    expect(countBy(during, (r) => String(r.status))).toEqual({ "503": 10 });
    expect(during[0]!.body).toMatch(/database unavailable/);
    expect(countBy(await reads(20), (r) => String(r.status))).toEqual({ "200": 20 });
    await expect(query(oldPrimary, "SELECT 1")).rejects.toThrow();
  });

  it("promotes a replica: orders succeed on it, the acknowledged ones are all there, the other replica follows", async () => {
    expect((await admin("/faults/db/shard/0/promote")).status).toBe(200);
    const ev = app.failover!.events[0]!;
    expect(ev.promoted).toMatch(/^replica[12]$/);
    const port = app.failover!.primaryPort(0)!;
    expect(port).toBe(ev.port);
    expect((await query<{ rec: boolean }>(port, "SELECT pg_is_in_recovery() AS rec"))[0]!.rec).toBe(false);
    const after = await orders(20, 200);
    expect(countBy(after, (r) => String(r.status))).toEqual({ "201": 20 });
    const missing = await query<{ id: string }>(port, "SELECT id::text AS id FROM unnest($1::uuid[]) a(id) WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.id)", [acked]);
    expect(missing).toEqual([]);
    // The remaining replica follows the promoted one: the orders written after the promotion reach
    // it (only from the new primary could they), still a standby.
    const other = app.db!.replicaPorts.find((p) => p !== port)!;
    const deadline = Date.now() + 15_000;
    let n = -1;
    while (Date.now() < deadline) {
      n = (await query<{ n: number }>(other, "SELECT count(*)::int AS n FROM orders WHERE product >= 200").catch(() => [{ n: -1 }]))[0]!.n;
      if (n === 20) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(n).toBe(20);
    expect((await query<{ rec: boolean }>(other, "SELECT pg_is_in_recovery() AS rec"))[0]!.rec).toBe(true);
    expect(countBy(await reads(20), (r) => String(r.status))).toEqual({ "200": 20 });
  });

  it("stops everything: no process, no listening port (the wire's forwarders included), no temp dir", async () => {
    const ports = [...appPorts(app), ...app.failover!.wirePorts()];
    expect(app.failover!.wirePorts()).toHaveLength(3); // two replicas' first forwarders, the follower's new one
    const dir = app.runDir;
    await stop();
    expect(await leftovers(dir, ports)).toEqual([]);
  });
});

describe("a run stopped mid-failover", () => {
  it("stopped while a replica is being promoted: no process, no port, no temp dir", async () => {
    const run = await startAppPromise(scenario(), { file: "failover-on-demand.yaml" });
    const ports = [...appPorts(run.app), ...run.app.failover!.wirePorts()];
    const dir = run.app.runDir;
    await run.app.faults.failPrimary(0);
    const promoting = run.app.faults.promote(0).then(() => "promoted", (e) => String(e));
    await new Promise((r) => setTimeout(r, 20));
    await run.stop();
    await promoting; // either finished before the scope closed or failed with the run stopping
    expect(await leftovers(dir, [...ports, ...run.app.failover!.wirePorts()])).toEqual([]);
  });
});
