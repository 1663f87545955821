// The cache-aside scenario started for real: HAProxy -> 2 Node replicas -> Redis + PostgreSQL.
// Drives a few hundred requests and checks answers, metrics against Redis' own counters, Redis
// sized to the YAML's capacity, the admin token, the cache-flush and cache-restart faults, and a clean stop.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { statSync } from "node:fs";
import { join } from "node:path";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { pad } from "./service/cache.ts";
import { appPorts, asOutsider, bundled, countBy, drive, get, leftovers, listenAddresses, metricSum, post } from "./testing.ts";

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(bundled("cache-aside"), { file: "scenarios/cache-aside.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

describe("cache-aside reference app", () => {
  it("serves 300 reads over 60 keys and 30 orders; every miss is one database read", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => (i * 7) % 60);
    const reads = await drive(keys.map((k) => get(`${app.classUrl.get_product}/products/${k}`)), 16);
    const orders = await drive(Array.from({ length: 30 }, (_, i) => post(`${app.classUrl.create_order}/orders`, { product: i, quantity: 2 })), 8);
    expect(countBy(reads, (r) => String(r.status))).toEqual({ "200": 300 });
    reads.forEach((r, i) => expect(JSON.parse(r.body).id).toBe(keys[i]));
    expect(countBy(orders, (r) => String(r.status))).toEqual({ "201": 30 });

    const hits = await metricSum(app.metricsUrls, "headroom_cache_hits_total");
    const misses = await metricSum(app.metricsUrls, "headroom_cache_misses_total");
    expect(hits + misses).toBe(300);
    // Each key misses once, plus a repeat that starts before the first read of its key has set the
    // cache (possible only while that read is still among the 16 in flight): allowed up to 32.
    expect(misses).toBeGreaterThanOrEqual(60);
    expect(misses).toBeLessThanOrEqual(60 + 32);
    expect(await metricSum(app.metricsUrls, "headroom_db_queries_total", { op: "read" })).toBe(misses);
    expect(await metricSum(app.metricsUrls, "headroom_db_queries_total", { op: "write" })).toBe(30);
    expect(await metricSum(app.metricsUrls, "headroom_http_requests_total", { class: "get_product", status: "200" })).toBe(300);
    // Both replicas took traffic through the balancer.
    for (const url of app.metricsUrls) expect(await metricSum([url], "headroom_http_requests_total")).toBeGreaterThan(0);

    // The collector reads Redis' own counters: they agree with the services'.
    const s = await app.sample();
    expect(s.cache).toMatchObject({ hits, misses });
    // Both servers in service. "UP 1/3" (one health check missed, still taking traffic) counts:
    // on a loaded CI machine a 2 s check can miss once without the replica being down.
    expect(s.lb?.servers.map((x) => [x.name, x.status.startsWith("UP")])).toEqual([["s1", true], ["s2", true]]);
  });

  it("answers 400 on bad ids and bad bodies, 404 on unknown paths", async () => {
    const replies = await drive(
      [
        get(`${app.url}/products/abc`),
        get(`${app.url}/products/20000`),
        get(`${app.url}/products/-5`),
        get(`${app.url}/products/1.5`),
        () => fetch(`${app.url}/orders`, { method: "POST", body: "{not json" }),
        post(`${app.url}/orders`, { product: "x" }),
        get(`${app.url}/nothing-here`),
      ],
      4,
    );
    expect(replies.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 404]);
  });

  it("sizes Redis to the YAML's capacity: 7500 values of 1KB leave ~5000 keys", async () => {
    const r = new Redis({ host: "127.0.0.1", port: app.redisPort!, password: app.redisPassword });
    try {
      const p = r.pipeline();
      for (let i = 0; i < 7500; i++) p.set(`product:${i}`, pad(JSON.stringify({ id: i, name: `product ${i}`, price_cents: 100, version: 0 }), 1000), "PX", 300_000);
      await p.exec();
      const keys = await r.dbsize();
      expect(keys).toBeGreaterThanOrEqual(4500);
      expect(keys).toBeLessThanOrEqual(5250);
      expect(Number(/evicted_keys:(\d+)/.exec(await r.info("stats"))?.[1])).toBeGreaterThan(2000);
    } finally {
      r.disconnect();
    }
  });

  it("flushes the cache on an admin call with the run's token, refuses one without", async () => {
    const without = await fetch(`${app.adminUrl}/faults/cache/flush`, { method: "POST" });
    expect(without.status).toBe(401);
    const wrong = await fetch(`${app.adminUrl}/faults/cache/flush`, { method: "POST", headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${app.adminUrl}/faults/cache/flush`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });
    expect(ok.status).toBe(200);
    const r = new Redis({ host: "127.0.0.1", port: app.redisPort!, password: app.redisPassword });
    try {
      expect(await r.dbsize()).toBe(0);
    } finally {
      r.disconnect();
    }
    const bad = await fetch(`${app.adminUrl}/faults/service/9/kill`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });
    expect(bad.status).toBe(400);
  });

  it("restarts the cache empty on an admin call: same maxmemory, a new process, reads answered throughout", async () => {
    const maxmemory = async () => {
      const r = new Redis({ host: "127.0.0.1", port: app.redisPort!, password: app.redisPassword, maxRetriesPerRequest: 1 });
      try {
        await drive(Array.from({ length: 20 }, (_, k) => get(`${app.classUrl.get_product}/products/${k}`)), 4);
        const info = await r.info("server");
        return { bytes: ((await r.config("GET", "maxmemory")) as string[])[1], pid: /process_id:(\d+)/.exec(info)?.[1], keys: await r.dbsize() };
      } finally {
        r.disconnect();
      }
    };
    const before = await maxmemory();
    expect(before.keys).toBeGreaterThan(0);
    expect(Number(before.bytes)).toBeGreaterThan(0);
    // reads in flight across the restart: a GET that fails while Redis is down is a miss, answered from the database
    const during = drive(Array.from({ length: 200 }, (_, k) => get(`${app.classUrl.get_product}/products/${k % 40}`)), 4);
    const ok = await fetch(`${app.adminUrl}/faults/cache/restart`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });
    expect(ok.status).toBe(200);
    expect(countBy(await during, (r) => String(r.status))).toEqual({ "200": 200 });
    const r = new Redis({ host: "127.0.0.1", port: app.redisPort!, password: app.redisPassword });
    try {
      const info = await r.info("server");
      expect(/process_id:(\d+)/.exec(info)?.[1]).not.toBe(before.pid);
      expect(Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1])).toBeLessThan(30);
      expect(((await r.config("GET", "maxmemory")) as string[])[1]).toBe(before.bytes);
    } finally {
      r.disconnect();
    }
  });

  // Issue 13, defect 4: with `trust` auth any local account was a PostgreSQL superuser and ran
  // commands as the postgres user through COPY ... TO PROGRAM. Now only the run's secrets open it.
  it("refuses a local user without the run's secrets (PostgreSQL and Redis), and the run still works", async () => {
    const psql = (user: string, sql: string, env: Record<string, string> = {}, host = "127.0.0.1") =>
      asOutsider("psql", ["-X", "-w", "-h", host, "-p", String(app.db!.primaryPort), "-U", user, "-d", app.db!.database, "-c", sql], env);
    const copy = "COPY (SELECT 1) TO PROGRAM 'id'";
    const noPassword = await psql("postgres", copy);
    expect([noPassword.code, noPassword.output]).toEqual([2, expect.stringMatching(/no password supplied/)]);
    for (const user of ["postgres", "headroom_app"]) {
      const guessed = await psql(user, copy, { PGPASSWORD: "postgres" });
      expect([guessed.code, guessed.output]).toEqual([2, expect.stringContaining(`password authentication failed for user "${user}"`)]);
    }
    // The services' own role, with its password, is no superuser: it cannot run programs either.
    const asApp = await psql(app.db!.user, copy, { PGPASSWORD: app.db!.password });
    expect([asApp.code, asApp.output]).toEqual([1, expect.stringMatching(/permission denied|must be superuser|pg_execute_server_program/)]);
    // The run dir can be passed through, not listed; every part's own dir is its user's alone.
    const modes = ["", "state", "logs", "state/pg", "state/pg/sock", "state/redis", "state/haproxy"].map((d) => [d, (statSync(join(app.runDir, d)).mode & 0o777).toString(8)]);
    expect(modes).toEqual([["", "711"], ["state", "711"], ["logs", "700"], ["state/pg", "700"], ["state/pg/sock", "700"], ["state/redis", "700"], ["state/haproxy", "700"]]);
    if (process.getuid?.() === 0) {
      // As nobody: PostgreSQL's socket and HAProxy's admin-level stats socket cannot be reached.
      const viaSocket = await psql("postgres", "SELECT 1", {}, join(app.runDir, "state", "pg", "sock"));
      expect([viaSocket.code, viaSocket.output]).toEqual([2, expect.stringContaining("Permission denied")]);
      const connect = "require('net').connect(process.argv[1]).on('connect', () => { console.log('connected'); process.exit(0) }).on('error', (e) => console.log(e.code))";
      const stats = await asOutsider(process.execPath, ["-e", connect, app.haproxyStatsSocket!]);
      expect(stats.output.trim()).toBe("EACCES");
    }

    const cli = (...args: string[]) => asOutsider("redis-cli", ["-h", "127.0.0.1", "-p", String(app.redisPort), "--no-auth-warning", ...args]);
    expect((await cli("PING")).output).toMatch(/NOAUTH Authentication required/);
    expect((await cli("CONFIG", "GET", "dir")).output).toMatch(/NOAUTH Authentication required/);
    expect((await cli("-a", "guess", "PING")).output).toMatch(/WRONGPASS/);
    expect((await cli("-a", app.redisPassword!, "PING")).output.trim()).toBe("PONG");

    // The run itself: a key not read before misses (a database read, then a cache write), then hits.
    const first = await fetch(`${app.classUrl.get_product}/products/777`);
    const second = await fetch(`${app.classUrl.get_product}/products/777`);
    expect([first.status, (await first.json()).cache, second.status, (await second.json()).cache]).toEqual([200, "miss", 200, "hit"]);
  });

  it("binds every part to 127.0.0.1 only", () => {
    for (const port of appPorts(app)) expect([port, listenAddresses(port)]).toEqual([port, ["127.0.0.1"]]);
  });

  it("stops everything: no process, no listening port, no temp dir", async () => {
    const ports = appPorts(app);
    const dir = app.runDir;
    await stop();
    expect(await leftovers(dir, ports)).toEqual([]);
  });
});
