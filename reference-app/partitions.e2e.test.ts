// Partitioned queues on the real broker (parts/partitions.ts), in the run's own vhost:
// 1. per-key order holds under concurrency: six publisher connections at once, four partitions
//    with a prefetch window of 16 and uneven handling times, every key's messages handled once, in
//    publish order, on the partition the simulator's hash names; the same traffic on one queue
//    with competing consumers is shown to reorder (so the checker can fail);
// 2. a hot key's partition backs up as the simulator predicts: scenarios/validation/
//    partitioned-queue.yaml's Poisson load with Zipf keys, published open-loop at its rate to four
//    partitions, one consumer each; per-partition throughput and mean depth compared with the
//    simulator run on the measured service time (the calibration docs/validation.md describes).
// Needs RabbitMQ on AMQP_URL (or 127.0.0.1:5672); about 50 s. The depth comparison is calibrated
// but still timing: at load 16-24 on 2 cores the consumers' 25 ms took 36-39 ms a cycle, and the
// depth is then not judged (see `starved`); it has not yet passed on a quiet machine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Effect, Exit, Scope } from "effect";
import amqp from "amqplib";
import { execFileSync } from "node:child_process";
import { brokerAccess, brokerConnection, type Broker } from "./parts/rabbitmq.ts";
import { consumeInOrder, declarePartitions, partitionOf, publishByKey } from "./parts/partitions.ts";
import { bundled } from "./testing.ts";
import { streamFor } from "./sampler.ts";
import { KeySampler } from "../simulator/random.ts";
import { simulate } from "../simulator/index.ts";
import type { Scenario } from "../simulator/model/index.ts";
import { bucketShares } from "../simulator/analytic/index.ts";

/** validation's TARGET_UTILIZATION (validation/compare.ts): above it targets do not apply. */
const TARGET_UTILIZATION = 0.8;

const BASE = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const runId = `pt-${process.pid}-${Date.now().toString(36)}`;
const sleep = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));
const now = () => performance.now() / 1000;

