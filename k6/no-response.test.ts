// `headroom load` against a target that accepts connections and never answers: the run ends with exit
// code 3 and a message saying no request completed, where k6's threshold rules alone would pass it.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./testing/server.ts";
import { EXIT_NO_REQUEST_COMPLETED, noRequestCompleted } from "./no-response.ts";
import { main } from "../cli/main.ts";
import { overrideEnv } from "./testing/env.ts";

let srv: TestServer;
let dir: string;
beforeAll(async () => {
  srv = await startTestServer({ latencyMs: 2 });
  dir = await mkdtemp(join(tmpdir(), "k6noresp-"));
});
afterAll(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI in-process, output captured, always with the built-in runner. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const restoreEnv = overrideEnv({ PATH: "/usr/bin:/bin", K6_BIN: "" });
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    restoreEnv();
  }
}

describe("headroom load against a target that never answers", () => {
  it(`exits ${EXIT_NO_REQUEST_COMPLETED} saying no request completed, the p95 threshold kept in the summary`, async () => {
    const yaml = join(dir, "stall.yaml");
    await writeFile(
      yaml,
      `version: 1
name: stall
load:
  model: open
  arrivals: deterministic
  rate: 5/s
  classes:
    browse: { weight: 1, http: { method: GET, path: /browse }, flow: [api] }
components:
  api: { kind: station, servers: 4, service: 10ms }
slo:
  latency: { p95: 150ms }
`,
    );
    const out = join(dir, "run");
    // every path under /hang is accepted and never answered; 5 arrivals in 1 s, then the plan's 10 s gracefulStop
    const r = await runCli(["load", yaml, "--target", `${srv.url}/hang`, "--duration", "1s", "--out", out]);
    expect(r.code).toBe(EXIT_NO_REQUEST_COMPLETED);
    expect(r.stderr).toMatch(/no request completed: the target accepted connections but answered no request \(iterations: 0 complete, 5 interrupted, 0 dropped\)/);
    expect(r.stdout).toMatch(/0 complete and 5 interrupted iterations/);
    const summary = JSON.parse(await readFile(join(out, "summary.json"), "utf8"));
    // the SLO's per-class threshold is still there (judged on no samples, as k6 does), not dropped
    expect(summary.metrics["http_req_duration{name:browse}"].thresholds).toEqual({ "p(95)<150": false });
    expect(summary.metrics.headroom_interrupted_iterations.count).toBe(5);
  }, 60_000);

  it("leaves a run with completed requests alone, and a run without a summary export", async () => {
    const file = join(dir, "ok-summary.json");
    await writeFile(file, JSON.stringify({ metrics: { http_reqs: { count: 3, rate: 1 }, iterations: { count: 3, rate: 1 } }, root_group: {} }));
    expect(await noRequestCompleted(file)).toBeNull();
    expect(await noRequestCompleted(join(dir, "absent.json"))).toBeNull();
    await writeFile(file, JSON.stringify({ metrics: { dropped_iterations: { count: 7, rate: 1 } }, root_group: {} }));
    expect(await noRequestCompleted(file)).toMatch(/no request completed: .*\(iterations: 0 complete, 7 dropped\)/);
  });
});
