// The bundled serverless-api.yaml on the real stack (npm run test:app, under a minute): its classes
// enter at the function through its API gateway service (reference-app/function/gateway.ts), the
// dispatcher starts the instances (through its spawner), and each invocation's handler reads through Redis to PostgreSQL
// and writes there (function/dispatcher.ts). Scaled for the 2-core machine: the same shape (busy,
// quiet past the idle timeout, a burst three times the first level, quiet again) in 20 s instead
// of 16 min, an idle timeout of 3 s instead of 2 min, at most 8 instances instead of 40, a tenth of the keys; every
// other figure is the file's. What it holds: every request answered (200, 201, or the function's
// own 429), every request one invocation of the function (the dispatcher's counts add up to the
// requests sent), the number sent within the Poisson band of the model's arrivals, and cold starts
// seen, as many as the model's cold-start share of those invocations gives within counting noise
// (cold start calibrated with the ones the run measured: function-validate.ts), and p95 and p99
// and the throttles within their bands: 3 x sqrt(sd^2 (1 + 1/30) + se^2), sd the model's 30 runs', se the
// measured figure's own sampling error (function-validate.ts pathBand; a count's: its Poisson sqrt), with the real path's own
// time calibrated from the run: the dispatcher's per-invocation IPC and calls' excess in the slot,
// timed (drawn near the model's own time: the path is slower while instances boot), the HTTP hops
// outside it (function-overhead.ts; docs/validation.md, "serverless-api.yaml"). Instances are printed.
// No instance outlives the run.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../simulator/index.ts";
import { validateDynamics } from "./dynamics.ts";

const INSTANCE = fileURLToPath(new URL("../reference-app/function/instance.mjs", import.meta.url));
const SPAWNER = fileURLToPath(new URL("../reference-app/function/spawner.mjs", import.meta.url));
const DISPATCHER = fileURLToPath(new URL("../reference-app/function/main.ts", import.meta.url));
const leftover = () => execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).split("\n").filter((l) => l.includes(INSTANCE) || l.includes(SPAWNER) || l.includes(DISPATCHER));

/** serverless-api.yaml with each replacement made (each must be found: the file changed otherwise). */
function scaled(): string {
  let text = readFileSync(new URL("../scenarios/serverless-api.yaml", import.meta.url), "utf8");
  const swaps: Array<[string, string]> = [
    ["  duration: 16m\n", "  duration: 20s\n"],
    ["  interval: 10s\n", "  interval: 1s\n"],
    ["  replications: 3\n", "  replications: 1\n"],
    ["{ duration: 3m, target: 100/s, shape: step }", "{ duration: 5s, target: 30/s, shape: step }"],
    ["{ duration: 5m, target: 2/s, shape: step }", "{ duration: 6s, target: 1/s, shape: step }"],
    ["{ duration: 3m, target: 300/s, shape: step }", "{ duration: 5s, target: 90/s, shape: step }"],
    ["{ duration: 5m, target: 10/s, shape: step }", "{ duration: 4s, target: 5/s, shape: step }"],
    ["max_instances: 40", "max_instances: 8"],
    ["idle_timeout: 2m", "idle_timeout: 3s"],
    ["keys: { count: 50k, popularity: zipf, s: 0.9 }", "keys: { count: 5k, popularity: zipf, s: 0.9 }"],
    ["keys: { count: 50k, popularity: zipf, s: 0.9 }", "keys: { count: 5k, popularity: zipf, s: 0.9 }"],
    ["    capacity: 10k\n", "    capacity: 1k\n"],
    ["    keys: 50k\n", "    keys: 5k\n"],
  ];
  for (const [from, to] of swaps) {
    if (!text.includes(from)) throw new Error(`serverless-api.yaml: '${from}' not found`);
    text = text.replace(from, to);
  }
  return text;
}

describe("serverless-api in the reference app", () => {
  it("classes enter at the function: every request answered and one invocation, cold starts, p95 and p99 as the calibrated model says", async () => {
    const parsed = parseScenario(scaled(), "serverless-api.yaml (scaled)");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const s = parsed.scenario;
    const r = await validateDynamics("serverless-api.yaml (scaled)", s, tmpdir(), (x) => process.stderr.write(`  ${x}\n`));
    process.stderr.write(`${r.scenario} (load ${r.loadAverage.map((x) => x.toFixed(1)).join(" -> ")})\n${r.rows.map((x) => `  ${x.name}: predicted ${x.predicted}, measured ${x.measured} (${x.target}: ${x.pass})`).join("\n")}\n`);
    const rows = Object.fromEntries(r.rows.map((x) => [x.name, x.measured]));
    const sent = rows["requests sent"]!;
    // The model's arrivals: the stages' rates x durations; one run's count is Poisson around them
    // (4 standard deviations: a false alarm once in ~16,000 runs).
    const expected = 30 * 5 + 1 * 6 + 90 * 5 + 5 * 4;
    expect(Math.abs(sent - expected), `${sent} sent, ${expected} expected`).toBeLessThanOrEqual(4 * Math.sqrt(expected));
    // every request answered: a 2xx, or the function's throttle (429) and nothing else
    expect(rows["requests failed (not 2xx, or no answer)"]).toBe(rows["throttled invocations"]);
    // every request reached the function once: invocations run plus refused add up to the requests
    expect(rows["invocations"]! + rows["throttled invocations"]!).toBe(sent);
    // Cold starts seen, as many as the model's share of these invocations says: one run's count of
    // cold invocations is a count of rare events (about Poisson: 3 standard deviations), and the
    // model's own share moves between its runs (half the range of its 30 runs added).
    const cold = rows["invocations started cold"]!;
    expect(cold).toBeGreaterThan(0);
    const share = r.rows.find((x) => x.name === "cold-start share of the invocations")!.predicted;
    const band = r.rows.filter((x) => x.name.startsWith("cold-start share, ")).map((x) => x.predicted);
    const expectedCold = share * rows["invocations"]!;
    const tolerance = 3 * Math.sqrt(Math.max(1, expectedCold)) + ((Math.max(...band) - Math.min(...band)) / 2) * rows["invocations"]!;
    expect(Math.abs(cold - expectedCold), `${cold} cold invocations, the model's share gives ${expectedCold.toFixed(1)} +- ${tolerance.toFixed(1)}`).toBeLessThanOrEqual(tolerance);
    // The tail and the throttles, with the path calibrated timed (its overhead and cold starts drawn
    // near the model's own time in the run: the real path is slower while a burst's instances boot,
    // exactly when the throttles are made): each within its band, the rows' targets; a throttle
    // count's own error is its Poisson sqrt (docs/validation.md, "serverless-api.yaml: the throttles").
    for (const name of ["p95 (ms)", "p99 (ms)", "throttled invocations"]) {
      const row = r.rows.find((x) => x.name === name)!;
      expect(row.pass, `${name}: predicted ${row.predicted.toFixed(1)}, measured ${row.measured.toFixed(1)}, ${row.target}`).toBe(true);
    }
    // instances started beyond the provisioned 2 (the burst), and never fewer than those 2 kept warm
    expect(rows["instances alive, peak"]).toBeGreaterThan(2);
    expect(r.measuredSteps!.every(([, n]) => n >= 2)).toBe(true);
    expect(leftover()).toEqual([]);
  }, 120_000);
});
