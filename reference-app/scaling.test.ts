// The reference app's auto-scaler: the metric it feeds the simulator's machine is the one the
// simulator computes (simulation.ts `control`), and the machine's commands become place changes in
// the simulator's order (provision the lowest off places, decommission the newest serving ones),
// with the model's min, max, step limits and cooldowns. The actuator here records what it is asked
// (the real one starts processes and drives HAProxy: app-autoscaling.e2e.test.ts).
import { afterEach, describe, expect, it, vi } from "vitest";
import { PoolScaler, scalingMetric, type PlaceCounters, type ScalingActuator } from "./scaling.ts";
import type { ScalingPlan } from "./plan.ts";

describe("scalingMetric", () => {
  it("is the simulator's per-instance value: busy slot-seconds / dt / serving (/ slots for utilization)", () => {
    // 2 serving replicas x 4 slots, 6 slot-seconds held over 2 s: 3 busy slots, 1.5 per instance
    expect(scalingMetric("in_flight", 4, 6, 0, 2, 2)).toBeCloseTo(1.5, 12);
    expect(scalingMetric("utilization", 4, 6, 0, 2, 2)).toBeCloseTo(0.375, 12);
    expect(scalingMetric("rps", 4, 6, 300, 2, 2)).toBeCloseTo(75, 12);
    // no serving replica: divided by 1, as the simulator's max(serving, 1)
    expect(scalingMetric("in_flight", 4, 2, 0, 1, 0)).toBe(2);
  });
});

describe("PoolScaler", () => {
  afterEach(() => vi.useRealTimers());
  const plan: ScalingPlan = { min: 1, max: 3, metric: "utilization", target: 0.5, interval: 1, step_out: 1, step_in: 1, cooldown_out: 2, cooldown_in: 3, boot: 0 };

  /** Replicas whose busy slot-seconds grow at `busy()` slots per second each while they serve. */
  function fake(busy: () => number) {
    const counters = new Map<number, PlaceCounters>();
    const calls: string[] = [];
    const act: ScalingActuator = {
      read: async (place) => counters.get(place) ?? { busySeconds: 0, requests: 0 },
      boot: async (place) => { calls.push(`boot ${place}`); },
      drain: async (place) => { calls.push(`drain ${place}`); counters.delete(place); },
    };
    const advance = (places: number[], dt: number) => {
      for (const p of places) {
        const c = counters.get(p) ?? { busySeconds: 0, requests: 0 };
        counters.set(p, { busySeconds: c.busySeconds + busy() * dt, requests: c.requests });
      }
    };
    return { act, calls, advance };
  }

  it("defers an evaluation once when a serving replica's reading is missing, instead of reading it as idle", async () => {
    vi.useFakeTimers();
    // Two serving replicas, 2 of 4 slots busy each: utilization 0.5, the target: nothing to do.
    const f = fake(() => 2);
    let silent = 0; // ticks for which replica 2's /metrics does not answer
    const act: ScalingActuator = { ...f.act, read: async (place) => (place === 2 && silent > 0 ? null : f.act.read(place)) };
    const lines: string[] = [];
    const s = new PoolScaler(plan, 4, 3, 2, act, (l) => lines.push(l));
    s.begin();
    const tick = async () => {
      f.advance([1, 2], 1);
      await vi.advanceTimersByTimeAsync(1000);
      await s.settle();
      if (silent > 0) silent--;
    };
    await tick();
    expect(s.evaluations.map((e) => e.value)).toEqual([0.5]);
    silent = 1;
    await tick(); // deferred: read as idle it would be 0.25 and drain a replica
    expect(s.evaluations).toHaveLength(1);
    expect(lines.some((l) => l.includes("replica(s) 2") && l.includes("deferred"))).toBe(true);
    await tick(); // both intervals from the same baselines
    expect(s.evaluations).toHaveLength(2);
    expect(s.evaluations[1]!.value).toBeCloseTo(0.5, 9);
    expect(f.calls).toEqual([]);
    // Silent two intervals in a row: the second goes on without it (a crashed replica does no work).
    silent = 2;
    await tick();
    await tick();
    expect(s.evaluations).toHaveLength(3);
    expect(s.evaluations[2]!.value).toBeCloseTo(0.25, 9); // replica 1's two intervals over 2 s
    await s.close();
  });

  it("scales out one place per cooldown up to max, then in from the newest, honouring cooldowns", async () => {
    vi.useFakeTimers();
    let perReplica = 4; // every slot of every serving replica busy: utilization 1
    const f = fake(() => perReplica);
    const s = new PoolScaler(plan, 4, 3, 1, f.act);
    s.begin();
    const tick = async () => {
      f.advance([1, 2, 3].filter((p) => s.instances().serving >= p), 1);
      await vi.advanceTimersByTimeAsync(1000);
      await s.settle();
    };
    await tick(); // t=1: utilization 1 > 0.5 -> +1 (step_out 1), cooldown 2 s
    expect(f.calls).toEqual(["boot 2"]);
    expect(s.instances()).toMatchObject({ total: 2, serving: 2 });
    await tick(); // t=2: cooling down
    expect(f.calls).toEqual(["boot 2"]);
    await tick(); // t=3: cooldown over at 3 (timer fires at t=3 with the tick); both timers due at once
    await tick(); // t=4
    expect(f.calls).toEqual(["boot 2", "boot 3"]);
    for (let i = 0; i < 4; i++) await tick();
    expect(s.instances().total).toBe(3); // max
    perReplica = 0;
    await tick();
    expect(f.calls.at(-1)).toBe("drain 3"); // newest first
    expect(s.instances().total).toBe(2);
    await tick(); // cooldown_in 3 s
    await tick();
    expect(f.calls.filter((c) => c.startsWith("drain"))).toEqual(["drain 3"]);
    for (let i = 0; i < 3; i++) await tick();
    expect(f.calls.filter((c) => c.startsWith("drain"))).toEqual(["drain 3", "drain 2"]);
    for (let i = 0; i < 6; i++) await tick();
    expect(s.instances().total).toBe(1); // min
    expect(s.events.map((e) => `${e.place} ${e.state}`)).toEqual([
      "2 booting", "2 serving", "3 booting", "3 serving", "3 draining", "3 off", "2 draining", "2 off",
    ]);
    await s.close();
  });

  it("leaves a place off when its boot fails, and does nothing after close", async () => {
    vi.useFakeTimers();
    const f = fake(() => 4);
    f.act.boot = async () => { throw new Error("port taken"); };
    const lines: string[] = [];
    const s = new PoolScaler(plan, 4, 3, 1, f.act, (l) => lines.push(l));
    s.begin();
    f.advance([1], 1);
    await vi.advanceTimersByTimeAsync(1000);
    await s.settle();
    expect(s.instances()).toMatchObject({ total: 1, serving: 1 });
    expect(lines.some((l) => /booting replica 2 failed: port taken/.test(l))).toBe(true);
    await s.close();
    const n = s.evaluations.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(s.evaluations.length).toBe(n);
  });
});
