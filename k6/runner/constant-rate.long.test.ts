// The acceptance test for the open model, about 50 s (run with `npm run test:k6-long`): a
// constant-arrival-rate of R/s puts R x 20 +/- 1% requests into the 20 s window that starts with the
// scenario, counted by the target itself by arrival time (not iterations done: a runner that sends
// at a lower rate and finishes past the window fails here), and each warm second holds R +/- 10% (one
// that falls behind and catches up fails there). A ramping-arrival-rate puts the integral of its
// stages into each part of its window. On a starved machine (load average 9 on 2 cores) the first
// seconds of a run were seen to lag by up to a second and the per-second check fails, as it should.
import { afterAll, beforeAll, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runScript, type ScriptRun } from "../testing/run-script.ts";

// the target runs in its own process (the benchmark's minimal server), so that a busy runner thread
// does not also delay the responses it is waiting for; it notes each request's arrival time
let server: ChildProcess;
let url: string;
beforeAll(async () => {
  const runTs = fileURLToPath(new URL("../../bin/run-ts.mjs", import.meta.url));
  const child = fileURLToPath(new URL("../bench/children.ts", import.meta.url));
  server = spawn(process.execPath, [runTs, child, "server"], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
  url = await new Promise<string>((resolve) => server.stdout!.once("data", (d) => resolve(String(d).trim())));
});
afterAll(() => {
  server.kill("SIGTERM");
});

function ask<T>(msg: string): Promise<T> {
  return new Promise<T>((resolve) => {
    server.once("message", (m) => resolve(m as T));
    server.send(msg);
  });
}

/** Runs the scenario and returns the server's arrival times in seconds since the scenario started. */
async function arrivals(scenario: string): Promise<{ run: ScriptRun; t: number[] }> {
  await ask("record");
  // the scenario's start (the instant its schedule counts from) as a gauge sample of the first iteration
  const run = await runScript(
    `import http from "k6/http"; import exec from "k6/execution"; import { Gauge } from "k6/metrics";
const start = new Gauge("scenario_start_ms");
export const options = { scenarios: { open: ${scenario} } };
export default function () { if (exec.scenario.iterationInTest === 0) start.add(exec.scenario.startTime); http.get(__ENV.T + "/ok"); }`,
    { env: { T: url } },
  );
  const { times } = await ask<{ times: number[] }>("times");
  const startMs = run.summary.metrics.scenario_start_ms.values.value;
  return { run, t: times.map((x) => (x - startMs) / 1000) };
}

const count = (t: number[], from: number, to: number) => t.filter((x) => x >= from && x < to).length;

it("constant-arrival-rate 500/s: 10000 +/- 1% requests arrive in the scenario's 20 s, and every warm second 500 +/- 10%", async () => {
  const R = 500;
  const { run, t } = await arrivals(`{ executor: "constant-arrival-rate", rate: ${R}, timeUnit: "1s", duration: "20s", preAllocatedVUs: 1000, maxVUs: 1000 }`);
  const dropped = run.summary.metrics.dropped_iterations?.values.count ?? 0;
  // the schedule: exactly R x 20 starts, each run or counted as dropped
  expect(run.summary.metrics.iterations.values.count + dropped).toBe(R * 20);
  // the rate the target saw, by arrival time, inside the window (1% = 100 requests)
  expect(Math.abs(count(t, 0, 20) - R * 20)).toBeLessThanOrEqual(R * 20 * 0.01);
  // nothing arrives before the start; at most a few stragglers of the last instants after the end
  expect(count(t, -60, 0)).toBe(0);
  expect(count(t, 20, 60)).toBeLessThanOrEqual(R * 0.05);
  // single seconds: a stall of this shared machine moves arrivals across a boundary (50 ms = 25 of
  // 500), so each warm second holds 10%; the window above holds 1%
  const perSec = Array.from({ length: 20 }, (_, s) => count(t, s, s + 1));
  for (let s = 1; s < 19; s++) expect(Math.abs(perSec[s] - R) / R, `second ${s} of ${perSec.join(" ")}`).toBeLessThanOrEqual(0.1);
}, 90_000);

it("ramping-arrival-rate 0 -> 500/s over 10 s, then 500/s for 10 s: 2500 and 5000 arrivals +/- 1%, the ramp's quarters by its integral", async () => {
  const R = 500;
  const { run, t } = await arrivals(
    `{ executor: "ramping-arrival-rate", startRate: 0, timeUnit: "1s", preAllocatedVUs: 1000, maxVUs: 1000, stages: [{ duration: "10s", target: ${R} }, { duration: "10s", target: ${R} }] }`,
  );
  const dropped = run.summary.metrics.dropped_iterations?.values.count ?? 0;
  expect(run.summary.metrics.iterations.values.count + dropped).toBe(R * 15);
  // the ramp integrates to R x 10 / 2, the hold to R x 10
  expect(Math.abs(count(t, 0, 10) - R * 5)).toBeLessThanOrEqual(R * 5 * 0.01);
  expect(Math.abs(count(t, 10, 20) - R * 10)).toBeLessThanOrEqual(R * 10 * 0.01);
  // within the ramp, rate(t) = 50 t: the quarters [0, 2.5), ..., [7.5, 10) get 156.25, 468.75,
  // 781.25, 1093.75 arrivals (25 t^2 integrated); +/- 5% (a 50 ms stall at 500/s moves 25)
  const quarters = [0, 2.5, 5, 7.5].map((a) => count(t, a, a + 2.5));
  const expected = [0, 2.5, 5, 7.5].map((a) => 25 * ((a + 2.5) ** 2 - a ** 2));
  for (let i = 0; i < 4; i++) expect(Math.abs(quarters[i] - expected[i])).toBeLessThanOrEqual(Math.max(10, expected[i] * 0.05));
}, 90_000);
