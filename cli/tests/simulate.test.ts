// `headroom simulate` end to end through the real binary: tables, JSON, exit codes and messages.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
    expect(j.schema).toBe("headroom.result/v3");
    // the scenario travels with its result, as the file's text
    expect(j.scenario.yaml).toBe(readFileSync(scenario, "utf8"));
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
  it("seeds outside 0..2^32-1 are refused (they would wrap: 4294967303 ran as 7)", () => {
    const r = run("simulate", scenario, "--seed", "4294967303");
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("headroom simulate: --seed expects a whole number from 0 to 4294967295, got '4294967303'\n");
    expect(run("simulate", scenario, "--seed", "-1").status).toBe(2);
    const top = run("simulate", scenario, "--seed", "4294967295", "--duration", "2s", "--replications", "1", "--json", "-");
    expect(top.status).toBe(0);
    expect(JSON.parse(top.stdout).run.seed).toBe(4294967295);
  });
  it("a --json path that cannot be written: one line, exit 2, before the run", () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-cli-"));
    try {
      const missing = join(dir, "no-such-dir", "out.json");
      const r = run("simulate", scenario, "--json", missing);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`headroom simulate: cannot write ${missing}: no such file or directory\n`);
      expect(r.stdout).toBe(""); // refused before simulating
      const d = run("simulate", scenario, "--duration", "2s", "--replications", "1", "--json", dir); // a directory
      expect(d.status).toBe(2);
      expect(d.stderr).toMatch(new RegExp(`^headroom simulate: cannot write ${dir}: [^\\n]+\\n$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("the component table has response-time percentiles next to the waits", () => {
    const r = run("simulate", scenario, "--duration", "10s", "--replications", "2");
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    const header = lines.find((l) => l.startsWith("component"))!;
    const cols = header.trim().split(/\s{2,}/);
    expect(cols).toEqual(expect.arrayContaining(["wait mean", "wait p95", "resp p50", "resp p95", "resp p99"]));
    const j = JSON.parse(run("simulate", scenario, "--duration", "10s", "--replications", "2", "--json", "-").stdout);
    const api = lines[lines.indexOf(header) + 2].trim().split(/\s{2,}/);
    // the table shows the JSON's api response percentiles (same seed: same numbers), mean ± CI
    const shown = (k: string) => api[cols.indexOf(k)];
    for (const [col, p] of [["resp p50", "p50"], ["resp p95", "p95"], ["resp p99", "p99"]] as const) {
      const e = j.components.api.responseMs[p];
      expect(Number(shown(col).split("±")[0]), col).toBeCloseTo(e.mean, e.mean >= 100 ? -1 : 0);
    }
    // M/M/8 at 75%: a response is at least the wait, and its p99 above its p50
    expect(j.components.api.responseMs.p99.mean).toBeGreaterThan(j.components.api.responseMs.p50.mean);
  });
  it("a run above the event budget is refused before it starts, with the estimate; --max-events raises it", () => {
    // single-service: 300/s x 120 s x 5 replications = 180k requests, 2 events each
    const r = run("simulate", scenario, "--max-events", "100k");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/single-service\.yaml: this run is estimated at 360k events \(180k requests over 5 x 120s, 2 events each\), above the budget of 100k: .* --max-events 400000\n/);
    expect(r.stdout).toBe("");
    const ok = run("simulate", scenario, "--max-events", "400k", "--duration", "5s", "--replications", "1", "--json", "-");
    expect(ok.status).toBe(0);
    expect(run("simulate", scenario, "--max-memory", "lots").stderr).toMatch(/--max-memory expects a size like 8GB/);
    expect(run("simulate", "--help").stdout).toMatch(/--max-events N .*\n\s+--max-memory SIZE/);
  });
});
