// The queue-offload scenario started for real: orders are written, published on a confirm channel
// and processed by two workers into `processed`. Proves "no data lost": every 201 ends as exactly
// one processed row although a worker is killed (SIGKILL) mid-run under load and restarted. Also
// checks the pause-workers fault, the async-latency metric, and that the run's queues are deleted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import amqp from "amqplib";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { appPorts, bundled, countBy, drive, leftovers, metricSum, post, type Reply } from "./testing.ts";

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(bundled("queue-offload"), { file: "scenarios/queue-offload.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

const admin = (path: string) => fetch(`${app.adminUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });

async function processedIds(): Promise<string[]> {
  const c = new pg.Client({ host: "127.0.0.1", port: app.db!.primaryPort, user: "postgres", database: app.db!.database });
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

describe("queue-offload reference app", () => {
  it("loses no order: 300 POSTs, worker 1 killed mid-run and restarted, every 201 is exactly one processed row", async () => {
    let answered = 0;
    let killed = false;
    let restarted: Promise<Response> | undefined;
    const requests = Array.from({ length: 300 }, (_, i) => async () => {
      const res = await post(`${app.url}/orders`, { product: i % 100 })();
      answered++;
      if (answered === 80 && !killed) {
        killed = true;
        // Kill it while it holds messages: they are unacked and must come back.
        const w1 = app.workers.find((w) => w.name === "worker-orders-1")!;
        await waitFor(async () => (await metricSum([`${w1.url}/metrics`], "headroom_worker_busy")) > 0, 3000);
        expect((await admin("/faults/workers/orders/1/kill")).status).toBe(200);
      }
      if (answered === 220 && killed && !restarted) restarted = admin("/faults/workers/orders/1/restart");
      return res;
    });
    const replies = await drive(requests, 8);
    expect(killed).toBe(true);
    expect((await restarted)?.status).toBe(200);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ "201": 300 });
    const accepted = idsOf(replies);

    await waitFor(async () => (await processedIds()).length >= accepted.length, 30_000);
    const processed = await processedIds();
    expect(processed.length).toBe(accepted.length);
    expect(new Set(processed)).toEqual(new Set(accepted));
    const s = await app.sample();
    expect(s.queues?.orders).toMatchObject({ depth: 0, dead: 0, consumers: 2 });
    // The messages worker 1 held when it died were delivered again, and none counted twice.
    expect(await metricSum(app.metricsUrls, "headroom_queue_redelivered_total")).toBeGreaterThan(0);
  });

  it("pauses the workers on demand: 20 orders wait in the queue, then drain on resume", async () => {
    const before = (await processedIds()).length;
    expect((await admin("/faults/workers/pause")).status).toBe(200);
    const replies = await drive(Array.from({ length: 20 }, (_, i) => post(`${app.url}/orders`, { product: i })), 4);
    expect(countBy(replies, (r) => String(r.status))).toEqual({ "201": 20 });
    expect((await app.sample()).queues?.orders).toMatchObject({ depth: 20, consumers: 0 });
    expect((await processedIds()).length).toBe(before);
    expect((await admin("/faults/workers/resume")).status).toBe(200);
    await waitFor(async () => (await processedIds()).length >= before + 20, 10_000);
    expect((await processedIds()).length).toBe(before + 20);
  });

  it("exposes published, acked and publish->processed latency on /metrics", async () => {
    const published = await metricSum(app.metricsUrls, "headroom_queue_published_total", { queue: "orders" });
    expect(published).toBe(320);
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
