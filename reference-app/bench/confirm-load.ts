// The broker confirm as the reference app pays it, at open Poisson rates (partitioned-queue's
// publish path): the app's own Publisher (amqplib, Nagle off, one confirm channel, persistent JSON
// of the app's size), 4 durable partition queues (max_length 100000 split over them,
// reject-publish, as the launcher declares them) picked by the simulator's key hash from
// Zipf(200, 1.1) keys, the handler's 1 ms wait before each publish, and one consumer per partition
// in another process (confirm-consumers.ts) taking 25 ms per message with prefetch 1. Arrivals are
// open: each starts on its own schedule, whatever is in flight. Per publish: the confirm time, the
// publishes in flight and the gap since the previous publish; per rate, the broker's ack frames
// and how many carried `multiple` (several publishes confirmed at once). The queues are named after
// the process and deleted at the end, also on failure. Used by bench/confirm-rate.ts and
// confirm-wake.e2e.test.ts.
import amqp from "amqplib";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { Publisher } from "../service/publisher.ts";
import { serviceMetrics } from "../service/metrics.ts";
import { KeySampler, mathRandom } from "../../simulator/random.ts";

export interface ConfirmSample {
  /** Index of the pass (o.rates[pass]). */
  readonly pass: number;
  readonly ms: number;
  readonly inFlight: number;
  readonly gapMs: number;
}

export interface ConfirmRun {
  readonly samples: ConfirmSample[];
  /** Per pass: the broker's ack frames and those with `multiple` set. */
  readonly acks: Array<{ frames: number; multiple: number }>;
}

/** Publishes at each open Poisson rate in turn for `seconds` (the first second of each not recorded). */
export async function publishAtRates(o: { url: string; rates: readonly number[]; seconds: number }): Promise<ConfirmRun> {
  const names = [0, 1, 2, 3].map((i) => `hr-confirm-rate-${process.pid}-${Date.now()}.p${i}`);
  const admin = await amqp.connect(o.url);
  let child: ReturnType<typeof spawn> | undefined;
  let pub: Publisher | undefined;
  try {
    const adminCh = await admin.createChannel();
    for (const n of names) await adminCh.assertQueue(n, { durable: true, autoDelete: false, arguments: { "x-max-length": 25000, "x-overflow": "reject-publish" } });
    const consumers = fileURLToPath(new URL("./confirm-consumers.ts", import.meta.url));
    const runTs = fileURLToPath(new URL("../../bin/run-ts.mjs", import.meta.url));
    child = spawn(process.execPath, [runTs, consumers, o.url, names.join(",")], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const started = child;
    await new Promise<void>((resolve, reject) => {
      started.once("message", () => resolve());
      started.once("exit", (code) => reject(new Error(`the consumers' process exited (${code}) before it was ready`)));
    });
    pub = await Publisher.open(o.url, new Map([["events", names]]), serviceMetrics({ service: "bench", replica: "0" }));
    const published = pub;
    // the app's channel, read only to count the broker's ack frames
    const channel = (pub as unknown as { channel: amqp.ConfirmChannel }).channel;
    const acks = o.rates.map(() => ({ frames: 0, multiple: 0 }));
    let pass = 0;
    channel.on("ack", (f: { multiple: boolean }) => {
      acks[pass].frames++;
      if (f.multiple) acks[pass].multiple++;
    });
    const keys = new KeySampler(200, 1.1);
    const samples: ConfirmSample[] = [];
    for (pass = 0; pass < o.rates.length; pass++) {
      const rate = o.rates[pass];
      const p = pass;
      const pending: Promise<void>[] = [];
      let inFlight = 0;
      let lastPublish = performance.now();
      const begin = performance.now();
      const warm = begin + 1000;
      const end = begin + o.seconds * 1000;
      let next = begin;
      for (;;) {
        next += (-Math.log(1 - Math.random()) * 1000) / rate;
        if (next > end) break;
        const wait = next - performance.now();
        if (wait > 0) await sleep(wait);
        pending.push((async () => {
          await sleep(1); // the handler's `service: 1ms`, a wait in the app
          const t0 = performance.now();
          const gapMs = t0 - lastPublish;
          lastPublish = t0;
          const before = inFlight++;
          const key = keys.sample(mathRandom);
          await published.publish("events", { order_id: crypto.randomUUID(), class: "event", key, published_at: Date.now() }, key);
          inFlight--;
          if (t0 > warm) samples.push({ pass: p, ms: performance.now() - t0, inFlight: before, gapMs });
        })());
      }
      await Promise.all(pending);
      await sleep(300);
    }
    return { samples, acks };
  } finally {
    if (child?.connected) child.disconnect();
    child?.kill();
    await pub?.close();
    const ch = await admin.createChannel().catch(() => undefined);
    for (const n of names) await ch?.deleteQueue(n).catch(() => {});
    await admin.close().catch(() => {});
  }
}

/**
 * The model's confirm_wake fitted to the samples: ms = base + cost (1 - e^(-gap/idle)), least
 * squares (base and cost linear, idle by a search over 1-300 ms), above the 99th percentile left
 * out (a few 20 ms stalls would pull the fit, and the model's confirm keeps its own spread).
 */
export function fitWake(samples: readonly ConfirmSample[]): { baseMs: number; costMs: number; idleMs: number } {
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const cap = sorted[Math.floor(0.99 * (sorted.length - 1))];
  const xs = samples.filter((s) => s.ms <= cap);
  let best = { sse: Infinity, baseMs: 0, costMs: 0, idleMs: 0 };
  for (let idle = 1; idle <= 300; idle *= 1.02) {
    let n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const s of xs) {
      const x = 1 - Math.exp(-s.gapMs / idle);
      n++; sx += x; sy += s.ms; sxx += x * x; sxy += x * s.ms;
    }
    const cost = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    const base = (sy - cost * sx) / n;
    let sse = 0;
    for (const s of xs) {
      const r = s.ms - base - cost * (1 - Math.exp(-s.gapMs / idle));
      sse += r * r;
    }
    if (sse < best.sse) best = { sse, baseMs: base, costMs: cost, idleMs: idle };
  }
  return { baseMs: best.baseMs, costMs: best.costMs, idleMs: best.idleMs };
}
