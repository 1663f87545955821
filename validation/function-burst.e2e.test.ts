// The serverless-function validation on the real stack (npm run test:app, about 50 s): one service
// replica calling the function `thumbs`, whose dispatcher forks real Node instances on demand, under
// six 2.5 s bursts at 30/s with 3.5 s nearly quiet between them, past the 2 s idle timeout
// (scenarios/validation/dynamic/function-burst.yaml). Targets (docs/validation.md, "Serverless
// function"): the rows against the issue's targets are printed; the test holds the cold share to
// the issue's 3 points, p95 and p99 within their bands (3 x sqrt(sd^2 (1 + 1/30) + se^2): the
// model's 30 runs' spread and the measured figure's sampling error), the peak inside the range of
// the model's 30 runs and the time-average instances within 20%; the model's runs are made on the
// arrival times the driver sent (the seed's realization) with the cold start and the path's own time
// (the dispatcher's per-invocation overhead, the HTTP hops) calibrated from the run. Its premises:
// the bursts started instances cold, some were reclaimed inside a quiet spell and the pool went to
// zero; which stages hold a burst's instances is the model's to say (on the run's own starts), not
// fixed, since at load 10-18 the starts outlast a burst. No instance outlives the run.
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { validateDynamics } from "./dynamics.ts";
import type { Scenario } from "../simulator/index.ts";

const INSTANCE = fileURLToPath(new URL("../reference-app/function/instance.mjs", import.meta.url));
const SPAWNER = fileURLToPath(new URL("../reference-app/function/spawner.mjs", import.meta.url));
const DISPATCHER = fileURLToPath(new URL("../reference-app/function/main.ts", import.meta.url));
/** Processes of this checkout's function instances, their spawners and dispatchers still running. */
const leftover = () => execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(INSTANCE) || l.includes(SPAWNER) || l.includes(DISPATCHER));

/** The load's stages as [start, end) in seconds from its first request, and whether each is a quiet spell (under half the highest rate). */
function stagesOf(s: Scenario): Array<{ a: number; b: number; quiet: boolean }> {
  const stages = s.load.model === "open" ? (s.load.stages ?? []) : [];
  const top = Math.max(...stages.map((x) => x.target ?? 0));
  let t = 0;
  return stages.map((x) => ({ a: t, b: (t += x.duration), quiet: (x.target ?? 0) < top / 2 }));
}

/** How many times the instances alive fell inside a quiet spell (a reap: nothing else ends an instance in this scenario). */
function quietDrops(steps: ReadonlyArray<readonly [number, number]>, s: Scenario): number {
  const quiet = stagesOf(s).filter((x) => x.quiet);
  return steps.filter(([t, n], k) => k > 0 && n < steps[k - 1]![1] && quiet.some((q) => t >= q.a && t < q.b)).length;
}

describe("serverless function, measured", () => {
  it("bursts across the idle timeout: cold-start share, p95, p99 and instances over time as the model says", async () => {
    const file = "scenarios/validation/dynamic/function-burst.yaml";
    const s = await loadScenarioFile(file);
    const r = await validateDynamics(file, s, tmpdir(), (line) => process.stderr.write(`  ${line}\n`));
    process.stderr.write(`${r.scenario} (load ${r.loadAverage.map((x) => x.toFixed(1)).join(" -> ")})\n${r.rows.map((x) => `  ${x.name}: predicted ${x.predicted}, measured ${x.measured} (${x.target}: ${x.pass})`).join("\n")}\n`);
    process.stderr.write(`  instances measured (s:alive, where it changed): ${r.measuredSteps!.map(([t, n]) => `${t.toFixed(1)}:${n}`).join(" ")}\n`);
    const rows = Object.fromEntries(r.rows.map((x) => [x.name, x]));
    // the bursts really started instances cold, and the quiet spells really reclaimed them
    expect(rows["invocations started cold"]!.measured).toBeGreaterThan(20);
    expect(quietDrops(r.measuredSteps!, s), "instances reclaimed (alive fell) inside a quiet spell").toBeGreaterThan(0);
    expect(r.measuredSteps!.some(([t, n]) => t > 3 && n === 0)).toBe(true); // scaled to zero in a quiet spell
    // Which stage holds a burst's instances depends on how long its starts took: at load 10-18 the
    // first burst's starts (1.5-7 s) end inside the first quiet spell, whose average is then above
    // the burst's, in the model on the run's starts as in the app (10:38 4 Dec, load 10: 8.4 / 8.9
    // against 6.0 / 4.5). So a burst -> quiet change of the stages' averages is held to go the way
    // the model's goes, where the model's moves by more than one instance.
    const stages = stagesOf(s);
    expect(stages.filter((x) => x.quiet)).toHaveLength(6);
    stages.forEach((x, i) => {
      if (!x.quiet || i === 0 || stages[i - 1]!.quiet) return;
      const stage = (k: number) => rows[`instances alive, stage ${k + 1} average`]!;
      const dp = stage(i).predicted - stage(i - 1).predicted, dm = stage(i).measured - stage(i - 1).measured;
      if (Math.abs(dp) > 1) expect(Math.sign(dm), `stage ${i} -> ${i + 1}: model ${dp.toFixed(2)}, measured ${dm.toFixed(2)} instances`).toBe(Math.sign(dp));
    });
    // every failed request was a throttle (the model's own outcome), none an error of the app
    expect(rows["requests failed (not 2xx, or no answer)"]!.measured).toBe(rows["throttled invocations"]!.measured);
    // The cold share to the issue's target: the model's runs share the driver's arrival times, so
    // what is left between them is the draws of cold starts and service times (its 30 runs spread
    // over about 2 points), not which burst onsets find a warm instance (4 to 29% over realizations).
    expect(rows["cold-start share of the invocations"]!.pass, "cold share within 3 points").toBe(true);
    // One run's tail, with the path calibrated: within the band of the model's spread and its own sampling error
    for (const name of ["p95 (ms)", "p99 (ms)"]) expect(rows[name]!.pass, `${name}: ${rows[name]!.target}`).toBe(true);
    // the peak inside the range of the model's 30 runs (one run of the model that gave it)
    for (const [row, band] of [["instances alive, peak", "peak instances"]] as const) {
      const lo = rows[`${band}, lowest of the 30 simulated runs`]!.predicted;
      const hi = rows[`${band}, highest of the 30 simulated runs`]!.predicted;
      expect(rows[row]!.measured, `${row}: measured in [${lo}, ${hi}]`).toBeGreaterThanOrEqual(lo);
      expect(rows[row]!.measured, `${row}: measured in [${lo}, ${hi}]`).toBeLessThanOrEqual(hi);
    }
    expect(rows["instances alive, time average over the run"]!.pass).toBe(true);
    expect(leftover()).toEqual([]);
  });
});
