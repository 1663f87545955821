// scenarios/validation/partitioned-queue.yaml started for real: the service publishes each event
// to the partition the simulator's hash gives its key (service/publisher.ts), the run declares one
// queue and starts one worker per partition (launcher.ts), and every event is handled exactly by
// the worker of its partition. Counts are exact: 400 events over keys 0..199 plus a burst on key 0.
// Per-key order within a partition is proven in partitions.e2e.test.ts. About 30 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { bundled, drive, metricSum, post } from "./testing.ts";
import { partitionOf } from "./parts/partitions.ts";

let app: RunningApp;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ app, stop } = await startAppPromise(bundled("validation/partitioned-queue"), { file: "scenarios/validation/partitioned-queue.yaml" }));
});
afterAll(async () => {
  await stop?.();
});

describe("partitioned-queue reference app", () => {
  it("starts one worker per partition and hands each event to its key's partition", async () => {
    const P = 4;
    expect(app.workers.map((w) => w.name)).toEqual([1, 2, 3, 4].map((i) => `worker-events-${i}`));
    const keys = [...Array.from({ length: 200 }, (_, k) => k), ...Array.from({ length: 200 }, (_, k) => k % 3 === 0 ? 0 : k)];
    const replies = await drive(keys.map((k) => post(`${app.classUrl.event}/events/${k}`, {})), 16);
    expect(replies.filter((r) => r.status >= 300).map((r) => `${r.status} ${r.body.slice(0, 80)}`)).toEqual([]);
    const expected = Array.from({ length: P }, (_, p) => keys.filter((k) => partitionOf(k, P) === p).length);
    const acked = () => Promise.all(app.workers.map((w) => metricSum([`${w.url}/metrics`], "headroom_queue_acked_total")));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await acked()).reduce((a, b) => a + b, 0) < keys.length) await new Promise((r) => setTimeout(r, 200));
    // Worker i consumes partition i - 1: its count is exactly that partition's share of the keys.
    expect(await acked()).toEqual(expected);
    expect(Math.max(...expected)).toBeGreaterThan(keys.length / P);
  });
});
