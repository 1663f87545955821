// Queue prefetch: RabbitMQ delivers up to `prefetch` unacknowledged messages to each consumer, and
// those are no longer in the queue that `max_length` bounds. Under overload a queue with W workers
// therefore holds W in service, W x (prefetch - 1) delivered and waiting at the consumers, and
// max_length ready: the longest wait line is max_length + W x (prefetch - 1). drop_head drops the
// oldest ready message, never one already delivered.
import { describe, expect, it } from "vitest";
import { compile } from "../../engine/program.ts";
import { runReplication } from "../../engine/simulation.ts";
import { scenarioOf } from "../helpers.ts";

const scenario = (prefetch: number, overflow: string) => scenarioOf(`
version: 1
name: prefetch
seed: 8
load: { model: open, rate: 300/s, classes: { pub: { flow: [{ publish: jobs }] } } }
components:
  jobs: { kind: queue, workers: 2, prefetch: ${prefetch}, service: { dist: exponential, mean: 10ms }, max_length: 10, overflow: ${overflow} }
`);

function run(prefetch: number, overflow: string) {
  const s = scenario(prefetch, overflow);
  const p = compile(s);
  const r = runReplication(p, s, { seed: 8, replication: 0, duration: 60, warmup: 0, interval: 10, series: false });
  const res = r.resources[p.queues[0].workers[0]];
  return { r, res, counts: r.components[p.queues[0].component].counts };
}

describe("queue prefetch and max_length", () => {
  // 300/s offered to 2 workers of 100/s each: the queue is full almost all the time.
  for (const overflow of ["reject_publish", "drop_head"]) {
    it(`${overflow}: prefetch 1 caps the wait line at max_length (10)`, () => {
      const { res, r } = run(1, overflow);
      expect(res.maxQueue).toBe(10);
      expect(r.messages.droppedHead + r.totals.ended.reduce((a, b) => a + b, 0)).toBeGreaterThan(5000);
    });
    it(`${overflow}: prefetch 5 with 2 workers caps it at 10 + 2 x 4 = 18`, () => {
      const { res, r } = run(5, overflow);
      expect(res.maxQueue).toBe(18);
      const m = r.messages;
      expect(m.published).toBe(m.processed + m.deadLettered + m.droppedHead + m.inQueue);
      // Same service capacity: about 200 messages/s processed either way (the backlog is longer).
      expect(m.processed / 60).toBeGreaterThan(185);
      expect(m.processed / 60).toBeLessThan(210);
    });
  }

  it("drop_head with prefetch: the dropped are the ready ones, so a delivered message always finishes", () => {
    // One worker, prefetch 3, constant 100 ms handlings, a message every 10 ms, max_length 1. Each
    // processed message sits behind 2 delivered ones (200 ms), then is handled (100 ms), having
    // waited under 10 ms as the one ready message: 300 to 310 ms from publish to processed.
    // Dropping from the head of the whole line instead would drop delivered messages and leave
    // only fresh ones to process, about 120 ms.
    const s = scenarioOf(`
version: 1
name: prefetch-drop
seed: 8
load: { model: open, rate: 100/s, arrivals: deterministic, classes: { pub: { flow: [{ publish: jobs }] } } }
components:
  jobs: { kind: queue, workers: 1, prefetch: 3, service: 100ms, max_length: 1, overflow: drop_head }
`);
    const p = compile(s);
    const r = runReplication(p, s, { seed: 8, replication: 0, duration: 30, warmup: 5, interval: 10, series: false });
    const q = r.components[p.queues[0].component];
    expect(r.resources[p.queues[0].workers[0]].maxQueue).toBe(3);
    expect(r.messages.droppedHead).toBeGreaterThan(2000);
    expect(q.latency.count).toBeGreaterThan(240);
    expect(q.latency.mean()).toBeGreaterThan(0.295);
    expect(q.latency.mean()).toBeLessThan(0.315);
  });
});
