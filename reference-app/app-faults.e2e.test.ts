// Heavier reference-app checks (npm run test:app, not in npm test): interrupting the launcher at
// more points, killing and restarting a service replica behind HAProxy's health checks, HAProxy's
// maxconn held exactly with one thread, and nginx as a CDN edge cache.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise } from "./launcher.ts";
import { haproxyCommand, parseStat } from "./parts/haproxy.ts";
import { appPorts, appUp, bundled, countBy, drive, expectCleanInterrupt, get, leftovers, metricSum } from "./testing.ts";

function scenario(yaml: string) {
  return scenarioOf(yaml, "inline.yaml");
}

describe("launcher interrupted at other points", () => {
  it.each([
    ["right after the run dir", /started run dir \S+\n/],
    ["after the database", /started postgres primary 127\.0\.0\.1:\d+\n/],
    ["after the replicas and workers, while HAProxy starts", /started workers: [^\n]*\n/],
  ])("leaves nothing when stopped %s", async (_when, at) => {
    await expectCleanInterrupt(at);
  });
});

describe("service replica killed and restarted behind HAProxy", () => {
  it("is marked DOWN within fall x interval, traffic moves to the other replica, UP again after restart", async () => {
    const { app, stop } = await startAppPromise(bundled("cache-aside"));
    try {
      const admin = (p: string) => fetch(`${app.adminUrl}${p}`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });
      const status = async (name: string) =>
        parseStat(await haproxyCommand(app.haproxyStatsSocket!, "show stat")).find((s) => s.name === name)?.status ?? "";
      const t0 = Date.now();
      expect((await admin("/faults/service/1/kill")).status).toBe(200);
      // Traffic while HAProxy still believes s1 is up: some requests may fail, none may hang.
      const during = await drive(Array.from({ length: 50 }, (_, i) => get(`${app.url}/products/${i}`)), 4);
      expect(during.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      while (!(await status("s1")).startsWith("DOWN") && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 100));
      const downAfter = (Date.now() - t0) / 1000;
      // health_check: interval 2s, fall 3 -> DOWN after about 3 checks.
      expect(await status("s1")).toMatch(/^DOWN/);
      expect(downAfter).toBeLessThanOrEqual(3 * 2 + 2 + 1);
      const after = await drive(Array.from({ length: 100 }, (_, i) => get(`${app.url}/products/${i}`)), 8);
      expect(countBy(after, (r) => String(r.status))).toEqual({ "200": 100 });

      const t1 = Date.now();
      expect((await admin("/faults/service/1/restart")).status).toBe(200);
      while (!(await status("s1")).startsWith("UP") && Date.now() - t1 < 15_000) await new Promise((r) => setTimeout(r, 100));
      expect(await status("s1")).toMatch(/^UP/);
      // rise 2 at 2 s, plus the replica's own start.
      expect((Date.now() - t1) / 1000).toBeLessThanOrEqual(2 * 2 + 2 + 5);
      const ports = appPorts(app);
      await stop();
      expect(await leftovers(app.runDir, ports)).toEqual([]);
    } finally {
      await stop();
    }
  });
});

describe("HAProxy maxconn", () => {
  it("never lets more than maxconn requests reach a replica; the rest queue at the balancer", async () => {
    const { app, stop } = await startAppPromise(
      scenario(`
version: 1
name: maxconn
load:
  model: open
  rate: 10/s
  classes:
    slow: { http: { method: GET, path: /slow }, flow: [{ call: lb }] }
components:
  lb: { kind: load_balancer, backends: api, maxconn: 4, queue_timeout: 10s }
  api:
    kind: service
    replicas: 2
    concurrency: 16
    handlers:
      slow: [{ service: 50ms }]
`),
    );
    try {
      const replies = await drive(Array.from({ length: 80 }, () => get(`${app.url}/slow`)), 40);
      expect(countBy(replies, (r) => String(r.status))).toEqual({ "200": 80 });
      const stats = parseStat(await haproxyCommand(app.haproxyStatsSocket!, "show stat"));
      expect(stats.filter((s) => s.name.startsWith("s")).map((s) => s.smax)).toEqual([4, 4]);
      // 80 requests, at most 8 in service at once: the service never saw more than 4 per replica.
      expect(await metricSum(app.metricsUrls, "headroom_http_requests_total", { class: "slow", status: "200" })).toBe(80);
    } finally {
      await stop();
    }
  });
});

