// Several services started for real: a three-tier call graph (web behind HAProxy; cart behind its
// own HAProxy; pricing and stock called directly, fanned out in parallel; PostgreSQL under cart and
// stock). Checks that every request crosses the graph the YAML draws, each service counts its own
// requests in its own /metrics, no order is lost on the way, the edge's network time is paid both
// ways, and the run leaves nothing behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { appPorts, countBy, drive, get, leftovers, metricSum, post } from "./testing.ts";

const THREE_TIERS = `
version: 1
name: three-tiers
load:
  model: open
  rate: 10/s
  classes:
    checkout:
      http: { method: POST, path: "/orders" }
      flow: [{ call: lb }]
    browse:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: web, health_check: { interval: 1s } }
  web:
    kind: service
    replicas: 2
    concurrency: 8
    handlers:
      checkout: [{ service: 1ms }, { call: cart-lb, network: 2ms }]
      browse: [{ service: 1ms }, { parallel: [[{ call: pricing }], [{ call: stock }]] }]
  cart-lb: { kind: load_balancer, backends: cart }
  cart:
    kind: service
    replicas: 2
    concurrency: 4
    handlers:
      checkout: [{ service: 2ms }, { call: db, op: write }]
  pricing: { kind: service, replicas: 2, concurrency: 4, service: 3ms }
  stock:
    kind: service
    concurrency: 4
    handlers:
      browse: [{ call: db, op: read }]
  db: { kind: database, keys: 100, read: 1ms, write: 2ms, pool: { size: 4 } }
`;

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(scenarioOf(THREE_TIERS, "three-tiers.yaml"), { file: "three-tiers.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const urlsOf = (service: string) => app.tiers[service]!.map((r) => `${r.url}/metrics`);
const served = (service: string, cls: string) => metricSum(urlsOf(service), "headroom_http_requests_total", { class: cls, status: "200" });

describe("three-tier reference app", () => {
  it("starts each service as its own pool of processes, each balancer as its own HAProxy", () => {
    expect(Object.fromEntries(Object.entries(app.tiers).map(([n, r]) => [n, r.length]))).toEqual({ web: 2, cart: 2, pricing: 2, stock: 1 });
    expect(Object.keys(app.balancerUrls).sort()).toEqual(["cart-lb", "lb"]);
  });

  it("a checkout crosses web -> cart-lb -> cart -> db; every order is in the table, once", async () => {
    const n = 60;
    const replies = await drive(Array.from({ length: n }, (_, i) => post(`${app.url}/orders`, { product: i % 100 })), 8);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ "201": n });
    const ids = replies.map((r) => (JSON.parse(r.body) as { order_id: string }).order_id);
    // each service counts the class in its own metrics, labelled with its own name
    expect(await metricSum(urlsOf("web"), "headroom_http_requests_total", { class: "checkout", status: "201", service: "web" })).toBe(n);
    expect(await metricSum(urlsOf("cart"), "headroom_http_requests_total", { class: "checkout", status: "201", service: "cart" })).toBe(n);
    // cart-lb (round robin) spreads them over both cart replicas
    for (const u of urlsOf("cart")) expect(await metricSum([u], "headroom_http_requests_total", { class: "checkout" })).toBe(n / 2);
    expect(await metricSum(urlsOf("cart"), "headroom_db_queries_total", { op: "write" })).toBe(n);
    expect(await metricSum(urlsOf("web"), "headroom_db_queries_total")).toBe(0);
    const c = new pg.Client({ host: "127.0.0.1", port: app.db!.primaryPort, user: app.db!.user, password: app.db!.password, database: app.db!.database });
    await c.connect();
    try {
      const rows = (await c.query<{ id: string }>("SELECT id::text AS id FROM orders")).rows.map((r) => r.id);
      expect(rows.length).toBe(n);
      expect(new Set(rows)).toEqual(new Set(ids));
    } finally {
      await c.end();
    }
  });

  it("a browse fans out to pricing and stock in parallel; direct calls spread round robin over pricing's replicas", async () => {
    const n = 60;
    const replies = await drive(Array.from({ length: n }, (_, i) => get(`${app.url}/products/${i}`)), 8);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ "200": n });
    expect(await served("web", "browse")).toBe(n);
    expect(await served("stock", "browse")).toBe(n);
    expect(await served("pricing", "browse")).toBe(n);
    // web's lb alternates its replicas (30 each), each of which alternates pricing's two: 30 and 30
    for (const u of urlsOf("pricing")) expect(await metricSum([u], "headroom_http_requests_total", { class: "browse" })).toBe(n / 2);
    expect(await metricSum(urlsOf("stock"), "headroom_db_queries_total", { op: "read" })).toBe(n);
  });

  it("the web -> cart-lb edge pays its 2 ms network each way: web's checkout time exceeds cart's by 1 ms + 2 x 2 ms and a little", async () => {
    const mean = async (service: string) =>
      (await metricSum(urlsOf(service), "headroom_http_request_duration_seconds_sum", { class: "checkout" })) /
      (await metricSum(urlsOf(service), "headroom_http_request_duration_seconds_count", { class: "checkout" }));
    const gapMs = ((await mean("web")) - (await mean("cart"))) * 1000;
    // 5 ms injected (1 ms own work + 2 x 2 ms); the rest is HAProxy and two loopback HTTP hops on a
    // loaded 2-core machine: bounded generously above, never below what was injected.
    expect(gapMs).toBeGreaterThanOrEqual(5);
    expect(gapMs).toBeLessThan(60);
  });

  it("stopping leaves no process, port or dir", async () => {
    const ports = appPorts(app);
    expect(ports.length).toBe(2 + 2 + 2 + 1 + 2 + 1 + 1); // replicas, 2 HAProxy, postgres, admin
    await stop();
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  });
});
