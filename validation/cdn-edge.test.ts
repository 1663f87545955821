// Without regions, a class whose flow starts at a CDN goes to the edge (issue 15): runLoad passes
// CDN_TARGET (the app's RunningApp.cdnUrl: the edge relay, which waits the edge latency, then nginx)
// and the script sends that class there, the others to the entry; without it every class goes to
// the entry, as before. Two local servers stand for the entry and the edge, the edge 20 ms slower;
// the built-in runner sends 3 s of Poisson load (about 4 s in all).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioOf } from "../simulator/testing.ts";
import { planFromScenario } from "../k6/plan.ts";
import { runLoad } from "../k6/harness.ts";
import { startTestServer, type TestServer } from "../k6/testing/server.ts";
import { windowStats } from "./k6-window.ts";

const YAML = `version: 1
name: cdn-edge
seed: 7
load:
  model: open
  arrivals: poisson
  rate: 200/s
  classes:
    asset: { weight: 1, http: { method: GET, path: "/static/{key}" }, keys: { count: 50, popularity: zipf, s: 1.0 }, flow: [{ call: cdn }] }
    browse: { weight: 1, http: { method: GET, path: "/items" }, flow: [{ call: lb }] }
components:
  cdn: { kind: cdn, origin: lb, ttl: 1h, edge_latency: 20ms, objects: { count: 50, popularity: zipf, s: 1.0 } }
  lb: { kind: load_balancer, backends: api }
  api: { kind: service, concurrency: 2, service: 1ms }
`;

describe("runLoad with a CDN and no regions", () => {
  let entry: TestServer;
  let edge: TestServer;
  let dir: string;
  beforeAll(async () => {
    entry = await startTestServer({ latencyMs: 0 });
    edge = await startTestServer({ latencyMs: 20 });
    dir = await mkdtemp(join(tmpdir(), "cdn-edge-"));
  });
  afterAll(async () => {
    await Promise.all([entry?.close(), edge?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the plan marks the class the CDN serves", () => {
    expect(planFromScenario(scenarioOf(YAML)).classes.map((c) => [c.name, c.cdn === true])).toEqual([["asset", true], ["browse", false]]);
  });

  it("sends the CDN's class to the edge and the others to the entry", async () => {
    const run = await runLoad({ scenario: scenarioOf(YAML), source: "cdn-edge.yaml", target: entry.url, cdnTarget: edge.url, outDir: join(dir, "edge"), plan: { durationS: 3 }, engine: "built-in", maxRunMs: 60_000 });
    expect(run.exitCode).toBe(0);
    // a window past the run's end: every answered request, however late a busy machine answers it
    const w = await windowStats(run.ndjsonPath, 0, 60);
    // every asset request at the edge, every browse at the entry: the counts are the window's per class
    expect(edge.requests).toBe(w.classes.asset!.requests);
    expect(entry.requests).toBe(w.classes.browse!.requests);
    expect(edge.requests).toBeGreaterThan(100); // about 300 (half of 200/s for 3 s), fewer if arrivals drop
    // the edge answers 20 ms later (a timer: later still on a busy machine, never sooner): its wait is in the class's times
    expect(w.classes.asset!.latencyMs.p50).toBeGreaterThanOrEqual(19);
  }, 60_000);

  it("without the edge's URL every class goes to the entry", async () => {
    const before = { entry: entry.requests, edge: edge.requests };
    const run = await runLoad({ scenario: scenarioOf(YAML), source: "cdn-edge.yaml", target: entry.url, outDir: join(dir, "plain"), plan: { durationS: 1 }, engine: "built-in", maxRunMs: 60_000 });
    expect(run.exitCode).toBe(0);
    expect(edge.requests).toBe(before.edge);
    expect(entry.requests - before.entry).toBeGreaterThan(50);
  }, 60_000);
});
