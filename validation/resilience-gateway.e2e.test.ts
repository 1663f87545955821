// Issue 14 item 6 on the real stack: `headroom app up` of a scenario whose entry service has
// `timeout`, `retries` and a `circuit_breaker` starts the users' resilience gateway in front of
// HAProxy (reference-app/gateway/gateway.ts) and prints it; plain requests sent to the entry are
// retried and short-circuited there, one breaker for all users. The slowed-dependency shape
// (validation/dynamic/slow-dependency.yaml: 2 replicas x 2 slots of exponential 50 ms, 80 req/s)
// shortened to 20 s: 40 req/s, 100 req/s for 10 s, 40 req/s, sent as the validation sends it
// (validation/resilient-driver.ts, Poisson at the YAML's rate profile) but as plain requests.
// Checked: every request the test sent is a call the gateway counted; retries and a breaker
// opening happened; short-circuited calls answered 503 circuit_open to users; the rows
// validate:dynamics compares are printed beside the model's (one short run on a shared machine:
// shown, not held to the targets here; `npm run validate:dynamics -- <file> --through-gateway`
// holds the full scenario to them); the collector's time series carries the gateway's counts and
// breaker state; SIGINT exits 0 and leaves nothing, the gateway included.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { simulate, type Scenario } from "../simulator/index.ts";
import { driveResilient, gatewaySite, type CallSite } from "./resilient-driver.ts";
import { predictedSide, resilienceRows } from "./resilience-rows.ts";
import type { GatewaySnapshot } from "../reference-app/gateway/gateway.ts";
import { leftovers } from "../reference-app/testing.ts";

const ROOT = join(import.meta.dirname, "..");

const YAML = `version: 1
name: t-entry-resilience
seed: 23
simulation: { duration: 20s, warmup: 2s, interval: 1s }
load:
  model: open
  arrivals: poisson
  start_rate: 40/s
  stages:
    - { duration: 5s, target: 40/s }
    - { duration: 10s, target: 100/s, shape: step }
    - { duration: 5s, target: 40/s, shape: step }
  classes:
    get_item:
      http: { method: GET, path: "/items/{key}" }
      keys: { count: 1000, popularity: uniform }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, algorithm: round_robin, backends: api, maxconn: 2, queue_timeout: 10s }
  api:
    kind: service
    replicas: 2
    concurrency: 2
    timeout: 250ms
    retries: { attempts: 3, backoff: 50ms, max_backoff: 500ms, jitter: full, budget: 20% }
    circuit_breaker: { failure_rate: 50%, window: 5s, min_calls: 20, open_for: 3s, half_open_calls: 3 }
    handlers:
      get_item:
        - { service: { dist: exponential, mean: 50ms } }
`;

describe("headroom app up: the entry service's retries and breaker in the users' resilience gateway", () => {
  it("retries and breaks for every user's request, counted, and leaves nothing on SIGINT", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-gw-e2e-"));
    const file = join(dir, "entry-resilience.yaml");
    writeFileSync(file, YAML);
    const child = spawn(process.execPath, ["bin/headroom.mjs", "app", "up", file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
    try {
      const end = Date.now() + 90_000;
      while (!/Press Ctrl-C/.test(out)) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`app up not ready:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const entry = /entry:\s+(\S+)/.exec(out)![1]!;
      expect(out).toMatch(/started resilience gateway http:\/\/127\.0\.0\.1:\d+ -> http:\/\/127\.0\.0\.1:\d+ \(api's callers are the users: timeout 250 ms; 3 attempts, backoff 50 ms up to 500 ms with full jitter, budget 20%; one breaker for all users\)/);
      expect(/gateway:\s+(\S+)/.exec(out)![1]).toBe(`${entry}/metrics`);

      const scenario: Scenario = await loadScenarioFile(file);
      const sim = simulate(scenario);
      const base = gatewaySite(entry);
      let sent = 0;
      const statuses = new Map<number, number>();
      const site: CallSite = {
        ...base,
        call: async (url) => {
          sent++;
          const r = await fetch(url);
          await r.arrayBuffer();
          const key = r.status === 503 && r.headers.get("x-headroom-failure") === "circuit_open" ? -503 : r.status;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          if (r.status < 200 || r.status > 299) throw new Error(`HTTP ${r.status}`);
        },
      };
      const la0 = loadavg()[0]!;
      const driven = await driveResilient({
        load: scenario.load as Extract<Scenario["load"], { model: "open" }>, seed: scenario.seed, durationS: sim.run.durationS, warmupS: sim.run.warmupS,
        site, urlFor: (rng) => `${entry}/items/${Math.floor(rng.next() * 1000)}`, drainMs: 10_000,
      });
      const all = (await (await fetch(`${entry}/_headroom/gateway`)).json()) as GatewaySnapshot;
      const rows = resilienceRows(predictedSide(sim, "api", "get_item"), driven.side);
      console.log(`entry resilience through the gateway (load average ${la0.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}, not measured alone): ` +
        `${sent} sent; statuses ${JSON.stringify(Object.fromEntries(statuses))}; gateway ${JSON.stringify(all.counts)}\n` +
        rows.map((r) => `  ${r.name}: predicted ${r.predicted.toFixed(3)}, measured ${r.measured.toFixed(3)} (${r.target}: ${r.pass === null ? "-" : r.pass ? "pass" : "MISS"})`).join("\n"));
      // every request the test sent went through the gateway's caller, once
      expect(driven.leftOut).toBe(0);
      expect(all.counts.calls).toBe(sent);
      expect(all.counts.attempts).toBe(all.counts.calls - all.counts.shortCircuited + all.counts.retries);
      // the dependency slowed past the 250 ms timeout: retries and a breaker opening happened
      expect(all.counts.timeouts).toBeGreaterThan(0);
      expect(all.counts.retries).toBeGreaterThan(0.02 * all.counts.calls);
      expect(all.counts.breakerOpened).toBeGreaterThanOrEqual(1);
      expect(all.breaker?.changes.some((c) => c.state === "open")).toBe(true);
      // users saw the short-circuits as 503 circuit_open, as many as the gateway counted
      expect(statuses.get(-503)).toBe(all.counts.shortCircuited);
      expect(all.counts.shortCircuited).toBeGreaterThan(0);
      // the collector's time series carries the gateway's counts, growing with the load
      const runDir0 = /started run dir (\S+)/.exec(out)![1]!;
      const samples = readFileSync(join(runDir0, "timeseries.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { gateway?: { calls: number; breaker?: { state: string } } | null });
      const calls = samples.map((x) => x.gateway?.calls ?? -1);
      expect(calls.every((c) => c >= 0)).toBe(true);
      expect(calls.at(-1)).toBeGreaterThan(0.8 * sent);
      expect(samples.some((x) => x.gateway?.breaker?.state === "open")).toBe(true);
      const code = await (child.kill("SIGINT"), exited);
      expect(code).toBe(0);
      const runDir = /started run dir (\S+)/.exec(out)![1]!;
      const ports = [...new Set([...out.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])))];
      expect(ports).toContain(Number(new URL(entry).port));
      expect(await leftovers(runDir, ports)).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
