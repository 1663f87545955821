// With regions, the load sends each request to its users' region's entry (issue 15, validate with
// regions): the plan carries the model's origin shares, the script draws a region per request by
// share and tags it, runLoad passes one TARGET_<i> per region, and the k6 window splits the
// requests by region. Two local servers stand for two regions' entries, one 30 ms slower; the
// built-in runner sends 3 s of Poisson load (about 4 s in all).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioOf } from "../simulator/testing.ts";
import { planFromScenario } from "../k6/plan.ts";
import { runLoad } from "../k6/harness.ts";
import { startTestServer, type TestServer } from "../k6/testing/server.ts";
import { windowStats } from "./k6-window.ts";

const yaml = (shares: string) => `version: 1
name: two-entries
seed: 5
regions:
  east: { latency: { west: 20ms } }
  west: {}
geo: { front: [api-east, api-west] }
load:
  model: open
  arrivals: poisson
  rate: 200/s
  regions: { ${shares} }
  classes:
    read: { http: { method: GET, path: "/ok" }, flow: [{ call: front }] }
components:
  api-east: { kind: service, region: east, concurrency: 2, service: 1ms }
  api-west: { kind: service, region: west, concurrency: 2, service: 1ms }
`;

describe("plan: the users' regions", () => {
  it("are the model's origin shares (weights normalized, the YAML's order); none without regions", () => {
    expect(planFromScenario(scenarioOf(yaml("west: 3, east: 1"))).regions).toEqual([{ name: "west", share: 0.75 }, { name: "east", share: 0.25 }]);
    const plain = "version: 1\nname: p\nload: { model: open, rate: 10/s, classes: { r: { http: { method: GET, path: /x }, flow: [{ call: api }] } } }\ncomponents: { api: { kind: service, concurrency: 1, service: 1ms } }\n";
    expect(planFromScenario(scenarioOf(plain)).regions).toBeUndefined();
  });
});

describe("runLoad with region entries", () => {
  let east: TestServer;
  let west: TestServer;
  let dir: string;
  beforeAll(async () => {
    east = await startTestServer({ latencyMs: 0 });
    west = await startTestServer({ latencyMs: 30 });
    dir = await mkdtemp(join(tmpdir(), "region-entries-"));
  });
  afterAll(async () => {
    await Promise.all([east?.close(), west?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("sends each region's users to their entry by share, tagged; the window splits them by region", async () => {
    const s = scenarioOf(yaml("east: 1, west: 3"));
    const run = await runLoad({ scenario: s, source: "two-entries.yaml", target: east.url, regionTargets: { east: east.url, west: west.url }, outDir: dir, plan: { durationS: 3 }, engine: "built-in", maxRunMs: 60_000 });
    expect(run.exitCode).toBe(0);
    const n = east.requests + west.requests;
    // about 600 Poisson arrivals (fewer if a busy machine's generator drops some), each west's with
    // probability 3/4: 3 binomial SE of the share is about 0.053
    expect(n).toBeGreaterThan(300);
    expect(Math.abs(west.requests / n - 0.75)).toBeLessThan(3 * Math.sqrt((0.75 * 0.25) / n));
    const w = await windowStats(run.ndjsonPath, 0, 3.5);
    expect(Object.keys(w.regions ?? {}).sort()).toEqual(["east", "west"]);
    const r = w.regions!;
    // every request is counted once, in its region; the tags match where it went
    expect(r.east!.requests + r.west!.requests).toBe(w.classes.read!.requests);
    expect(r.west!.requests).toBe(west.requests);
    expect(r.east!.requests).toBe(east.requests);
    // west's entry answers 30 ms later (a timer: later still on a busy machine, never sooner): the
    // window's per-region means differ by about that, each region's latency its own
    expect(r.west!.latencyMs.mean - r.east!.latencyMs.mean).toBeGreaterThan(25);
    expect(r.west!.latencyMs.p50).toBeGreaterThanOrEqual(29);
  }, 60_000);

  it("refuses an entry for a region the load has no users in", async () => {
    const s = scenarioOf(yaml("east: 1"));
    await expect(runLoad({ scenario: s, source: "x.yaml", target: east.url, regionTargets: { west: west.url }, outDir: join(dir, "bad"), plan: { durationS: 1 }, engine: "built-in" })).rejects.toThrow(/region entry for 'west': the scenario's load has no users there \(load\.regions: east\)/);
  });
});
