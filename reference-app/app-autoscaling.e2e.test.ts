// Auto-scaling and a gateway rate limit on the real stack (npm run test:app): under load the scaler
// starts a standby replica and HAProxy sends it requests; without load it drains and stops it, no
// request failing; interrupted while a new replica boots, the run leaves nothing behind; the nginx
// gateway lets `burst` requests through at once and refuses the rest with 429, then holds the rate;
// `app check` and `app up` refuse a rate limit nginx cannot hold and auto-scaling without a balancer (exit 2).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Effect, Exit, Fiber } from "effect";
import type { Scenario } from "../simulator/model/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { startApp, startAppPromise, type RunningApp } from "./launcher.ts";
import { haproxyCommand, parseStat } from "./parts/haproxy.ts";
import { countBy, drive, get, leftovers, metricSum, appUp } from "./testing.ts";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const scenario = (components: string): Scenario => {
  const text = `
version: 1
name: t-dyn
load:
  model: open
  rate: 10/s
  classes:
    get_item:
      http: { method: GET, path: "/items/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
${components}`;
  return scenarioOf(text, "t.yaml");
};

const scaled = (autoscaling: string) => scenario(`
  lb: { kind: load_balancer, backends: api, maxconn: 4, health_check: { interval: 1s, rise: 2, fall: 2 } }
  api:
    kind: service
    replicas: 1
    concurrency: 4
    autoscaling: ${autoscaling}
    handlers:
      get_item: [{ service: 20ms }]
`);

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe("auto-scaling on the real stack", () => {
  let app: RunningApp;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, stop } = await startAppPromise(scaled("{ min: 1, max: 2, target: 0.5, interval: 0.5s, cooldown_out: 1s, cooldown_in: 1s, boot: 5s }")));
  });
  afterAll(async () => stop?.());

  it("starts a standby replica under load, HAProxy sends it requests, then drains and stops it; no request fails", async () => {
    const stat = async (name: string) => parseStat(await haproxyCommand(app.haproxyStatsSocket!, "show stat")).find((s) => s.name === name);
    expect((await stat("s2"))?.status).toMatch(/^MAINT/);
    // 8 in flight on 4 slots: utilization 1 against a target of 0.5
    let loading = true;
    const replies: number[] = [];
    const load = Promise.all(Array.from({ length: 8 }, async () => {
      while (loading) replies.push((await (await get(`${app.url}/items/1`)()).text(), 200));
    }));
    try {
      await until("replica 2 serving", () => app.scaling!.instances().serving === 2);
      expect((await stat("s2"))?.status).toMatch(/^UP/);
      await until("requests on replica 2", async () => (await metricSum([app.metricsUrls[1]!], "headroom_http_requests_total")) > 20);
    } finally {
      loading = false;
      await load;
    }
    await until("replica 2 off", () => app.scaling!.instances().total === 1);
    expect(app.scaling!.events.map((e) => `${e.place} ${e.state}`)).toEqual(["2 booting", "2 serving", "2 draining", "2 off"]);
    // booting to serving took the model's 5 s boot (the real start plus the injected rest), plus
    // HAProxy's enable and `show stat` polls; unless the real start alone took longer
    const [b, s] = app.scaling!.events;
    const log = readFileSync(join(app.runDir, "logs", "autoscaler.log"), "utf8");
    expect(log).toMatch(/replica 2 started in \d+ ms; injected \d+ ms of the 5 s boot/);
    if (!/exceeds it/.test(log)) {
      expect(s!.t - b!.t).toBeGreaterThanOrEqual(5000);
      expect(s!.t - b!.t).toBeLessThan(6500);
    }
    expect((await stat("s2"))?.status).toMatch(/^MAINT/);
    await until("replica 2's process gone", async () => (await fetch(`${app.services[1]!.url}/healthz`).then(() => false, () => true)));
    expect(countBy(replies, String)).toEqual({ 200: replies.length });
    const sample = await app.sample();
    expect(sample.instances).toEqual({ total: 1, serving: 1, booting: 0, draining: 0 });
  });
});

describe("interrupted mid-scale-out", () => {
  it("releases everything while a new replica sits in its injected boot time", async () => {
    let dir = "";
    const ports: number[] = [];
    let booted: (() => void) | undefined;
    const reachedBoot = new Promise<void>((r) => (booted = r));
    const fiber = Effect.runFork(
      Effect.scoped(
        Effect.flatMap(
          startApp(scaled("{ min: 1, max: 2, target: 0.5, interval: 0.3s, cooldown_out: 1s, cooldown_in: 60s, boot: 60s }"), {
            onProgress: (p) => { dir = /^run dir (\S+)/.exec(p)?.[1] ?? dir; },
          }),
          (app) =>
            Effect.promise(async () => {
              ports.push(...app.services.map((s) => Number(new URL(s.url).port)), Number(new URL(app.url).port), Number(new URL(app.adminUrl).port));
              const load = Array.from({ length: 8 }, () => drive(Array.from({ length: 40 }, () => get(`${app.url}/items/2`)), 1));
              // the new replica answers its /healthz: it is in the injected boot wait now
              await until("replica 2 started", async () => app.scaling!.instances().booting === 1 && (await fetch(`${app.services[1]!.url}/healthz`).then((r) => r.ok, () => false)));
              booted!();
              await Promise.all(load);
              return await new Promise<never>(() => {});
            }),
        ),
      ),
    );
    await reachedBoot;
    await Effect.runPromise(Fiber.interrupt(fiber));
    const exit = await Effect.runPromise(Fiber.await(fiber));
    expect(Exit.isInterrupted(exit)).toBe(true);
    expect(ports.length).toBe(4);
    expect(await leftovers(dir, ports)).toEqual([]);
  });
});

