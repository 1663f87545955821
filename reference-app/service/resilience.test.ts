// ResilientCaller against a real HTTP upstream on 127.0.0.1 that answers, fails (500) or is slow on
// command: attempt counts, the backoff's waits, the retry budget (earned by every first attempt),
// the per-attempt timeout (the callee keeps working), and the breaker's window, open period and
// half-open probes. Timings are wall-clock on a shared, loaded machine: the tolerances below
// (stated per assertion) are what a timer firing late under load needs, well under the intervals
// they tell apart. About 4 s in all.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BrokenCircuitError } from "cockatiel";
import { CallTimeoutError, ResilientCaller } from "./resilience.ts";

interface Upstream { mode: "ok" | "fail"; delayMs: number; received: number; answered: number }
const up: Upstream = { mode: "ok", delayMs: 0, received: 0, answered: 0 };
let server: Server;
let url = "";

beforeAll(async () => {
  server = createServer((_req, res) => {
    up.received++;
    const mode = up.mode;
    setTimeout(() => {
      up.answered++;
      res.writeHead(mode === "ok" ? 200 : 500).end(mode);
    }, up.delayMs);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const set = (mode: Upstream["mode"], delayMs = 0) => Object.assign(up, { mode, delayMs, received: 0, answered: 0 });
const get = async () => {
  const res = await fetch(url);
  const body = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return body;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const settle = <T>(p: Promise<T>) => p.then((v) => ({ ok: true as const, v }), (e: unknown) => ({ ok: false as const, e }));

describe("retries", () => {
  it("makes `attempts` attempts in all on a failing upstream, and one on an answering one", async () => {
    const c = new ResilientCaller("api", { retries: { attempts: 3, backoff: 0.001, max_backoff: 0.002, jitter: "full" } }, 7);
    set("fail");
    for (let i = 0; i < 20; i++) await expect(c.call(get)).rejects.toThrow("HTTP 500");
    expect(up.received).toBe(60);
    set("ok");
    for (let i = 0; i < 20; i++) await c.call(get);
    expect(up.received).toBe(20);
    expect(c.counts()).toMatchObject({ calls: 40, attempts: 80, retries: 40, failed: 20 });
  });

  it("waits min(max_backoff, backoff x 2^k) before retry k+1 without jitter", async () => {
    // 50 + 80 + 80 = 210 ms of waits; the four requests on loopback add a few ms, a loaded
    // machine's late timers up to ~100 ms more.
    const c = new ResilientCaller("api", { retries: { attempts: 4, backoff: 0.05, max_backoff: 0.08, jitter: "none" } }, 7);
    set("fail");
    const t0 = performance.now();
    await expect(c.call(get)).rejects.toThrow();
    const ms = performance.now() - t0;
    expect(up.received).toBe(4);
    expect(ms).toBeGreaterThanOrEqual(209);
    expect(ms).toBeLessThan(210 + 120);
  });

  it("the budget: every first attempt earns it (failed or not), each retry spends one token", async () => {
    // 100 answered calls earn 10 tokens on top of the 10 held at the start; then 40 calls on a
    // failing upstream, 2 retries wanted each, get what the bucket allows, counted by the same
    // arithmetic here. A budget earned by failed first attempts only would allow 10 + 4 = 14.
    const c = new ResilientCaller("api", { retries: { attempts: 3, backoff: 0.001, max_backoff: 0.001, jitter: "none", budget: 0.1 } }, 7);
    set("ok");
    for (let i = 0; i < 100; i++) await c.call(get);
    set("fail");
    for (let i = 0; i < 40; i++) await expect(c.call(get)).rejects.toThrow("HTTP 500");
    let tokens = 10 + 100 * 0.1, retries = 0, denied = 0;
    for (let i = 0; i < 40; i++) {
      tokens += 0.1;
      for (let k = 0; k < 2; k++) {
        if (tokens < 1) { denied++; break; }
        tokens--; retries++;
      }
    }
    expect(retries).toBe(24);
    expect(c.counts()).toMatchObject({ retries, budgetDenied: denied });
    expect(up.received).toBe(40 + retries);
  });
});

describe("timeout", () => {
  it("stops waiting after `timeout` while the upstream keeps the request and answers it", async () => {
    const c = new ResilientCaller("api", { timeout: 0.1 }, 7);
    set("ok", 300);
    const t0 = performance.now();
    await expect(c.call(get)).rejects.toBeInstanceOf(CallTimeoutError);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(99);
    expect(ms).toBeLessThan(100 + 100);
    expect(up.answered).toBe(0);
    await sleep(350);
    expect(up.answered).toBe(1); // the orphan, as in the model
    expect(c.counts().timeouts).toBe(1);
  });

  it("a timed-out attempt is retried like any failure", async () => {
    const c = new ResilientCaller("api", { timeout: 0.05, retries: { attempts: 2, backoff: 0.001, max_backoff: 0.001, jitter: "none" } }, 7);
    set("ok", 200);
    await expect(c.call(get)).rejects.toBeInstanceOf(CallTimeoutError);
    expect(up.received).toBe(2);
    expect(c.counts()).toMatchObject({ timeouts: 2, retries: 1 });
    await sleep(250);
  });
});

describe("circuit breaker", () => {
  it("opens at the end of the window, short-circuits for open_for, lets half_open_calls probes through, then closes", async () => {
    const spec = { failure_rate: 0.5, window: 0.25, min_calls: 5, open_for: 0.4, half_open_calls: 2 };
    set("fail");
    const c = new ResilientCaller("api", { circuit_breaker: spec }, 7);
    const t0 = Date.now();
    try {
      // Failing calls every 10 ms: the first window (0-250 ms) holds about 20, all failed.
      while (c.breaker!.state === "closed" && Date.now() - t0 < 1000) { await settle(c.call(get)); await sleep(10); }
      const opened = c.breaker!.changes[0];
      expect(opened.state).toBe("open");
      expect(opened.t - t0).toBeGreaterThanOrEqual(249);
      expect(opened.t - t0).toBeLessThan(250 + 80); // the window timer, late under load
      // Open: calls fail at once, nothing reaches the upstream.
      const before = up.received;
      for (let i = 0; i < 10; i++) await expect(c.call(get)).rejects.toBeInstanceOf(BrokenCircuitError);
      expect(up.received).toBe(before);
      while (c.breaker!.state === "open" && Date.now() - t0 < 2000) await sleep(5);
      const half = c.breaker!.changes[1];
      expect(half.state).toBe("half-open");
      expect(half.t - opened.t).toBeGreaterThanOrEqual(399);
      expect(half.t - opened.t).toBeLessThan(400 + 80);
      // Half-open, the upstream answering in 100 ms: of 5 calls at once, 2 go through as probes, 3
      // fail at once; both probes succeed, so it closes.
      set("ok", 100);
      const results = await Promise.all(Array.from({ length: 5 }, () => settle(c.call(get))));
      expect(up.received).toBe(2);
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(results.filter((r) => !r.ok && r.e instanceof BrokenCircuitError)).toHaveLength(3);
      expect(c.breaker!.state).toBe("closed");
      expect(c.counts()).toMatchObject({ breakerOpened: 1 });
      expect(c.breaker!.openTime()).toBeGreaterThanOrEqual(399);
    } finally {
      c.close();
    }
  });

  it("a failed probe opens it again for another open_for", async () => {
    const spec = { failure_rate: 0.5, window: 0.1, min_calls: 3, open_for: 0.2, half_open_calls: 3 };
    set("fail");
    const c = new ResilientCaller("api", { circuit_breaker: spec }, 7);
    try {
      const t0 = Date.now();
      while (c.breaker!.state !== "half-open" && Date.now() - t0 < 2000) { await settle(c.call(get)); await sleep(5); }
      expect(c.breaker!.state).toBe("half-open");
      await expect(c.call(get)).rejects.toThrow("HTTP 500");
      expect(c.breaker!.state).toBe("open");
      const [, half, reopened] = c.breaker!.changes;
      expect(reopened.t - half.t).toBeLessThan(80);
      expect(c.counts().breakerOpened).toBe(2);
    } finally {
      c.close();
    }
  });
});
