// `validate --target`'s fast parts, against real local servers (no load levels: those are in
// own-system.long.test.ts): the YAML's metrics: mapping and its located errors; the Prometheus
// query client against the stand-in that really scrapes the tiny system (fast, and it records the
// queries asked; a real Prometheus is in own-system.long.test.ts); the load plan, its caps and the refusal to load a
// non-loopback target without --yes and without a terminal; the preflight's exit 2 for an
// unreachable target and for a class path the system answers with 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { parseScenario, simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { runCli as cli } from "./testing/run-cli.ts";
import { expandWindow, queryInstant, PromQueryError } from "./prom-query.ts";
import { checkCaps, confirmPlan, describePlan, isLoopback, plannedRequests, PlanRefused, type LoadPlan } from "./target-plan.ts";
import { startOwnSystem, startPromStandIn, type OwnSystem, type PromStandIn } from "./testing/own-system.ts";
import { compare, type Comparable } from "./compare.ts";

const root = join(import.meta.dirname, "..");
const yamlPath = join(root, "validation/fixtures/own-system.yaml");
const yaml = readFileSync(yamlPath, "utf8");

describe("metrics: in the scenario", () => {
  it("is accepted per component and ignored by the simulator (same output as without it)", () => {
    const a = scenarioOf(yaml, "own-system.yaml");
    const b = scenarioOf(yaml.replace(/\n    metrics:\n.*\n/, "\n"), "own-system.yaml");
    expect((a.components.api.metrics as { utilization?: string } | undefined)?.utilization).toBe("rate(own_busy_seconds_total[$window]) / 4");
    expect(b.components.api.metrics).toBeUndefined();
    const o = { duration: 4, warmup: 1, replications: 1 };
    expect(JSON.stringify(simulate(a, o))).toBe(JSON.stringify(simulate(b, o)));
  });

  it("names file, line, column and field for a bad server, an empty query and a metric the kind has no prediction for", () => {
    const bad = yaml.replace('      utilization: "rate(own_busy_seconds_total[$window]) / 4"', '      server: "prom:9090"\n      utilization: " "\n      hit_ratio: "x"');
    const r = parseScenario(bad, "bad.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`);
    expect(msgs).toEqual(expect.arrayContaining([
      expect.stringMatching(/^bad\.yaml:26:15: components\.api\.metrics\.server: a Prometheus server is an http\(s\) URL/),
      expect.stringMatching(/^bad\.yaml:27:20: components\.api\.metrics\.utilization: a PromQL expression must not be empty/),
      expect.stringMatching(/^bad\.yaml:28:18: components\.api\.metrics\.hit_ratio: unknown field/),
    ]));
  });
});

describe("Prometheus query client (against the stand-in)", () => {
  let sys: OwnSystem;
  let prom: PromStandIn;
  beforeAll(async () => {
    sys = await startOwnSystem({ servers: 4, serviceMs: 40 });
    prom = await startPromStandIn({ scrape: `${sys.url}/metrics`, scrapeMs: 50 });
  });
  afterAll(async () => {
    await prom.close();
    await sys.close();
  });

  it("expands $window to whole seconds", () => {
    expect(expandWindow("rate(x[$window]) / avg_over_time(y[$window])", 24.6)).toBe("rate(x[25s]) / avg_over_time(y[25s])");
    expect(expandWindow("rate(x[$window])", 0.2)).toBe("rate(x[1s])");
  });

  it("reads the busy share the system really had over the window", async () => {
    // A 2 s window that holds all the work with room on both sides: 1 s of scrapes before it
    // starts (the window's first sample), the work, then scrapes until the window's end.
    await new Promise((r) => setTimeout(r, 1000));
    // 4 workers x 40 ms: 16 concurrent requests keep all 4 busy for 160 ms
    const t0 = Date.now() / 1000;
    const b0 = sys.busySeconds();
    await Promise.all(Array.from({ length: 16 }, (_, i) => fetch(`${sys.url}/items/${i}`).then((r) => r.text())));
    await new Promise((r) => setTimeout(r, 1100 - (Date.now() / 1000 - t0) * 1000));
    await new Promise((r) => setTimeout(r, 120)); // one more scrape past the window's end
    const t1 = t0 + 1.1;
    const busy = sys.busySeconds() - b0; // 0.64 s of worker time
    expect(busy).toBeGreaterThan(0.6);
    const u = await queryInstant(prom.url, expandWindow("rate(own_busy_seconds_total[$window]) / 4", 2), t1);
    // truth: busy / 2 s / 4 workers = 0.08. Every busy second is inside the window, so what the
    // samples move is only the span they divide by: 2 s give or take one scrape gap at each end
    // (50 ms, stretched to a few hundred on a loaded machine: 0.08 x 0.4 / 2 = 0.016)
    expect(u).not.toBeNull();
    expect(Math.abs(u! - busy / 8)).toBeLessThan(0.025);
  });

  it("gives null for no series, and a clear error for bad PromQL and an unreachable server", async () => {
    expect(await queryInstant(prom.url, "rate(no_such_metric[5s])", Date.now() / 1000)).toBeNull();
    await expect(queryInstant(prom.url, "sum by (job) (up)", Date.now() / 1000)).rejects.toThrow(/rejected sum by \(job\) \(up\): bad_data: .*parse error/);
    await expect(queryInstant("http://127.0.0.1:9", "up", Date.now() / 1000)).rejects.toBeInstanceOf(PromQueryError);
  });
});

describe("component rows", () => {
  it("are measured only where mapped and asked; otherwise 'not measured' with the reason, never judged", () => {
    const sim = simulate(scenarioOf(yaml, "own-system.yaml"), { duration: 6, warmup: 1, replications: 1 });
    const classes = { get_item: { requests: 100, failed: 0, throughput: 30, offeredRate: 30, latencyMs: { mean: 40, p50: 40, p95: 40, p99: 41 } } };
    const row = (m: Comparable) => compare(sim, m, 0.3).find((x) => x.scope === "api" && x.metric === "utilization")!;
    const measured = row({ classes, components: { api: { utilization: 0.29 } } });
    expect(measured.measured).toBe(0.29);
    expect(measured.note).toBeUndefined();
    expect(row({ classes, components: { api: { utilization: "no --prometheus given" } } })).toMatchObject({ measured: null, verdict: "info", note: "not measured (no --prometheus given)" });
    expect(row({ classes, components: {} })).toMatchObject({ measured: null, verdict: "info", note: "not measured (no metrics.utilization for api in the YAML)" });
    expect(row({ classes, components: { api: { utilization: null } } }).note).toBe("not measured (the query selected no series)");
  });
});

describe("load plan", () => {
  const plan: LoadPlan = { target: "http://staging.example:8080", levels: [{ level: 0.3, rate: 30 }, { level: 0.5, rate: 50 }], durationS: 20, preflightRequests: 2 };

  it("states rates, durations and total requests, and tells loopback from other hosts", () => {
    expect(plannedRequests(plan)).toBe(30 * 20 + 50 * 20 + 2);
    expect(describePlan(plan)).toMatch(/level 0\.3: 30 req\/s for 20s = about 600 requests[\s\S]*total: about 1602 requests over 40s of load, peak 50 req\/s/);
    for (const t of ["http://127.0.0.1:1", "http://localhost:8080", "http://[::1]:80", "http://127.1.2.3"]) expect(isLoopback(t)).toBe(true);
    for (const t of ["http://10.0.0.1", "http://staging.example", "http://128.0.0.1"]) expect(isLoopback(t)).toBe(false);
  });

  it("refuses a level above --max-rate or load beyond --max-duration instead of clipping", () => {
    expect(() => checkCaps(plan, { maxRate: 40 })).toThrow(/--max-rate 40: the plan offers 50 req\/s/);
    expect(() => checkCaps(plan, { maxDurationS: 30 })).toThrow(/--max-duration 30s: the plan needs 40s of load/);
    expect(() => checkCaps(plan, { maxRate: 50, maxDurationS: 40 })).not.toThrow();
  });

  it("needs --yes or a terminal for a non-loopback target", async () => {
    const noTty = { isTTY: false } as NodeJS.ReadStream;
    await expect(confirmPlan(plan, { yes: false, stdin: noTty, stderr: process.stderr })).rejects.toBeInstanceOf(PlanRefused);
    await expect(confirmPlan(plan, { yes: true, stdin: noTty, stderr: process.stderr })).resolves.toBeUndefined();
    await expect(confirmPlan({ ...plan, target: "http://127.0.0.1:9" }, { yes: false, stdin: noTty, stderr: process.stderr })).resolves.toBeUndefined();
  });
});

describe("headroom validate --target: bad input exits 2 before any level", () => {
  let dir: string;
  let sys: OwnSystem;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "headroom-own-system-test-"));
    sys = await startOwnSystem({ servers: 4, serviceMs: 40 });
  });
  afterAll(async () => {
    await sys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a non-loopback target without --yes when there is no terminal, having printed the plan", async () => {
    // 192.0.2.1 (TEST-NET-1) is never reached: the refusal comes first
    const r = await cli(["validate", yamlPath, "--target", "http://192.0.2.1:8080", "--levels", "0.3", "--duration", "4s", "--warmup", "1s", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Load plan for http:\/\/192\.0\.2\.1:8080:\n  level 0\.3: 30 req\/s for 4s = about 120 requests/);
    expect(r.err).toMatch(/is not this machine: pass --yes/);
  });

  it("refuses a plan above --max-rate", async () => {
    const r = await cli(["validate", yamlPath, "--target", sys.url, "--rates", "500", "--max-rate", "100", "--duration", "4s", "--warmup", "1s", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--max-rate 100: the plan offers 500 req\/s/);
  });

  it("names an unreachable target", async () => {
    const port = await new Promise<number>((res) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => res(p));
      });
    });
    const r = await cli(["validate", yamlPath, "--target", `http://127.0.0.1:${port}`, "--levels", "0.3", "--duration", "4s", "--warmup", "1s", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`target http://127\\.0\\.0\\.1:${port} refused the connection`));
  });

  it("names the class whose path the target answers with 404", async () => {
    const file = join(dir, "wrong-path.yaml");
    writeFileSync(file, yaml.replace('path: "/items/{key}"', 'path: "/products/{key}"'));
    const r = await cli(["validate", file, "--target", sys.url, "--levels", "0.3", "--duration", "4s", "--warmup", "1s", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`load\\.classes\\.get_item: GET ${sys.url}/products/0 answered 404`));
  });

  it("refuses a scenario with failures: (they cannot be injected into the user's system)", async () => {
    const file = join(dir, "with-failures.yaml");
    const asService = yaml.replace("flow: [api]", "flow: [{ call: api }]").replace("kind: station\n    servers: 4", "kind: service\n    concurrency: 4");
    writeFileSync(file, asService + "failures:\n  - { at: 2s, crash: api }\n");
    const r = await cli(["validate", file, "--target", sys.url, "--levels", "0.3", "--duration", "4s", "--warmup", "1s", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/failures: cannot be injected into the system at --target/);
  });

  it("keeps --target's flags to --target", async () => {
    const r = await cli(["validate", yamlPath, "--yes", "--out", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--yes applies to --target only/);
  });
});
