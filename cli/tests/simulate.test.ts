// `headroom simulate` end to end through the real binary: tables, JSON, exit codes and messages.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = join(import.meta.dirname, "../../bin/headroom.mjs");
const scenario = join(import.meta.dirname, "../../scenarios/single-service.yaml");
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });

describe("headroom simulate", () => {
  it("prints tables with throughput near the offered rate and exits 0", () => {
    const r = run("simulate", scenario, "--duration", "30s", "--replications", "2");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/get_product\s+\d/);
    expect(r.stdout).toMatch(/Bottleneck: api/);
    const m = /get_product\s+([\d.]+)/.exec(r.stdout)!;
    expect(Math.abs(Number(m[1]) - 300)).toBeLessThan(15);
  });
  it("--json - writes the versioned result", () => {
    const r = run("simulate", scenario, "--duration", "10s", "--replications", "2", "--json", "-");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.schema).toBe("headroom.result/v1");
    expect(j.run.replications).toBe(2);
    const a = j.accounting;
    expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
    expect(j.series.t.length).toBe(10);
  });
  it("invalid input: exit 2, file:line:column messages, no stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-cli-"));
    try {
      const f = join(dir, "bad.yaml");
      writeFileSync(f, "version: 1\nname: x\nload:\n  model: open\n  rate: fast\n  classes: { r: { flow: [api] } }\ncomponents:\n  api: { kind: station, service: 5ms }\n");
      const r = run("simulate", f);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`${f}:5:9: load.rate: expected a rate like 1200/s, 50/m, got "fast"`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("with regions: a users-by-region table, and regions in the JSON", () => {
    const regional = join(import.meta.dirname, "../../scenarios/one-million-users.yaml");
    const r = run("simulate", regional, "--duration", "10s", "--warmup", "2s", "--json", "-");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.regions)).toEqual(["us-east", "us-west"]);
    expect(j.regions["us-west"].share).toBeCloseTo(0.4, 12);
    const classArrived = Object.values(j.classes as Record<string, { counts: { arrived: number } }>).reduce((a, c) => a + c.counts.arrived, 0);
    expect(j.regions["us-east"].counts.arrived + j.regions["us-west"].counts.arrived).toBe(classArrived);
    const t = run("simulate", regional, "--duration", "10s", "--warmup", "2s");
    expect(t.stdout).toMatch(/Users by region/);
    expect(t.stdout).toMatch(/us-west\s+40%\s+\d/);
  });
  it("usage errors exit 2; a missing file is named", () => {
    expect(run("simulate").status).toBe(2);
    expect(run("simulate", scenario, "--replications", "zero").stderr).toMatch(/--replications expects a whole number/);
    const r = run("simulate", "/nonexistent.yaml");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nonexistent.yaml: cannot read the file \(ENOENT\)/);
    expect(run("frobnicate").status).toBe(2);
  });
});
