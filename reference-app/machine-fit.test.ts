// The machine's cores and memory against a scenario's app (machine-fit.ts): every bundled scenario
// but one-million-users fits a 2-core machine with 4 GB free; one-million-users lacks both, by the
// figures its own traffic gives, and fits scaled down by 0.02; the estimate adds up as stated.
import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { scaleSystem, solveAnalytic } from "../simulator/analytic/index.ts";
import { CPU_MS_PER_VISIT, footprint, GENERATOR_CPU_MS, largestMachineScale, RSS_MB, shortfall } from "./machine-fit.ts";
import { bundled } from "./testing.ts";

const small = { cores: 2, memoryMb: 4096 };

describe("machine fit", () => {
  it("every bundled scenario but one-million-users fits 2 cores and 4 GB", () => {
    const names = readdirSync(new URL("../scenarios/", import.meta.url)).filter((f) => f.endsWith(".yaml")).map((f) => f.replace(/\.yaml$/, ""));
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect([n, shortfall(footprint(bundled(n)), small)]).toEqual([n, n === "one-million-users" ? expect.any(Array) : []]);
  });

  it("one-million-users lacks cores and memory, and fits scaled down by 0.02 (not by 0.05)", () => {
    const s = bundled("one-million-users");
    const f = footprint(s);
    const lack = shortfall(f, { cores: 2, memoryMb: 20_000 });
    expect(lack).toHaveLength(2);
    expect(lack[0]).toMatch(/^cores: about \d+\.\d busy at the nominal load .* 2 here$/);
    expect(lack[1]).toMatch(/^memory: about \d+\.\d GB for \d+ processes \(api_east: 160 Node replica\(s\)/);
    // 160 + 90 API replicas and 150 workers are Node processes of 194 MB: at least 77 GB
    expect(f.memoryMb).toBeGreaterThan(400 * RSS_MB.node);
    expect(largestMachineScale(s, { cores: 2, memoryMb: 20_000 })).toBe(0.02);
    expect(shortfall(footprint(scaleSystem(s, 0.05)), { cores: 2, memoryMb: 20_000 })).not.toEqual([]);
  });

  it("adds up as stated: visits per second x CPU per visit, one resident set per process", () => {
    // single-service: one station (a Node process) fed by the load; no other part
    const s = bundled("single-service");
    const a = solveAnalytic(s);
    const f = footprint(s);
    expect(f.cores).toBeCloseTo((a.components.api!.throughput * CPU_MS_PER_VISIT.station!) / 1000, 9);
    expect(f.generatorCores).toBeCloseTo((a.throughput * GENERATOR_CPU_MS) / 1000, 9);
    expect(f.memoryMb).toBe(RSS_MB.node);
    expect(f.processes).toBe(1);
  });
});
