// `headroom capacity` with a realtime component: session rates scale with the load, the verdict
// fails a level that refuses more than 1% of connection attempts (or saturates the send queues or
// backbone), and the answer carries the connections held at the capacity. Against Erlang B: 300
// slots refuse 1% at a = 285.7 offered connections, so with the load's 2 sessions/s x 60 s at
// 10 req/s the capacity is near 10 x 285.7 / 120 = 23.8 req/s; retries of refused clients add a
// little load, so the simulated level lies a few percent below (measured 22.3).
import { describe, expect, it } from "vitest";
import { scenarioOf } from "../simulator/testing.ts";
import { analyticBracket, scaleLoad } from "../simulator/analytic/index.ts";
import { firstFailure } from "./verdict.ts";
import { runSearch } from "./search.ts";

const yaml = `version: 1
name: rt-small
seed: 3
simulation: { duration: 600s, warmup: 200s, replications: 2 }
load:
  model: open
  rate: 10/s
  classes: { ping: { flow: [{ call: api }] } }
  connections:
    chat: { rate: 2/s, lifetime: { dist: exponential, mean: 60s }, messages: 1/m }
components:
  api: { kind: service, replicas: 1, concurrency: 8, handlers: { ping: [{ service: 5ms }] } }
  chat: { kind: realtime, instances: 2, max_connections: 150, backbone: { service: 100us }, channels: { count: 20 } }
slo:
  latency: { p99: 100ms }
`;
const s = scenarioOf(yaml, "rt-small.yaml");

/** Erlang's loss formula B(c, a) (written out here: the simulator's copy is not a public entry). */
function erlangB(c: number, a: number): number {
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** The offered connections a with B(300, a) = 1%, by bisection. */
function offeredAt1pct(): number {
  let lo = 1, hi = 300;
  for (let i = 0; i < 60; i++) { const mid = (lo + hi) / 2; if (erlangB(300, mid) < 0.01) lo = mid; else hi = mid; }
  return lo;
}

describe("capacity with a realtime component", () => {
  it("scaleLoad scales the session rates with the load", () => {
    const x = scaleLoad(s, 25);
    expect(x.load.connections!.chat.rate).toBeCloseTo(5, 12);
    expect(x.load.connections!.chat.messages).toBe(s.load.connections!.chat.messages);
  });
  it("the verdict: refusals over 1% or a saturated part fail a level", () => {
    expect(firstFailure([], {}, { chat: { utilization: 0.5, limitedBy: "connections", refused: 0.005 } })).toBeNull();
    expect(firstFailure([], {}, { chat: { utilization: 0.5, limitedBy: "connections", refused: 0.02 } })).toBe("realtime chat refused 2% of connection attempts");
    expect(firstFailure([], {}, { chat: { utilization: 0.99, limitedBy: "send", refused: 0 } })).toBe("realtime chat saturated (send 99% busy)");
  });
  it("the analytic bracket is Erlang B's 1% level", () => {
    const level = (10 * offeredAt1pct()) / 120;
    expect(Math.abs(analyticBracket(s).saturation / level - 1)).toBeLessThan(0.03);
  });
  it("a search ends a few percent under it, the connections held there reported", () => {
    const level = (10 * offeredAt1pct()) / 120;
    const o = runSearch({ scenario: s, seed: 3, lo: level * 0.8, hi: level * 1.05, duration: 600, warmup: 200, tolerance: 0.02, maxRuns: 10 });
    expect(o.capacity / level).toBeGreaterThan(0.85);
    expect(o.capacity / level).toBeLessThan(1.0);
    expect(o.aboveCapacity?.failed).toMatch(/^realtime chat refused/);
    const held = o.atCapacity!.connections!.chat;
    // connections held at the capacity: close to the carried load a (1 - B) at that level
    expect(held).toBeGreaterThan(0.9 * 12 * o.capacity * (1 - 0.01));
    expect(held).toBeLessThanOrEqual(300);
  });
});
