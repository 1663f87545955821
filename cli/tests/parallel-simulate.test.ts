// `simulate` on worker threads (cli/parallel-simulate.ts) gives the serial run's bytes: in process
// on two scenarios (a station-free single service; one-million-users' regions, geo route, CDN,
// caches, shards, queue and autoscaling, 5 simulated seconds), and through the compiled CLI with
// --jobs 2 against --jobs 1. How many threads a run gets: capped by --jobs, the replications and
// the memory budget; by default also by the expected events.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate, expectedEvents, expectedMemory, type Scenario } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { simulateParallel, threadsFor, EVENTS_PER_THREAD } from "../parallel-simulate.ts";
import { defaultThreads } from "../../planning/pool.ts";

const root = join(import.meta.dirname, "../..");
const load = (name: string): Scenario => {
  const file = join(root, "scenarios", name);
  return scenarioOf(readFileSync(file, "utf8"), file);
};

describe("simulate on worker threads", () => {
  it("is byte-identical to the serial run on two scenarios", async () => {
    const cases: Array<[string, { duration: number; warmup: number; replications: number; seed: number }]> = [
      ["single-service.yaml", { duration: 10, warmup: 1, replications: 3, seed: 5 }],
      ["one-million-users.yaml", { duration: 5, warmup: 1, replications: 2, seed: 11 }],
    ];
    for (const [name, o] of cases) {
      const s = load(name);
      const serial = JSON.stringify(simulate(s, o));
      const parallel = JSON.stringify(await simulateParallel(s, { ...o, jobs: 2, file: name }));
      expect(parallel.length, name).toBeGreaterThan(3000);
      expect(parallel === serial, name).toBe(true);
    }
  });

  it("through the CLI: --jobs 2 writes the bytes --jobs 1 writes; --jobs 0 is refused", () => {
    const bin = join(root, "bin/headroom.mjs");
    const file = join(root, "scenarios/cache-aside.yaml");
    const run = (...extra: string[]) => spawnSync(process.execPath, [bin, "simulate", file, "--duration", "10s", "--replications", "2", "--seed", "3", "--json", "-", ...extra], { encoding: "utf8" });
    const one = run("--jobs", "1"), two = run("--jobs", "2");
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    expect(JSON.parse(two.stdout).run.replications).toBe(2);
    expect(two.stdout === one.stdout).toBe(true);
    const bad = run("--jobs", "0");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("headroom simulate: --jobs expects a whole number >= 1, got '0'");
  });

  it("gets at most --jobs, the replications, and the memory budget's share of threads", () => {
    const s = load("one-million-users.yaml");
    const per = expectedMemory(s, { replications: 8 }).bytes;
    expect(per).toBeGreaterThan(0);
    expect(threadsFor(s, { replications: 8, jobs: 4, file: "x" })).toBe(Math.min(4, Math.floor(2e9 / per)));
    expect(threadsFor(s, { replications: 3, jobs: 16, maxMemory: 1e15, file: "x" })).toBe(3);
    expect(threadsFor(s, { replications: 8, jobs: 16, maxMemory: per * 2.5, file: "x" })).toBe(2);
    expect(threadsFor(s, { replications: 8, jobs: 16, maxMemory: per / 2, file: "x" })).toBe(1);
    expect(threadsFor(s, { replications: 8, jobs: 1, file: "x" })).toBe(1);
  });

  it("by default, one thread per 2M expected events: a short run stays in this thread", () => {
    const single = load("single-service.yaml");
    const events = expectedEvents(single, {});
    expect(events).toBeLessThan(EVENTS_PER_THREAD);
    expect(threadsFor(single, { file: "x" })).toBe(1);
    const long = { replications: 4, duration: Math.ceil((4 * EVENTS_PER_THREAD) / (events / 5 / 120)) / 4 };
    expect(expectedEvents(single, long)).toBeGreaterThanOrEqual(4 * EVENTS_PER_THREAD * 0.9);
    expect(threadsFor(single, { ...long, file: "x" })).toBe(Math.min(defaultThreads(), Math.floor(expectedEvents(single, long) / EVENTS_PER_THREAD), 4));
  });
});
