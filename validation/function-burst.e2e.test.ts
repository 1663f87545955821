// The serverless-function validation on the real stack (npm run test:app, about 50 s): one service
// replica calling the function `thumbs`, whose dispatcher forks real Node instances on demand, under
// six 2.5 s bursts at 30/s with 3.5 s nearly quiet between them, past the 2 s idle timeout
// (scenarios/validation/dynamic/function-burst.yaml). Targets (docs/validation.md, "Serverless
// function"): the rows against the issue's targets are printed; the test holds the cold share to
// the issue's 3 points, p95 and p99 within their bands (3 x sqrt(sd^2 (1 + 1/30) + se^2): the
// model's 30 runs' spread and the measured figure's sampling error), the peak inside the range of
// the model's 30 runs and the time-average instances within 20%; the model's runs are made on the
// arrival times the driver sent (the seed's realization) with the cold start and the path's own time
// (the dispatcher's per-invocation overhead, the HTTP hops) calibrated from the run. No instance
// outlives the run.
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { validateDynamics } from "./dynamics.ts";

const INSTANCE = fileURLToPath(new URL("../reference-app/function/instance.mjs", import.meta.url));
const SPAWNER = fileURLToPath(new URL("../reference-app/function/spawner.mjs", import.meta.url));
const DISPATCHER = fileURLToPath(new URL("../reference-app/function/main.ts", import.meta.url));
/** Processes of this checkout's function instances, their spawners and dispatchers still running. */
const leftover = () => execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(INSTANCE) || l.includes(SPAWNER) || l.includes(DISPATCHER));

describe("serverless function, measured", () => {
  it("bursts across the idle timeout: cold-start share, p95, p99 and instances over time as the model says", async () => {
    const file = "scenarios/validation/dynamic/function-burst.yaml";
    const r = await validateDynamics(file, await loadScenarioFile(file), tmpdir(), (s) => process.stderr.write(`  ${s}\n`));
    process.stderr.write(`${r.scenario} (load ${r.loadAverage.map((x) => x.toFixed(1)).join(" -> ")})\n${r.rows.map((x) => `  ${x.name}: predicted ${x.predicted}, measured ${x.measured} (${x.target}: ${x.pass})`).join("\n")}\n`);
    const rows = Object.fromEntries(r.rows.map((x) => [x.name, x]));
    // the bursts really started instances cold, and the quiet spells really reclaimed them
    expect(rows["invocations started cold"]!.measured).toBeGreaterThan(20);
    expect(rows["instances alive, stage 2 average"]!.measured).toBeLessThan(rows["instances alive, stage 1 average"]!.measured);
    expect(r.measuredSteps!.some(([t, n]) => t > 3 && n === 0)).toBe(true); // scaled to zero in a quiet spell
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