function rabbitmqctl(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v rabbitmqctl"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let scope: Scope.CloseableScope;
let url: string;
let broker: Broker;
const run = <A, E>(eff: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Scope.extend(eff, scope));

beforeAll(async () => {
  scope = Effect.runSync(Scope.make());
  const access = await run(brokerAccess(BASE, runId, rabbitmqctl()));
  url = access.url;
  broker = await run(brokerConnection(url));
});

afterAll(async () => {
  if (scope) await Effect.runPromise(Scope.close(scope, Exit.void));
});

/** Keys whose handled sequence numbers are not 0, 1, 2, ... in order (missing, doubled or swapped). */
function outOfOrder(seen: Map<number, number[]>, perKey: number): number[] {
  const bad: number[] = [];
  for (const [key, seqs] of seen) if (seqs.length !== perKey || seqs.some((s, i) => s !== i)) bad.push(key);
  return bad;
}

describe("partitioned queue on RabbitMQ", () => {
  it("handles each key's messages once, in publish order, on the simulator's partition", async () => {
    const P = 4, KEYS = 240, PER_KEY = 25, PUBLISHERS = 6;
    const names = await run(declarePartitions(broker, runId, { name: "order", partitions: P, overflow: "reject_publish" }));
    const seen = new Map<number, number[]>();
    const wrongPartition: string[] = [];
    const rng = streamFor(7, "partition-order-test");
    const consumers = await Promise.all(names.partitions.map(async (q, p) => {
      const ch = await broker.conn.createChannel();
      return consumeInOrder(ch, q, 16, async (msg) => {
        const { key, seq } = JSON.parse(msg.content.toString()) as { key: number; seq: number };
        if (partitionOf(key, P) !== p) wrongPartition.push(`key ${key} on ${p}`);
        // Uneven handling (0-3 ms): a later message would overtake an earlier one if handled concurrently.
        await sleep(rng.next() * 0.003);
        seen.set(key, [...(seen.get(key) ?? []), seq]);
      });
    }));
    // Each publisher owns keys k = i mod PUBLISHERS and sends them round by round, all at once.
    await Promise.all(Array.from({ length: PUBLISHERS }, async (_, i) => {
      const conn = await amqp.connect(url);
      const ch = await conn.createConfirmChannel();
      const mine = Array.from({ length: KEYS }, (_, k) => k).filter((k) => k % PUBLISHERS === i);
      // All rounds at once, confirms awaited at the end: one channel keeps its publish order.
      const confirms: Promise<number>[] = [];
      for (let seq = 0; seq < PER_KEY; seq++) {
        for (const key of mine) confirms.push(publishByKey(ch, names, key, Buffer.from(JSON.stringify({ key, seq }))));
      }
      await Promise.all(confirms);
      await conn.close();
    }));
    const total = KEYS * PER_KEY;
    const deadline = now() + 60;
    while ([...seen.values()].reduce((n, s) => n + s.length, 0) < total && now() < deadline) await sleep(0.05);
    await Promise.all(consumers.map((c) => c.stop()));
    expect(wrongPartition).toEqual([]);
    expect(seen.size).toBe(KEYS);
    expect(outOfOrder(seen, PER_KEY)).toEqual([]);
    // Every partition got work: the hash spreads 240 uniform keys over all four.
    const perPartition = [0, 1, 2, 3].map((p) => [...seen.keys()].filter((k) => partitionOf(k, P) === p).length);
    expect(Math.min(...perPartition)).toBeGreaterThan(KEYS / P / 2);
  });

  it("would see the disorder: one queue with competing consumers reorders keys", async () => {
    // The checker's negative control: the same traffic, one queue, four consumers handling concurrently.
    // All of it is queued before the consumers start, so each gets a full prefetch window at once
    // whatever the machine's load (consuming while publishing, a loaded machine delivered the
    // messages so far apart that few keys overlapped in flight, and the control failed once in CI).
    // Handling takes 0-20 ms here (0-3 ms gave 10-25 of 40 keys out of order at load 8: too near the bar).
    const names = await run(declarePartitions(broker, runId, { name: "unordered", partitions: 1, overflow: "reject_publish" }));
    const KEYS = 40, PER_KEY = 25;
    const seen = new Map<number, number[]>();
    const rng = streamFor(7, "partition-disorder-test");
    const ch = await broker.conn.createConfirmChannel();
    const confirms: Promise<number>[] = [];
    for (let seq = 0; seq < PER_KEY; seq++) {
      for (let key = 0; key < KEYS; key++) confirms.push(publishByKey(ch, names, key, Buffer.from(JSON.stringify({ key, seq }))));
    }
    await Promise.all(confirms);
    const chans = await Promise.all([0, 1, 2, 3].map(async () => {
      const c = await broker.conn.createChannel();
      await c.prefetch(16);
      await c.consume(names.partitions[0]!, (msg) => {
        if (!msg) return;
        void sleep(rng.next() * 0.02).then(() => {
          const { key, seq } = JSON.parse(msg.content.toString()) as { key: number; seq: number };
          seen.set(key, [...(seen.get(key) ?? []), seq]);
          c.ack(msg);
        });
      });
      return c;
    }));
    const deadline = now() + 30;
    while ([...seen.values()].reduce((n, s) => n + s.length, 0) < KEYS * PER_KEY && now() < deadline) await sleep(0.05);
    for (const c of chans) await c.close().catch(() => {});
    await ch.close().catch(() => {});
    const disordered = outOfOrder(seen, PER_KEY).length;
    console.log(`one queue, four consumers: ${disordered} of ${KEYS} keys out of order`);
    expect(disordered).toBeGreaterThan(KEYS / 4);
  });

  it("backs up the hot key's partition as the simulator predicts", async () => {
    const scenario = bundled("validation/partitioned-queue");
    const q = scenario.components.events;
    const cls = scenario.load.classes.event;
    if (q?.kind !== "queue" || !q.partitions || !cls?.keys || scenario.load.model !== "open") throw new Error("unexpected scenario shape");
    const P = q.partitions;
    const rate = (scenario.load as { rate: number }).rate;
    const service = q.service.dist === "constant" ? q.service.value : NaN;
    const WARMUP = 4, WINDOW = 24;
    const names = await run(declarePartitions(broker, runId, { name: "events", partitions: P, overflow: "reject_publish" }));

    // Measured per partition over the window (messages due in it, all handled after the drain): count, waiting time summed (publish to start of
    // handling, so sum / window is the time-average of messages waiting), service time held.
    // The consumer's real service time is its busy cycle, start to next start while messages wait:
    // the sampled sleep plus the timer's overshoot, the ack and the broker's next delivery.
    const handled = new Float64Array(P), waitSum = new Float64Array(P);
    const busyCycles: number[] = [];
    const lastStart = new Float64Array(P).fill(-1), lastEnd = new Float64Array(P);
    let t0 = 0;
    const inWindow = (t: number) => t >= t0 + WARMUP && t < t0 + WARMUP + WINDOW;
    const consumers = await Promise.all(names.partitions.map(async (name, p) => {
      const ch = await broker.conn.createChannel();
      return consumeInOrder(ch, name, q.prefetch, async (msg) => {
        const start = now();
        const published = (JSON.parse(msg.content.toString()) as { due: number }).due;
        if (lastStart[p]! >= 0 && published <= lastEnd[p]! && inWindow(published)) {
          busyCycles.push(start - lastStart[p]!);
        }
        lastStart[p] = start;
        await sleep(service);
        lastEnd[p] = now();
        if (inWindow(published)) {
          handled[p]++;
          waitSum[p] += start - published;
        }
      });
    }));

    // Open-loop Poisson arrivals with the scenario's Zipf keys, each published at its own time.
    const keys = new KeySampler(cls.keys.count, cls.keys.popularity === "zipf" ? (cls.keys.s ?? 1) : 0);
    const rng = streamFor(scenario.seed, "partition-hot-test");
    const conn = await amqp.connect(url);
    const ch = await conn.createConfirmChannel();
    const pending: Promise<unknown>[] = [];
    t0 = now();
    let next = t0;
    while (next < t0 + WARMUP + WINDOW + 1) {
      next += -Math.log(1 - rng.next()) / rate;
      const lag = next - now();
      if (lag > 0.002) await sleep(lag);
      const key = keys.sample(rng);
      // `due`: when the message was due on the test's clock, so a late publish counts as waiting.
      pending.push(publishByKey(ch, names, key, Buffer.from(JSON.stringify({ key, due: next }))));
    }
    await Promise.all(pending);
    await conn.close();
    const drainBy = now() + 20;
    while (now() < drainBy) {
      const depth = await Promise.all(names.partitions.map((n) => broker.channel.checkQueue(n).then((r) => r.messageCount)));
      if (depth.every((d) => d === 0)) break;
      await sleep(0.1);
    }
    await Promise.all(consumers.map((c) => c.stop()));

    // Calibrated prediction: the simulator with the busy cycles the consumers really took as an
    // empirical service time (stalls of a loaded machine included), 10 replications of the window.
    const held = busyCycles.reduce((a, b) => a + b, 0) / busyCycles.length;
    const REPS = 10;
    const calibrated: Scenario = { ...scenario, components: { ...scenario.components, events: { ...q, service: { dist: "empirical", samples: busyCycles as [number, ...number[]] } } } };
    const pred = simulate(calibrated, { duration: WARMUP + WINDOW, warmup: WARMUP, replications: REPS }).components.events!.parts;
    // Each partition's offered rate: the scenario's rate times its keys' share (the simulator's placement).
    const shares = bucketShares({ count: cls.keys.count, s: cls.keys.popularity === "zipf" ? (cls.keys.s ?? 1) : 0 }, P, "hash", cls.keys.count);
    const rows = names.partitions.map((_, p) => {
      const part = pred[`events[${p}]`]!;
      const ci = part.queueLength.ci95 ?? NaN;
      // One measured run's spread is one replication's: sd = ci95 / 1.96 * sqrt(REPS) (normal approx.).
      const sdRun = (ci / 1.96) * Math.sqrt(REPS);
      return {
        partition: p,
        predOffered: rate * shares[p]!,
        measOffered: handled[p]! / WINDOW,
        predDepth: part.queueLength.mean,
        measDepth: waitSum[p]! / WINDOW,
        depthTolerance: 1.96 * Math.hypot(sdRun, ci / 1.96),
        predUtilization: part.utilization.mean,
      };
    });
    console.log(`busy cycle ${(held * 1000).toFixed(2)} ms per message (${busyCycles.length} cycles) (sampled ${service * 1000} ms); load ${execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).trim()}`);
    console.table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(3))]))));
    const hot = rows.reduce((a, b) => (b.predDepth > a.predDepth ? b : a));
    // A starved machine stretches the cycle in bursts shared by all partitions, which no iid
    // service time reproduces: past 20% over the sampled time the depth is not judged (as
    // validate refuses a starved generator), and the test says so.
    const starved = held > service * 1.2;
    if (starved) console.log(`depth not judged: the busy cycle is ${((held / service - 1) * 100).toFixed(0)}% over the sampled ${service * 1000} ms (machine overloaded)`);
    for (const r of rows) {
      // Every message due in the window was handled (after the drain): its partition's offered rate,
      // within 3 sd of the Poisson count.
      expect(Math.abs(r.measOffered - r.predOffered)).toBeLessThan(3 * Math.sqrt(r.predOffered / WINDOW));
      // Depth as docs/validation.md judges it: below 80% busy (calibrated); nearer saturation a
      // small error in the service time moves the depth without bound, so only the order is checked.
      if (!starved && r.predUtilization < TARGET_UTILIZATION) expect(Math.abs(r.measDepth - r.predDepth)).toBeLessThan(r.depthTolerance);
    }
    // The hot partition is the one the simulator names, and it backs up well beyond the others.
    const measHot = rows.reduce((a, b) => (b.measDepth > a.measDepth ? b : a));
    expect(measHot.partition).toBe(hot.partition);
    for (const r of rows) if (r !== hot) expect(hot.measDepth).toBeGreaterThan(3 * r.measDepth);
  });
});
