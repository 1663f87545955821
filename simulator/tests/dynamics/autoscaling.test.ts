// Auto-scaling by target tracking: the pool follows a ramp to the instance count the target
// implies (ceil(λ S / (c target)) at steady load), respects min, max, boot time and cooldowns, and
// bills its time-average instance count.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { startScaler, stepScaler } from "../../dynamics/autoscaler.ts";
import { scenarioOf } from "../helpers.ts";

describe("autoscaler machine", () => {
  const spec = { min: 2, max: 10, metric: "utilization" as const, target: 0.5, interval: 10, step_in: 1, cooldown_out: 30, cooldown_in: 60, boot: 20 };
  it("scales out to the tracked count, waits out its cooldown, then scales in one step at a time", () => {
    let s = startScaler(spec, 2);
    let c;
    [s, c] = stepScaler(s, { type: "METRIC", value: 0.9, serving: 2 });
    expect(s.value).toBe("scaledOut");
    expect(c).toEqual([{ kind: "provision", count: 2 }, { kind: "cooldown", seconds: 30 }]);
    [s, c] = stepScaler(s, { type: "METRIC", value: 0.95, serving: 2 });
    expect(c).toEqual([]); // in cooldown
    [s] = stepScaler(s, { type: "COOLDOWN_OVER" });
    [s, c] = stepScaler(s, { type: "METRIC", value: 0.1, serving: 4 });
    expect(c).toEqual([{ kind: "decommission", count: 1 }, { kind: "cooldown", seconds: 60 }]);
    expect(s.context.instances).toBe(3);
    [s, c] = stepScaler(s, { type: "METRIC", value: 5, serving: 3 });
    expect(c[0]).toEqual({ kind: "provision", count: 7 }); // capped by max 10
  });
});

describe("auto-scaled pool under a ramp", () => {
  const r = simulate(scenarioOf(`
version: 1
name: autoscale
seed: 2
simulation: { duration: 600s, warmup: 0s, replications: 1, interval: 10s }
load:
  model: open
  start_rate: 100/s
  stages:
    - { duration: 100s, target: 100/s }
    - { duration: 200s, target: 800/s }
    - { duration: 150s, target: 800/s }
    - { duration: 150s, target: 100/s }
  classes: { r: { flow: [{ call: lb }] } }
components:
  lb: { kind: load_balancer, algorithm: least_connections, backends: api, maxconn: 10, queue_timeout: 2s }
  api:
    kind: service
    replicas: 2
    concurrency: 10
    service: { dist: exponential, mean: 50ms }
    autoscaling: { min: 2, max: 12, metric: utilization, target: 0.6, interval: 10s, cooldown_out: 30s, cooldown_in: 60s, boot: 30s }
    cost: { instance_hour: 0.1 }
`));
  const s = r.series!;
  const inst = s.components.api.instances;
  const at = (t: number) => inst[s.t.findIndex((x) => x >= t)];
  it("starts at the initial count and never leaves [min, max]", () => {
    expect(at(50)).toBe(2);
    expect(Math.min(...inst)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...inst)).toBeLessThanOrEqual(12);
  });
  it("holds ceil(800/s x 50ms / (10 x 0.6)) = 7 instances at the plateau", () => {
    for (const t of [360, 400, 440]) expect(at(t)).toBe(7);
  });
  it("keeps utilization near the target at the plateau", () => {
    const u = s.components.api.utilization.filter((_, i) => s.t[i] >= 360 && s.t[i] <= 440);
    const mean = u.reduce((a, b) => a + b, 0) / u.length;
    expect(Math.abs(mean - 800 * 0.05 / 70)).toBeLessThan(0.03);
  });
  it("scales in by one per 60 s cooldown as the load falls", () => {
    expect(at(600)).toBeLessThan(7);
    expect(at(600)).toBeGreaterThanOrEqual(7 - Math.ceil(150 / 60));
  });
  it("bills the time-average instance count", () => {
    const mean = inst.reduce((a, b) => a + b, 0) / inst.length;
    expect(Math.abs(r.components.api.instances!.mean - mean)).toBeLessThan(0.15);
    expect(r.cost!.perHour).toBeCloseTo(r.components.api.instances!.mean * 0.1, 6);
  });
  it("charges each interval's instance count in the cost series", () => {
    const cost = s.costPerHour!;
    expect(cost).toHaveLength(inst.length);
    for (let i = 0; i < inst.length; i++) expect(cost[i]).toBeCloseTo(inst[i] * 0.1, 12);
    // the series' mean is the bill: within the 0.15 instances the sampled counts may differ from the time average
    const mean = cost.reduce((a, b) => a + b, 0) / cost.length;
    expect(Math.abs(mean - r.cost!.perHour)).toBeLessThan(0.015);
  });
});
