// The resilience gateway on real sockets of 127.0.0.1, in front of a small upstream whose answers
// the test scripts: a failed attempt is sent again (its body too) and the user sees the 2xx; after
// the last attempt the user sees the last failure as it came; a timeout answers 504; an open
// breaker answers 503 circuit_open at once without reaching upstream; its windows count from the
// first request; the counts on /metrics are the caller's. Every server and socket is closed at the end.
import { afterEach, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startGateway, type Gateway } from "./gateway.ts";
import { sumMetrics } from "../prom.ts";

interface Upstream {
  readonly url: string;
  readonly seen: Array<{ method: string; url: string; body: string }>;
  close(): Promise<void>;
}

/** Answers request i (from 0) with answer(i): [status, body] or "hang" (no answer). */
async function upstream(answer: (i: number) => [number, string] | "hang"): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const i = seen.length;
      seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString() });
      const a = answer(i);
      if (a === "hang") return;
      res.writeHead(a[0], { "content-type": "text/plain", "x-upstream": String(i) }).end(a[1]);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
});

async function gatewayFor(up: Upstream, spec: Parameters<typeof startGateway>[0]["spec"]): Promise<Gateway> {
  const g = await startGateway({ upstream: up.url, service: "api", spec, seed: 7 }, 0);
  open.push(g);
  return g;
}

const at = (g: Gateway) => `http://127.0.0.1:${g.port}`;

describe("resilience gateway", () => {
  it("retries a failed attempt with its body and passes the 2xx back as it came", async () => {
    const up = await upstream((i) => (i < 2 ? [503, "busy"] : [201, `made ${i}`]));
    open.push(up);
    const g = await gatewayFor(up, { retries: { attempts: 3, backoff: 0.001, max_backoff: 0.002, jitter: "full" } });
    const r = await fetch(`${at(g)}/orders?x=1`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"product":3}' });
    expect(r.status).toBe(201);
    expect(r.headers.get("x-upstream")).toBe("2");
    expect(await r.text()).toBe("made 2");
    expect(up.seen).toEqual(Array.from({ length: 3 }, () => ({ method: "POST", url: "/orders?x=1", body: '{"product":3}' })));
    expect(g.caller.counts()).toMatchObject({ calls: 1, attempts: 3, retries: 2, failed: 0 });
  });

  it("after the last attempt answers the last failure; /metrics counts what happened", async () => {
    const up = await upstream((i) => [i === 0 ? 500 : 503, `no ${i}`]);
    open.push(up);
    const g = await gatewayFor(up, { retries: { attempts: 2, backoff: 0.001, max_backoff: 0.001, jitter: "none" } });
    const r = await fetch(`${at(g)}/items/1`);
    expect([r.status, await r.text()]).toEqual([503, "no 1"]);
    const m = sumMetrics(await (await fetch(`${at(g)}/metrics`)).text());
    expect(m.get("headroom_gateway_resilience_total")).toBe(1 + 2 + 1 + 1); // calls, attempts, retries, failed
    expect(up.seen).toHaveLength(2);
  });

  it("answers 504 when no attempt answers within the timeout", async () => {
    const up = await upstream(() => "hang");
    open.push(up);
    const g = await gatewayFor(up, { timeout: 0.05, retries: { attempts: 2, backoff: 0.001, max_backoff: 0.001, jitter: "none" } });
    const t0 = performance.now();
    const r = await fetch(`${at(g)}/items/1`);
    const ms = performance.now() - t0;
    expect(r.status).toBe(504);
    expect(r.headers.get("x-headroom-failure")).toBe("timeout");
    // two attempts of 50 ms and a 1 ms backoff; generous above for a loaded machine
    expect(ms).toBeGreaterThanOrEqual(100);
    expect(ms).toBeLessThan(2000);
    expect(g.caller.counts()).toMatchObject({ calls: 1, attempts: 2, timeouts: 2, failed: 1 });
  });

  it("with its breaker open, answers 503 circuit_open at once and sends nothing upstream", async () => {
    const up = await upstream(() => [500, "down"]);
    open.push(up);
    // opens at the end of a 200 ms window holding at least 4 calls that all failed
    const g = await gatewayFor(up, { circuit_breaker: { failure_rate: 0.5, window: 0.2, min_calls: 4, open_for: 30, half_open_calls: 1 } });
    const deadline = Date.now() + 10_000;
    // failed calls until the window closes on them (the last may already meet the open breaker)
    while (g.snapshot().breaker?.state !== "open" && Date.now() < deadline) expect([500, 503]).toContain((await fetch(`${at(g)}/items/1`)).status);
    const before = g.caller.counts().shortCircuited;
    expect(g.snapshot().breaker?.state).toBe("open");
    const sent = up.seen.length;
    expect(sent).toBeGreaterThanOrEqual(4);
    const r = await fetch(`${at(g)}/items/9`);
    expect(r.status).toBe(503);
    expect(r.headers.get("x-headroom-failure")).toBe("circuit_open");
    expect(up.seen.length).toBe(sent);
    expect(g.caller.counts()).toMatchObject({ calls: sent + before + 1, attempts: sent, shortCircuited: before + 1, breakerOpened: 1, failed: sent + before + 1 });
  });

  it("counts the breaker's windows from the first user's request, not from its own start", async () => {
    const up = await upstream(() => [500, "down"]);
    open.push(up);
    const g = await gatewayFor(up, { circuit_breaker: { failure_rate: 0.5, window: 0.3, min_calls: 1, open_for: 30, half_open_calls: 1 } });
    // 250 ms into the gateway's first window: counted from its start, the window would close (and
    // open the breaker on this failure) about 50 ms after the request
    await new Promise((r) => setTimeout(r, 250));
    const first = Date.now();
    expect((await fetch(`${at(g)}/items/1`)).status).toBe(500);
    const deadline = Date.now() + 5000;
    while (g.snapshot().breaker?.state !== "open" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const opened = g.snapshot().breaker!.changes.find((c) => c.state === "open")!;
    expect(opened.t - first).toBeGreaterThanOrEqual(290);
  });

  it("refuses an https upstream (it speaks plain HTTP to it)", async () => {
    await expect(startGateway({ upstream: "https://127.0.0.1:1", service: "api", spec: {}, seed: 1 }, 0)).rejects.toThrow(/plain HTTP/);
  });
});
