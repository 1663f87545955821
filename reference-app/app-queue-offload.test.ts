// The queue-offload scenario started for real: orders are written, published on a confirm channel
// and processed by two workers into `processed`. Proves "no data lost": every 201 ends as exactly
// one processed row although a worker is killed (SIGKILL) while it holds messages, under load, and
// restarted. Also checks the pause/resume fault, the async-latency metric and queue deletion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import amqp from "amqplib";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { appPorts, bundled, countBy, drive, expectVhostGone, leftovers, metricSum, post, type Reply } from "./testing.ts";

let app: RunningApp;
let stop: () => Promise<void>;
let firstHalf: Reply[] = [];

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(bundled("queue-offload"), { file: "scenarios/queue-offload.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const admin = (path: string) => fetch(`${app.adminUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });

async function processedIds(): Promise<string[]> {
  const c = new pg.Client({ host: "127.0.0.1", port: app.db!.primaryPort, user: app.db!.user, password: app.db!.password, database: app.db!.database });
  await c.connect();
  try {
    return (await c.query<{ order_id: string }>("SELECT order_id FROM processed")).rows.map((r) => r.order_id);
  } finally {
    await c.end();
  }
}

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const idsOf = (replies: Reply[]) => replies.filter((r) => r.status === 201).map((r) => JSON.parse(r.body).order_id as string);

/** The run's own vhost (`headroom.<run>`), or undefined when it shares the broker's (no rabbitmqctl). */
const runVhost = () => {
  const v = decodeURIComponent(new URL(app.amqpUrl).pathname.slice(1));
  return v.startsWith("headroom.") ? v : undefined;
};

describe("queue-offload reference app", () => {
  // As root (CI) rabbitmqctl works, so the run must have its own vhost and user; guest, the broker's
  // shared account, and a wrong password cannot open it, and run.json does not hold the password.
  it("keeps the run's queues in its own vhost, closed to guest and to a wrong password", async () => {
    if (process.getuid?.() !== 0) return; // without rabbitmqctl the run shares the vhost: documented
    const vhost = runVhost();
    expect(vhost).toMatch(/^headroom\.queue-offload-[0-9a-f]{8}$/);
    const base = new URL(app.amqpUrl);
    const as = (user: string, password: string) => `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${base.host}/${encodeURIComponent(vhost!)}`;
    for (const url of [as("guest", "guest"), as(vhost!, "guess")]) {
      await expect(amqp.connect(url).then((c) => c.close())).rejects.toThrow(/ACCESS_REFUSED|ConnectionClose|NOT_ALLOWED|403|530/);
    }
    const runJson = readFileSync(join(app.runDir, "run.json"), "utf8");
    expect(runJson).not.toContain(decodeURIComponent(base.password));
    expect(JSON.parse(runJson).amqpUrl).toContain(":***@");
  });

  it("a worker's pause/resume endpoints refuse a missing or wrong token (same length included)", async () => {
    const w = app.workers[0]!;
    const wrong = app.token.slice(0, -1) + (app.token.endsWith("0") ? "1" : "0");
    const tries: Record<string, string>[] = [{}, { authorization: `Bearer ${wrong}` }, { authorization: app.token }];
    for (const headers of tries) {
      const res = await fetch(`${w.url}/admin/pause`, { method: "POST", headers });
      expect(res.status).toBe(401);
    }
    expect(await metricSum([`${w.url}/metrics`], "headroom_worker_paused")).toBe(0);
  });

  it("pauses the workers on demand: 150 orders wait in the queue, none is processed", async () => {
    expect((await admin("/faults/workers/pause")).status).toBe(200);
    firstHalf = await drive(Array.from({ length: 150 }, (_, i) => post(`${app.url}/orders`, { product: i % 100 })), 8);
    expect(countBy(firstHalf, (r) => String(r.status))).toEqual({ "201": 150 });
    expect((await app.sample()).queues?.orders).toMatchObject({ depth: 150, consumers: 0 });
    expect(await processedIds()).toEqual([]);
  });

  it("loses no order: worker 1 SIGKILLed holding messages and restarted under load, every 201 is exactly one processed row", async () => {
    expect((await admin("/faults/workers/resume")).status).toBe(200);
    // With 150 waiting, each worker holds up to `prefetch` unacknowledged messages: kill worker 1 then.
    const w1 = app.workers.find((w) => w.name === "worker-orders-1")!;
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && (await metricSum([`${w1.url}/metrics`], "headroom_worker_busy")) === 0) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await admin("/faults/workers/orders/1/kill")).status).toBe(200);

    let answered = 0;
    let restarted: Promise<Response> | undefined;
    const requests = Array.from({ length: 150 }, (_, i) => async () => {
      const res = await post(`${app.url}/orders`, { product: i % 100 })();
      if (++answered === 75) restarted = admin("/faults/workers/orders/1/restart");
      return res;
    });
    const secondHalf = await drive(requests, 8);
    expect((await restarted)?.status).toBe(200);
    expect(countBy(secondHalf, (r) => String(r.status))).toEqual({ "201": 150 });
    const accepted = idsOf([...firstHalf, ...secondHalf]);
    expect(accepted).toHaveLength(300);

    await waitFor(async () => (await processedIds()).length >= accepted.length, 30_000);
    const processed = await processedIds();
    expect(processed.length).toBe(accepted.length);
    expect(new Set(processed)).toEqual(new Set(accepted));
    const s = await app.sample();
    expect(s.queues?.orders).toMatchObject({ depth: 0, dead: 0, consumers: 2 });
    // The messages worker 1 held when it died were delivered again, and none counted twice.
    expect(await metricSum(app.metricsUrls, "headroom_queue_redelivered_total")).toBeGreaterThan(0);
  });

  it("exposes published, acked and publish->processed latency on /metrics", async () => {
    const published = await metricSum(app.metricsUrls, "headroom_queue_published_total", { queue: "orders" });
    expect(published).toBe(300);
    // Workers that were killed lost their counters; the live ones' acks and latency counts agree.
    const acked = await metricSum(app.metricsUrls, "headroom_queue_acked_total");
    expect(acked).toBeGreaterThan(0);
    expect(await metricSum(app.metricsUrls, "headroom_async_latency_seconds_count")).toBe(acked);
  });

  it("stops everything and deletes the run's queues", async () => {
    const ports = appPorts(app);
    const dir = app.runDir;
    const names = app.queues.orders!;
    await stop();
    expect(await leftovers(dir, ports)).toEqual([]);
    const vhost = runVhost();
    if (vhost) return expectVhostGone(vhost);
    const conn = await amqp.connect(app.amqpUrl);
    try {
      for (const q of [names.queue, names.dlq]) {
        const ch = await conn.createChannel();
        ch.on("error", () => {});
        await expect(ch.checkQueue(q)).rejects.toThrow(/NOT_FOUND/);
      }
    } finally {
      await conn.close().catch(() => {});
    }
  });
});
