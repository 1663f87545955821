// The regions validation's pure half: which scenarios it takes (bad input named by its field), and
// its rows on requests made to order against real simulations of the bundled two-region scenario.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { downScenario, errorRow, outageRows, regionsTarget, steadyRows, steadyScenario, type RegionRequest } from "./regions-rows.ts";

const text = readFileSync(join(import.meta.dirname, "../scenarios/validation/dynamic/two-regions.yaml"), "utf8");
const s = scenarioOf(text);
const steady = simulate(steadyScenario(s), { duration: 60, warmup: 5, replications: 3 });

/** n requests of each region's users: east at `east` ms, west at `east + cross` ms, every 1/rate s. */
function requests(n: number, east: number, cross: number, from = 5): RegionRequest[] {
  const out: RegionRequest[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ origin: "east", at: from + i / 30, ms: east + (i % 7) * 0.5, status: 200 });
    out.push({ origin: "west", at: from + i / 30, ms: east + cross + (i % 7) * 0.5, status: 200 });
  }
  return out;
}

describe("regionsTarget", () => {
  it("takes the bundled scenario: one class, its rate, the west outage", () => {
    expect(regionsTarget("f.yaml", s)).toEqual({ cls: "read", path: "/items", rate: 30, outage: { region: "west", at: 40, for: 20 } });
    const plain = "version: 1\nname: p\nload: { model: open, rate: 10/s, classes: { r: { http: { method: GET, path: /x }, flow: [{ call: api }] } } }\ncomponents: { api: { kind: service, concurrency: 1, service: 1ms } }\n";
    expect(regionsTarget("f.yaml", scenarioOf(plain))).toBeUndefined();
  });
  it("names the field of what it cannot drive", () => {
    expect(() => regionsTarget("f.yaml", scenarioOf(text.replace("at: 40s", "at: 8s")))).toThrow(/f\.yaml: failures\[0\]\.at: the outage must leave at least 10 s/);
    expect(() => regionsTarget("f.yaml", scenarioOf(text.replace("for: 20s", "for: 4s")))).toThrow(/failures\[0\]\.for/);
    expect(() => regionsTarget("f.yaml", scenarioOf(text.replace("for: 20s", "for: 60s")))).toThrow(/failures\[0\]: the outage must end within the run/);
    expect(() => regionsTarget("f.yaml", scenarioOf(text.replace('path: "/items"', 'path: "/items/{key}"').replace("      flow:", "      keys: { count: 10 }\n      flow:")))).toThrow(/load\.classes\.read\.http\.path/);
  });
});

describe("rows", () => {
  const served = (east: number, west: number) => [{ service: "api-east", count: east, seconds: 35 }, { service: "api-west", count: west, seconds: 35 }];
  const judged = (rows: ReturnType<typeof steadyRows>) => Object.fromEntries(rows.filter((r) => r.pass !== null).map((r) => [r.name, r.pass]));

  it("the model's crossing (about 40 ms) passes whatever the app's own cost; 50 ms does not", () => {
    const predictedCross = steady.regions!.west!.latencyMs.mean.mean - steady.regions!.east!.latencyMs.mean.mean;
    expect(predictedCross).toBeGreaterThan(38);
    expect(predictedCross).toBeLessThan(42);
    const ok = judged(steadyRows(steady, requests(525, 25, predictedCross), served(525, 525)));
    expect(ok).toMatchObject({ "cross-region latency, west users over east users, mean (ms)": true, "cross-region latency, west users over east users, p50 (ms)": true });
    const slow = judged(steadyRows(steady, requests(525, 25, 50), served(525, 525)));
    expect(slow["cross-region latency, west users over east users, mean (ms)"]).toBe(false);
  });

  it("per-region throughput: the model's half each passes; a region answering 30% fewer does not", () => {
    const ok = judged(steadyRows(steady, requests(525, 10, 40), served(525, 525)));
    expect(ok["api-east throughput (req/s)"]).toBe(true);
    expect(ok["api-west throughput (req/s)"]).toBe(true);
    const bad = judged(steadyRows(steady, requests(525, 10, 40), served(525, 370)));
    expect(bad["api-west throughput (req/s)"]).toBe(false);
  });

  it("during the outage: west's users answered in east (the model's failedOver share 1); some still at api-west fails", () => {
    const down = simulate(downScenario(s, "west"), { duration: 60, warmup: 5, replications: 3 });
    expect(down.regions!.west!.counts.failedOver / down.regions!.west!.counts.completed).toBeGreaterThan(0.99);
    const reqs = requests(300, 10, 40, 42);
    const pass = outageRows(down, "west", reqs, 0);
    expect(pass[0]!.pass).toBe(true);
    expect(outageRows(down, "west", reqs, 60)[0]!.pass).toBe(false);
  });

  it("the error rate: none against none passes; 5% failed against the model's 0 does not", () => {
    const reqs = requests(500, 10, 40);
    expect(errorRow(steady, reqs).pass).toBe(true);
    expect(errorRow(steady, reqs.map((r, i) => (i % 20 === 0 ? { ...r, status: 0 } : r))).pass).toBe(false);
  });
});
