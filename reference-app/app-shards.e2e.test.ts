// A hash-sharded database started for real: 2 shards, each a PostgreSQL primary with one streaming
// replica, behind one service. Checks that every key goes to the shard the simulator's function
// picks (reads on that shard's replica, orders on its primary), that each shard holds exactly its
// products, that no order is lost or lands twice, and that the run leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise, type DbAccess, type RunningApp } from "./launcher.ts";
import { shardOfKey } from "./shard.ts";
import { appPorts, countBy, drive, get, leftovers, metricSum, post } from "./testing.ts";

const SHARDED = `
version: 1
name: shards
load:
  model: open
  rate: 10/s
  classes:
    get_product:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 200 }
      flow: [{ call: api }]
    create_order:
      http: { method: POST, path: "/orders" }
      flow: [{ call: api }]
components:
  api:
    kind: service
    concurrency: 8
    handlers:
      get_product: [{ call: db, op: read }]
      create_order: [{ call: db, op: write }]
  db:
    kind: database
    keys: 200
    read: 1ms
    write: 1ms
    replicas: 1
    read_from: replicas
    pool: { size: 4 }
    shards: { count: 2, by: hash }
`;

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenarioOf(SHARDED, "shards.yaml"), { file: "shards.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

async function rows<T extends pg.QueryResultRow>(d: DbAccess, sql: string): Promise<T[]> {
  const c = new pg.Client({ host: "127.0.0.1", port: d.primaryPort, user: d.user, password: d.password, database: d.database });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const shardOf = (k: number) => shardOfKey(app.plan.db!, k);

describe("hash-sharded reference app", () => {
  it("runs a primary and a replica per shard, each shard holding exactly the products routed to it", async () => {
    expect(app.dbShards.length).toBe(2);
    expect(app.dbShards.map((d) => d.replicaPorts.length)).toEqual([1, 1]);
    for (const [i, d] of app.dbShards.entries()) {
      const ids = (await rows<{ id: number }>(d, "SELECT id FROM products ORDER BY id")).map((r) => r.id);
      expect(ids).toEqual(Array.from({ length: 200 }, (_, k) => k).filter((k) => shardOf(k) === i));
    }
  });

  it("reads each key on its shard's replica, as the simulator routes it", async () => {
    const keys = Array.from({ length: 200 }, (_, k) => k);
    const replies = await drive(keys.map((k) => get(`${app.url}/products/${k}`)), 8);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ "200": 200 });
    expect(replies.map((r) => (JSON.parse(r.body) as { id: number }).id)).toEqual(keys);
    for (const i of [0, 1]) {
      const expected = keys.filter((k) => shardOf(k) === i).length;
      expect(await metricSum(app.metricsUrls, "headroom_db_queries_total", { server: `s${i}.replica1`, op: "read" })).toBe(expected);
      expect(await metricSum(app.metricsUrls, "headroom_db_queries_total", { server: `s${i}.primary`, op: "read" })).toBe(0);
    }
  });

  it("writes every order once, on its product's shard: none lost, none on the wrong shard", async () => {
    const n = 120;
    const replies = await drive(Array.from({ length: n }, (_, i) => post(`${app.url}/orders`, { product: (i * 7) % 200 })), 8);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ "201": n });
    const sent = new Map(replies.map((r, i) => [(JSON.parse(r.body) as { order_id: string }).order_id, (i * 7) % 200]));
    let total = 0;
    for (const [i, d] of app.dbShards.entries()) {
      const got = await rows<{ id: string; product: number }>(d, "SELECT id::text AS id, product FROM orders");
      total += got.length;
      for (const o of got) {
        expect(sent.get(o.id)).toBe(o.product);
        expect(shardOf(o.product)).toBe(i);
      }
      expect(got.length).toBe([...sent.values()].filter((p) => shardOf(p) === i).length);
    }
    expect(total).toBe(n);
  });

  it("stopping leaves no process, port or dir", async () => {
    const ports = appPorts(app);
    expect(ports.length).toBe(1 + 1 + 1 + 4); // service, entry (same as the service), admin, 2 x (primary + replica)
    await stop();
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  });
});