describe("headroom app up, SIGTERM mid-scale-out (what Ctrl-C does)", () => {
  it("exits 0 and leaves nothing while a new replica boots", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-test-"));
    const file = join(dir, "scaled.yaml");
    writeFileSync(file, `version: 1
name: t-dyn-cli
load: { model: open, rate: 10/s, classes: { get_item: { http: { method: GET, path: "/items/{key}" }, keys: { count: 100 }, flow: [{ call: lb }] } } }
components:
  lb: { kind: load_balancer, backends: api, maxconn: 4 }
  api:
    kind: service
    replicas: 1
    concurrency: 4
    autoscaling: { min: 1, max: 2, target: 0.5, interval: 0.3s, cooldown_out: 1s, cooldown_in: 60s, boot: 60s }
    handlers: { get_item: [{ service: 20ms }] }
`);
    const child = spawn(process.execPath, ["bin/headroom.mjs", "app", "up", file], { cwd: join(import.meta.dirname, ".."), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      await until("the app ready", () => /Press Ctrl-C/.test(out), 90_000);
      const entry = /entry:\s+(\S+)/.exec(out)![1]!;
      const runDir = /started run dir (\S+)/.exec(out)![1]!;
      let loading = true;
      const load = Promise.all(Array.from({ length: 8 }, async () => {
        while (loading) await fetch(`${entry}/items/1`).then((r) => r.text(), () => "");
      }));
      // the standby replica's process answers: the run sits in the injected boot wait
      await until("replica 2 started", () => /replica 2 started in/.test((() => { try { return readFileSync(join(runDir, "logs", "autoscaler.log"), "utf8"); } catch { return ""; } })()));
      child.kill("SIGTERM");
      const code = await exited;
      loading = false;
      await load;
      expect(code).toBe(0);
      const ports = [...out.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
      // every place's port is in the metrics line, the standby's included: HAProxy, admin, 2 places
      expect(/metrics:\s+(.*)/.exec(out)![1]!.trim().split(/\s+/)).toHaveLength(2);
      expect(new Set(ports).size).toBeGreaterThanOrEqual(4);
      expect(await leftovers(runDir, ports)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a gateway rate limit (nginx limit_req in front of HAProxy)", () => {
  let app: RunningApp;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ app, stop } = await startAppPromise(scenario(`
  lb: { kind: load_balancer, backends: api, maxconn: 64, rate_limit: { rate: 20/s, burst: 5 } }
  api: { kind: service, replicas: 1, concurrency: 64, handlers: { get_item: [{ service: 1ms }] } }
`)));
  });
  afterAll(async () => stop?.());

  it("lets a burst of `burst` through at once and answers the rest 429", async () => {
    const replies = await drive(Array.from({ length: 30 }, () => get(`${app.url}/items/3`)), 30);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ 200: 5, 429: 25 });
  });

  it("holds the rate: 100 req/s offered for 3 s, the bucket's burst + 20/s accepted", async () => {
    await new Promise((r) => setTimeout(r, 1000)); // the bucket is full again (5 tokens after 0.25 s)
    const out: Promise<number>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < 300; i++) {
      const wait = t0 + i * 10 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      out.push(fetch(`${app.url}/items/${i % 100}`).then((r) => r.status));
    }
    const spanS = (performance.now() - t0) / 1000;
    const statuses = await Promise.all(out);
    const ok = statuses.filter((s) => s === 200).length;
    // A token bucket under overload accepts its full bucket plus the rate times the time the
    // offers span (a token waits for the next arrival, 10 ms at most here, and is not lost):
    // 5 + 20 x span, within 1 for the last token's wait and the millisecond clock.
    expect(Math.abs(ok - (5 + 20 * spanS))).toBeLessThanOrEqual(1.5);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });
});

describe("bad input for the dynamics (CLI)", () => {
  const cases = [
    ["a rate limit nginx cannot hold", "  lb: { kind: load_balancer, backends: api, rate_limit: { rate: 0.005/s } }\n  api: { kind: service, handlers: { a: [{ service: 1ms }] } }\n", "lb", "components.lb.rate_limit: nginx's limit_req cannot hold rate 0.005/s"],
    ["auto-scaling without a load balancer", "  api: { kind: service, autoscaling: { min: 1, max: 3, target: 0.5 }, handlers: { a: [{ service: 1ms }] } }\n", "api", "components.api.autoscaling: auto-scaling needs a load_balancer"],
  ] as const;
  it.each(cases)("%s: check and up exit 2, name the field, start nothing", async (_, components, entry, message) => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-test-"));
    try {
      const file = join(dir, "s.yaml");
      writeFileSync(file, `version: 1\nname: bad\nload: { model: open, rate: 10/s, classes: { a: { http: { method: GET, path: /a }, flow: [{ call: ${entry} }] } } }\ncomponents:\n${components}`);
      const check = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
        execFile(process.execPath, ["bin/headroom.mjs", "app", "check", file], { cwd: join(import.meta.dirname, "..") }, (e, _out, stderr) => resolve({ code: e ? (e as { code?: number }).code ?? 1 : 0, stderr })));
      expect(check.code).toBe(2);
      expect(check.stderr).toContain(`${file}: ${message}`);
      const up = await appUp(file);
      expect(up.code).toBe(2);
      expect(up.stderr).toContain(message);
      expect(up.stderr).not.toMatch(/started|internal error|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