describe("CDN (nginx proxy_cache) in front of HAProxy", () => {
  it("serves repeated static assets from the edge: the origin sees each key once", async () => {
    const { app, stop } = await startAppPromise(
      scenario(`
version: 1
name: cdn
load:
  model: open
  rate: 10/s
  classes:
    asset:
      http: { method: GET, path: "/assets/{key}" }
      keys: { count: 1000 }
      flow: [{ call: cdn }]
    api_call:
      http: { method: GET, path: /api/ping }
      flow: [{ call: lb }]
components:
  cdn: { kind: cdn, origin: lb, ttl: 1h, objects: { count: 1000 } }
  lb: { kind: load_balancer, backends: api, maxconn: 8 }
  api:
    kind: service
    replicas: 1
    concurrency: 8
    handlers:
      asset: [{ service: 2ms }]
      api_call: [{ service: 1ms }]
`),
    );
    try {
      expect(app.classUrl.asset).toBe(app.cdnUrl);
      const first = await fetch(`${app.cdnUrl}/assets/5`);
      expect([first.status, first.headers.get("x-cache-status")]).toEqual([200, "MISS"]);
      await first.text();
      const second = await fetch(`${app.cdnUrl}/assets/5`);
      expect([second.status, second.headers.get("x-cache-status")]).toEqual([200, "HIT"]);
      await second.text();
      const replies = await drive(Array.from({ length: 200 }, (_, i) => get(`${app.cdnUrl}/assets/${i % 20}`)), 1);
      expect(countBy(replies, (r) => String(r.status))).toEqual({ "200": 200 });
      // 20 distinct keys (key 5 already cached): the origin served 20 asset requests in all.
      expect(await metricSum(app.metricsUrls, "headroom_http_requests_total", { class: "asset" })).toBe(20);
      expect((await fetch(`${app.cdnUrl}/assets/abc`)).status).toBe(400);
    } finally {
      await stop();
    }
  });
});

describe("headroom app up, unrealizable scenario (CLI)", () => {
  it("names the field and the reason, exits 2 and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-test-"));
    try {
      const file = join(dir, "station.yaml");
      writeFileSync(
        file,
        [
          "version: 1",
          "name: station-only",
          "load: { model: open, rate: 10/s, classes: { a: { http: { method: GET, path: /a }, flow: [web] } } }",
          "components:",
          "  web: { kind: station, servers: 2, service: 5ms, routing: [{ to: exit, p: 1 }] }",
          "",
        ].join("\n"),
      );
      const run = await appUp(file);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}: components.web.routing: routing between stations is not realized`);
      expect(run.stderr).not.toMatch(/started|internal error|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("queue retries, dead letters and a full queue", () => {
  const yaml = (queue: string) => `
version: 1
name: queue-edge
load:
  model: open
  rate: 10/s
  classes:
    create_order: { http: { method: POST, path: /orders }, flow: [{ call: api }] }
components:
  api:
    kind: service
    replicas: 1
    concurrency: 8
    handlers:
      create_order: [{ call: db, op: write }, { publish: orders }]
  db: { kind: database, keys: 100, read: 1ms, write: 1ms, pool: { size: 4 } }
  orders: ${queue}
`;

  it("retries a failing message `retries` times, then dead-letters it; nothing is processed", async () => {
    const { app, stop } = await startAppPromise(
      scenario(yaml("{ kind: queue, workers: 1, prefetch: 5, service: 1ms, handler: [{ call: db, op: write }], retries: 2, failure_rate: 100% }")),
    );
    try {
      const replies = await drive(Array.from({ length: 30 }, (_, i) => () => fetch(`${app.url}/orders`, { method: "POST", body: JSON.stringify({ product: i }) })), 4);
      expect(countBy(replies, (r) => String(r.status))).toEqual({ "201": 30 });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await app.sample()).queues?.orders?.dead !== 30) await new Promise((r) => setTimeout(r, 100));
      expect((await app.sample()).queues?.orders).toMatchObject({ depth: 0, dead: 30 });
      expect(await metricSum(app.metricsUrls, "headroom_queue_failures_total")).toBe(90);
      expect(await metricSum(app.metricsUrls, "headroom_queue_retried_total")).toBe(60);
      expect(await metricSum(app.metricsUrls, "headroom_queue_dead_lettered_total")).toBe(30);
      expect(await metricSum(app.metricsUrls, "headroom_queue_processed_total")).toBe(0);
    } finally {
      await stop();
    }
  });

  it("refuses publishes beyond max_length (reject_publish) with 503", async () => {
    const { app, stop } = await startAppPromise(
      scenario(yaml("{ kind: queue, workers: 1, prefetch: 1, service: 1ms, max_length: 5, overflow: reject_publish }")),
    );
    try {
      const pause = await fetch(`${app.adminUrl}/faults/workers/pause`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });
      expect(pause.status).toBe(200);
      const replies = await drive(Array.from({ length: 10 }, () => () => fetch(`${app.url}/orders`, { method: "POST" })), 1);
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 503, 503, 503, 503, 503]);
      expect(await metricSum(app.metricsUrls, "headroom_queue_publish_rejected_total")).toBe(5);
    } finally {
      await stop();
    }
  });
});
