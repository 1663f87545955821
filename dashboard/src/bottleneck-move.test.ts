// What would move the bottleneck: the proposed field per kind, written into the YAML in place
// (comments kept), and the what-if's figures against queueing theory: single-service's M/M/8 at
// 300/s with one more server is M/M/9, utilization 300 x 0.02 / 9 = 0.667.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, type Scenario } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { applyMove, outcome, proposeMove, type Move } from "./bottleneck-move.ts";

const read = (name: string) => readFileSync(new URL(`../../scenarios/${name}.yaml`, import.meta.url), "utf8");
function load(text: string): Scenario {
  return scenarioOf(text, "t.yaml");
}
const short = (s: Scenario): Scenario => ({ ...s, simulation: { ...s.simulation, duration: 60, warmup: 5, replications: 3 } });

describe("what would move the bottleneck", () => {
  test("single-service (a station at 75%): +1 server, the YAML changed in place; the what-if gives M/M/9's utilization", () => {
    const text = read("single-service");
    const s = short(load(text));
    const before = simulate(s);
    const p = proposeMove(s, before)!;
    expect(p).toEqual({ move: { component: "api", path: ["components", "api", "servers"], from: 8, to: 9, label: "+1 server" } });
    const moved = applyMove(text, (p as { move: Move }).move);
    expect(moved).toBe(text.replace("servers: 8", "servers: 9")); // nothing else moves, comments kept
    const after = simulate(short(load(moved)));
    const o = outcome(before, after, (p as { move: Move }).move);
    expect(o.utilization[0]).toBeCloseTo(0.75, 1);
    expect(Math.abs(o.utilization[1] - (300 * 0.02) / 9)).toBeLessThan(0.01);
    expect(o.p95[1]).toBeLessThan(o.p95[0]);
  });

  test("a service: +1 replica; with autoscaling: +1 on its max", () => {
    const text = read("lb-replicas");
    const s = load(text);
    const fake = { bottleneck: "api" } as Parameters<typeof proposeMove>[1];
    expect(proposeMove(s, fake)).toMatchObject({ move: { path: ["components", "api", "replicas"], from: 4, to: 5, label: "+1 replica" } });
    const auto = { ...s, components: { ...s.components, api: { ...s.components.api, autoscaling: { max: 6 } } } } as unknown as Scenario;
    expect(proposeMove(auto, fake)).toMatchObject({ move: { path: ["components", "api", "autoscaling", "max"], from: 6, to: 7 } });
  });

  test("a database read on its primary has no one-field move, and says what would help", () => {
    const s = load(read("read-replicas"));
    const db = Object.entries(s.components).find(([, c]) => c.kind === "database")![0];
    const primary = { ...s, components: { ...s.components, [db]: { ...s.components[db], read_from: "primary", shards: undefined } } } as unknown as Scenario;
    expect(proposeMove(primary, { bottleneck: db } as Parameters<typeof proposeMove>[1])).toEqual({ none: `${db} serves every query on its primary: read from replicas (read_from) or shard it to add capacity` });
    const replicas = { ...s, components: { ...s.components, [db]: { ...s.components[db], read_from: "replicas" } } } as unknown as Scenario;
    expect(proposeMove(replicas, { bottleneck: db } as Parameters<typeof proposeMove>[1])).toMatchObject({ move: { label: "+1 read replica" } });
  });
});
