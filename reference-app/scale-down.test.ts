// app check's scale-down: the system scaled with its shape kept (the simulator's scaleSystem), and
// the largest factor of the ladder with which a machine limit (here HAProxy's open files) is met.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseScenario, simulate, type Scenario } from "../simulator/index.ts";
import { scaleSystem, solveAnalytic } from "../simulator/analytic/index.ts";
import { preflight } from "./preflight.ts";
import { largestFittingScale, scaleSummary } from "./scale-down.ts";

const load = (f: string): Scenario => {
  const p = parseScenario(readFileSync(new URL(`../scenarios/${f}`, import.meta.url), "utf8"), f);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p.scenario;
};

describe("scaleSystem: a smaller system of the same shape", () => {
  it("lb-replicas at 0.5: half the load, half the replicas, the same utilization and latency", () => {
    const s = load("lb-replicas.yaml");
    const half = scaleSystem(s, 0.5);
    const api = (x: Scenario) => x.components.api as { replicas: number };
    expect(api(half).replicas).toBe(Math.ceil(api(s).replicas * 0.5));
    expect(Object.keys(half.components)).toEqual(Object.keys(s.components));
    const a = solveAnalytic(s), b = solveAnalytic(half);
    // 4 replicas halve exactly: the same utilization, the same mean latency
    expect(api(s).replicas).toBe(4);
    expect(b.components.api!.utilization!).toBeCloseTo(a.components.api!.utilization!, 9);
    const r0 = simulate(s), r1 = simulate(half);
    for (const c of Object.keys(r0.classes)) {
      const x = r0.classes[c]!.latencyMs.mean, y = r1.classes[c]!.latencyMs.mean;
      expect(Math.abs(x.mean - y.mean)).toBeLessThan(2 * Math.hypot(x.ci95 ?? 0, y.ci95 ?? 0) + 0.02 * x.mean);
    }
    expect(scaleSummary(s, half)).toMatch(/^load \S+ -> \S+ \(req\/s at its peak\), api\.replicas \d+ -> \d+/);
  });
  it("never below one, nor below a replica a scheduled failure names; refuses a factor outside (0, 1]", () => {
    const s = load("lb-replicas.yaml");
    const tiny = scaleSystem(s, 0.01);
    expect((tiny.components.api as { replicas: number }).replicas).toBeGreaterThanOrEqual(1);
    const withFailure = { ...s, failures: [{ at: 10, crash: "api", replica: 3 }] } as unknown as Scenario;
    expect((scaleSystem(withFailure, 0.01).components.api as { replicas: number }).replicas).toBe(3);
    expect(() => scaleSystem(s, 0)).toThrow(/\(0, 1\]/);
    expect(() => scaleSystem(s, 1.5)).toThrow(/\(0, 1\]/);
  });
});

describe("largestFittingScale", () => {
  const found = (cmd: string) => `/usr/bin/${cmd}`;
  it("realtime-chat (4 x 5000 WebSocket connections) under 20000 open files: 0.25, one instance", async () => {
    const s = load("realtime-chat.yaml");
    // 0.5 keeps 2 instances x 5000 connections: 20,064 files asked for; 0.25 keeps one (10,032)
    expect(await largestFittingScale(s, (plan) => preflight(plan, undefined, found, 20_000))).toBe(0.25);
    expect(await largestFittingScale(s, (plan) => preflight(plan, undefined, found, 25_000))).toBe(0.5);
  });
  it("a part no scale makes (a missing binary) gets no factor", async () => {
    const s = load("realtime-chat.yaml");
    expect(await largestFittingScale(s, (plan) => preflight(plan, undefined, (c) => (c === "haproxy" ? undefined : found(c)), 1e6))).toBeUndefined();
  });
});
