// Why a broker's publish confirm measured shorter at higher rates (partitioned-queue, docs/validation.md):
// it times publishes with confirm on the local RabbitMQ, one at a time, and sorts them by how long
// the publisher had been idle before each one. Three questions, one run:
//   1. by rate: the mean and median confirm at Poisson rates 10, 37, 64 and 150/s;
//   2. by idle gap: the same publishes grouped by the time since the previous confirm came back,
//      which is what a rate changes (each confirm is awaited before the next publish, so the
//      broker never gets two at once: batching cannot be the cause);
//   3. whose wake-up it is: a publish every ~60 ms with the broker otherwise idle, then with another
//      connection keeping the broker busy (~400 publishes/s): what is left is the publisher's side.
// Uses its own queues (named after the process, deleted at the end) on the broker at AMQP_URL
// (default amqp://guest:guest@127.0.0.1:5672). Prints the load average beside the figures.
// Run: node bin/run-ts.mjs reference-app/bench/confirm-idle.ts
import amqp from "amqplib";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

const url = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const body = Buffer.alloc(200, 120);

interface Sample {
  readonly rate: number;
  readonly idleMs: number;
  readonly ms: number;
}

function publishConfirmed(ch: amqp.ConfirmChannel, queue: string): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish("", queue, body, {}, (err) => (err ? reject(err) : resolve()));
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: readonly number[]) => `n ${String(xs.length).padStart(4)}  mean ${mean(xs).toFixed(3)} ms  p50 ${median(xs).toFixed(3)} ms`;
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/** Publishes at Poisson `rate` for about 8 s (at most 600), each awaited, recording the idle gap before it. */
async function atRate(ch: amqp.ConfirmChannel, queue: string, rate: number, out: Sample[]): Promise<void> {
  const n = Math.min(600, rate * 8);
  let last = performance.now();
  for (let i = 0; i < n; i++) {
    await sleep(-Math.log(1 - Math.random()) * 1000 / rate);
    const t0 = performance.now();
    await publishConfirmed(ch, queue);
    const t1 = performance.now();
    out.push({ rate, idleMs: t0 - last, ms: t1 - t0 });
    last = t1;
  }
}

/** 150 publishes about 60 ms apart. */
async function sparse(ch: amqp.ConfirmChannel, queue: string): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < 150; i++) {
    await sleep(50 + Math.random() * 20);
    const t0 = performance.now();
    await publishConfirmed(ch, queue);
    ms.push(performance.now() - t0);
  }
  return ms;
}

/** Another connection publishing every ~2 ms to a capped queue until `stop` resolves. */
async function keepBusy(stop: Promise<void>): Promise<void> {
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    const queue = `hr-confirm-idle-busy-${process.pid}`;
    await ch.assertQueue(queue, { durable: false, arguments: { "x-max-length": 100 } });
    let stopped = false;
    void stop.then(() => { stopped = true; });
    while (!stopped) {
      await sleep(2);
      await publishConfirmed(ch, queue);
    }
    await ch.deleteQueue(queue);
  } finally {
    await conn.close();
  }
}

const conn = await amqp.connect(url);
const queue = `hr-confirm-idle-${process.pid}`;
try {
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue(queue, { durable: false });
  console.log(`load average at start: ${load()}`);

  const samples: Sample[] = [];
  for (const rate of [10, 37, 64, 150, 37, 10]) await atRate(ch, queue, rate, samples);
  console.log("\n1. confirm by rate (Poisson, one publish at a time)");
  for (const rate of [10, 37, 64, 150]) console.log(`  ${String(rate).padStart(3)}/s  ${fmt(samples.filter((s) => s.rate === rate).map((s) => s.ms))}`);
  console.log("\n2. the same publishes by the publisher's idle gap before each");
  for (const [lo, hi] of [[0, 2], [2, 5], [5, 10], [10, 20], [20, 50], [50, 100], [100, Infinity]]) {
    const ms = samples.filter((s) => s.idleMs >= lo && s.idleMs < hi).map((s) => s.ms);
    if (ms.length > 0) console.log(`  idle ${lo}-${hi === Infinity ? "" : hi} ms`.padEnd(20) + fmt(ms));
  }

  console.log("\n3. whose wake-up: a publish every ~60 ms");
  for (let round = 1; round <= 2; round++) {
    console.log(`  round ${round}, broker otherwise idle:  ${fmt(await sparse(ch, queue))}`);
    let release = () => {};
    const busy = keepBusy(new Promise<void>((r) => { release = r; }));
    await sleep(1000);
    const ms = await sparse(ch, queue);
    release();
    await busy;
    console.log(`  round ${round}, broker kept busy:       ${fmt(ms)}`);
  }
  await ch.deleteQueue(queue);
  console.log(`\nload average at end: ${load()}`);
} finally {
  await conn.close();
}
