// The read-replicas scenario started for real: PostgreSQL primary + 2 streaming replicas made with
// pg_basebackup -R, reads routed to the replicas, a 20 ms apply delay. Checks routing counts,
// replication of writes, the delay, the stop/start-replica fault and a clean stop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { adminPost, appPorts, asOutsider, bundled, countBy, drive, get, leftovers, metricSum, post, queryDb } from "./testing.ts";

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(bundled("read-replicas"), { file: "scenarios/read-replicas.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const query = <T extends pg.QueryResultRow>(port: number, sql: string, params: unknown[] = []) => queryDb<T>(app, port, sql, params);
const admin = (path: string) => adminPost(app, path);

describe("read-replicas reference app", () => {
  it("routes all 200 reads to the two replicas, evenly, and writes 50 orders on the primary", async () => {
    const reads = await drive(Array.from({ length: 200 }, (_, i) => get(`${app.url}/products/${(i * 37) % 10000}`)), 16);
    const writes = await drive(Array.from({ length: 50 }, (_, i) => post(`${app.url}/orders`, { product: i })), 8);
    expect(countBy(reads, (r) => String(r.status))).toEqual({ "200": 200 });
    expect(countBy(writes, (r) => String(r.status))).toEqual({ "201": 50 });
    const r1 = await metricSum(app.metricsUrls, "headroom_db_queries_total", { server: "replica1", op: "read" });
    const r2 = await metricSum(app.metricsUrls, "headroom_db_queries_total", { server: "replica2", op: "read" });
    expect(await metricSum(app.metricsUrls, "headroom_db_queries_total", { server: "primary", op: "read" })).toBe(0);
    expect(r1 + r2).toBe(200);
    // Each service replica alternates between the two database replicas.
    expect(Math.abs(r1 - r2)).toBeLessThanOrEqual(app.services.length);
    expect(await metricSum(app.metricsUrls, "headroom_db_queries_total", { server: "primary", op: "write" })).toBe(50);
  });

  it("replicates the orders to both replicas, streaming", async () => {
    const s = await app.sample();
    expect(s.replication?.map((r) => r.state)).toEqual(["streaming", "streaming"]);
    const [primary] = await query<{ n: number }>(app.db!.primaryPort, "SELECT count(*)::int AS n FROM orders");
    expect(primary!.n).toBe(50);
    for (const port of app.db!.replicaPorts) {
      const deadline = Date.now() + 5000;
      let n = -1;
      while (Date.now() < deadline && n !== 50) {
        n = (await query<{ n: number }>(port, "SELECT count(*)::int AS n FROM orders"))[0]!.n;
        if (n !== 50) await new Promise((r) => setTimeout(r, 20));
      }
      expect(n).toBe(50);
    }
    expect(await metricSum(app.metricsUrls, "headroom_db_replica_lag_seconds", { server: "replica1" })).toBeGreaterThanOrEqual(0);
  });

  it("applies a write on a replica no sooner than the YAML's 20 ms lag (and within 1 s)", async () => {
    const replica = new pg.Client({ host: "127.0.0.1", port: app.db!.replicaPorts[0], user: app.db!.user, password: app.db!.password, database: app.db!.database });
    await replica.connect();
    try {
      const t0 = performance.now();
      await query(app.db!.primaryPort, "UPDATE products SET version = 4242 WHERE id = 7");
      let seenAfter = -1;
      while (performance.now() - t0 < 2000) {
        const v = (await replica.query<{ version: number }>("SELECT version FROM products WHERE id = 7")).rows[0]!.version;
        if (v === 4242) {
          seenAfter = (performance.now() - t0) / 1000;
          break;
        }
      }
      expect(seenAfter).toBeGreaterThanOrEqual(0.019);
      expect(seenAfter).toBeLessThan(1);
    } finally {
      await replica.end();
    }
  });

  it("stops and starts a database replica on demand; replication resumes", async () => {
    expect((await admin("/faults/db/replica/2/stop")).status).toBe(200);
    let s = await app.sample();
    expect(s.replication).toHaveLength(1);
    expect((await admin("/faults/db/replica/2/start")).status).toBe(200);
    const deadline = Date.now() + 10_000;
    do {
      s = await app.sample();
      if (s.replication?.filter((r) => r.state === "streaming").length === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    } while (Date.now() < deadline);
    expect(s.replication?.filter((r) => r.state === "streaming")).toHaveLength(2);
  });

  // Issue 13, defect 4, on the replicas: they copy the primary's pg_hba.conf, so a local user without
  // the run's passwords gets neither a session nor a replication stream from any server.
  it("refuses a local user without the run's passwords on every server, replication included", async () => {
    for (const port of [app.db!.primaryPort, ...app.db!.replicaPorts]) {
      for (const user of ["postgres", app.db!.user]) {
        const r = await asOutsider("psql", ["-X", "-w", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", app.db!.database, "-c", "SELECT 1"], { PGPASSWORD: "postgres" });
        expect([port, r.code, r.output]).toEqual([port, 2, expect.stringContaining(`password authentication failed for user "${user}"`)]);
      }
    }
    const stream = await asOutsider(
      "psql",
      ["-X", "-w", `host=127.0.0.1 port=${app.db!.primaryPort} user=postgres replication=true`, "-c", "IDENTIFY_SYSTEM"],
      { PGPASSWORD: "postgres" },
    );
    expect([stream.code, stream.output]).toEqual([2, expect.stringContaining('password authentication failed for user "postgres"')]);
  });

  it("stops everything: no process, no listening port, no temp dir", async () => {
    const ports = appPorts(app);
    const dir = app.runDir;
    await stop();
    expect(await leftovers(dir, ports)).toEqual([]);
  });
});
