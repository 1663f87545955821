// The slowed-dependency validation's pure half: which scenarios it takes (and the located refusal
// of the others), the model's side read from a real simulation, and the rows' pass/miss.
import { describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { simulate, type Scenario } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { predictedSide, resilienceRows, resilienceTarget } from "./resilience-rows.ts";

const FILE = "scenarios/validation/dynamic/slow-dependency.yaml";
const load = async (edit: (s: string) => string = (s) => s): Promise<Scenario> => scenarioOf(edit(await readFile(FILE, "utf8")));

describe("which scenario", () => {
  it("takes the slowed-dependency scenario: its service, the one class calling its balancer", async () => {
    expect(resilienceTarget(FILE, await load())).toMatchObject({ service: "api", cls: "get_item" });
  });
  it("ignores a scenario without retries or breakers, refuses other shapes naming the field", async () => {
    expect(resilienceTarget(FILE, await load((s) => s.replace(/^    (retries|circuit_breaker):.*$/gm, "")))).toBeUndefined();
    await expect(load((s) => s.replace("popularity: uniform", "popularity: zipf")).then((x) => resilienceTarget(FILE, x))).rejects.toThrow(/load\.classes\.get_item\.keys\.popularity/);
    await expect(load((s) => s.replace("flow: [{ call: lb }]", "flow: [{ service: 1ms }, { call: lb }]")).then((x) => resilienceTarget(FILE, x))).rejects.toThrow(/load\.classes\.get_item\.flow/);
  });
});

describe("rows", () => {
  it("reads the model's window counts, summed over replications, openings per replication", async () => {
    const s = await load();
    const sim = simulate(s);
    const p = predictedSide(sim, "api", "get_item");
    const res = sim.components.api.resilience!;
    expect(p.calls).toBe(sim.classes.get_item.counts.arrived);
    expect(p.retries).toBe(res.retries);
    expect(p.breakerOpened).toBeCloseTo(res.breakerOpened / sim.run.replications, 12);
    expect(p.openShare).toBe(sim.components.api.breaker!.openShare.mean);
    // Each opening lasts open_for (3 s) but the ones cut by the window's start or end: the share
    // open is the openings' time, within one open period at each edge of the 55 s window.
    const windowS = sim.run.durationS - sim.run.warmupS;
    expect(p.openShare).toBeGreaterThan(0);
    expect(Math.abs(p.openShare * windowS - p.breakerOpened * 3)).toBeLessThanOrEqual(2 * 3);
    // The scenario's point: retries amplify the load, the breaker sheds a share of it.
    expect(1 + p.retries / p.calls).toBeGreaterThan(1.05);
    expect(p.shortCircuited / p.calls).toBeGreaterThan(0.1);
  });
  it("passes within the targets and misses just beyond them", () => {
    const p = { calls: 1000, retries: 100, shortCircuited: 300, ended: 1000, failed: 500, breakerOpened: 4, openShare: 0.2 };
    const pass = resilienceRows(p, { calls: 1000, retries: 209, shortCircuited: 349, ended: 1000, failed: 599, breakerOpened: 5, openShare: 0.249 });
    expect(pass.map((r) => r.pass)).toEqual([true, true, true, null, true]);
    const miss = resilienceRows(p, { calls: 1000, retries: 211, shortCircuited: 351, ended: 1000, failed: 601, breakerOpened: 4, openShare: 0.149 });
    expect(miss.map((r) => r.pass)).toEqual([false, false, false, null, false]);
    // no breaker on a side: the open time row is shown, not judged
    expect(resilienceRows({ ...p, openShare: NaN }, p)[4]!.pass).toBeNull();
    // error rate: 2 points suffice at a small rate where 20% would be tighter
    expect(resilienceRows({ ...p, failed: 50 }, { ...p, failed: 69 })[2]!.pass).toBe(true);
  });
});
