// `headroom load --segments 2` as a user runs it (about 30 s, `npm run test:k6-long`): two real
// generator processes (the built-in runner's `headroom k6 run` with k6's --execution-segment flags)
// send one Poisson realization between them; merged, the arrivals are the single generator's to the
// one (same scheduled count, started + dropped = scheduled) and the latency percentiles agree within
// the sampling noise of a 20 ms target.
import { afterAll, beforeAll, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "./testing/server.ts";

const BIN = fileURLToPath(new URL("../bin/headroom.mjs", import.meta.url));
let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({ latencyMs: 20 });
  dir = await mkdtemp(join(tmpdir(), "k6segments-"));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const YAML = `version: 1
name: segments
seed: 7
load:
  model: open
  arrivals: poisson
  rate: 80/s
  classes:
    get:
      http: { method: GET, path: "/ok" }
      flow: [api]
components:
  api:
    kind: station
    servers: 4
    service: { dist: constant, value: 20ms }
slo:
  latency: { p95: 2s }
`;

/** Runs `headroom load` (asynchronously: the target answers from this process's event loop). */
function load(out: string, extra: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const args = [BIN, "load", join(dir, "s.yaml"), "--target", server.url, "--duration", "8s", "--engine", "built-in", "--out", out, ...extra];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { encoding: "utf8", env: { ...process.env, K6_BIN: "" }, timeout: 120_000 }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it("two generator processes merged: the same Poisson arrivals as one, latency alike, thresholds on the merged run", async () => {
  await writeFile(join(dir, "s.yaml"), YAML);
  const one = await load(join(dir, "one"), []);
  expect(one.status, one.stderr).toBe(0);
  const two = await load(join(dir, "two"), ["--segments", "2"]);
  expect(two.status, two.stderr).toBe(0);
  expect(two.stderr).toMatch(/2 generator processes/);
  const sched = (s: string) => Number(/of (\d+) scheduled/.exec(s)?.[1]);
  const started = (s: string) => /arrivals: (\d+) started \+ (\d+) dropped/.exec(s)!.slice(1).map(Number);
  expect(sched(two.stdout)).toBe(sched(one.stdout));
  const [s2, d2] = started(two.stdout);
  expect(s2 + d2).toBe(sched(two.stdout));
  const m1 = JSON.parse(await readFile(join(dir, "one", "summary.json"), "utf8")).metrics;
  const m2 = JSON.parse(await readFile(join(dir, "two", "summary.json"), "utf8")).metrics;
  expect(m2.http_reqs.count).toBe(m1.http_reqs.count);
  // each part did about half (Poisson striping: every other arrival)
  const parts = await Promise.all([0, 1].map(async (i) => JSON.parse(await readFile(join(dir, "two", "segments", String(i), "summary.json"), "utf8")).metrics));
  expect(parts[0].iterations.count + parts[1].iterations.count).toBe(m2.iterations.count);
  expect(Math.abs(parts[0].iterations.count - parts[1].iterations.count)).toBeLessThanOrEqual(1);
  for (const p of ["med", "p(90)"]) {
    expect(Math.abs(m2.http_req_duration[p] - m1.http_req_duration[p]) / m1.http_req_duration[p]).toBeLessThan(0.3);
  }
}, 180_000);
