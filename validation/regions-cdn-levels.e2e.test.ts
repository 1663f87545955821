// `headroom validate` on a scenario with regions and a CDN, end to end (issue 15): the CLI runs one
// level of scenarios/validation/regions-cdn.yaml (east and west 20 ms apart, the users' geo route
// `api`, a CDN with a 10 ms edge latency in front of the static assets, west down from 15 s for
// 8 s) at the YAML's 40/s for 30 s: the reference app started from the YAML, each region's users'
// asset requests sent to their server of the edge (the edge relay waiting the edge latency, then
// nginx) and their browses to their geo router, the outage timed from the load's first sample.
// The report must hold the CDN's rows, measured and passing (hit ratio, origin fetches per
// second), each region's users' throughput passing; the edge latency must show in the asset
// class (its mean over the edge's 10 ms on both sides: without the wait an edge hit takes about
// 1 ms); the outage must show (api-west answered well under west's users' browses).
// The usual latency rows are logged, not asserted (they carry the app's own cost, which the model
// lacks). In `npm run test:app-unproven` (reference-app/vitest.unproven.config.ts) until it has
// passed on a quiet machine; about 60 s.
import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ValidationReport } from "./report.ts";

const ROOT = resolve(import.meta.dirname, "..");
const FILE = "scenarios/validation/regions-cdn.yaml";
const out = mkdtempSync(join(tmpdir(), "headroom-regions-cdn-validate-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, "bin/headroom.mjs"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    child.stdout.resume();
    child.once("error", rej);
    child.once("close", (code) => res({ code: code ?? 1, stderr }));
  });
}

describe("headroom validate: a scenario with regions and a CDN", () => {
  it("one level: the CDN's and the regions' rows are measured and within their targets; the edge latency and the outage show", async () => {
    const { code, stderr } = await cli(["validate", FILE, "--rates", "40", "--duration", "30s", "--warmup", "5s", "--out", out]);
    expect([0, 1], stderr).toContain(code);
    const report = JSON.parse(readFileSync(join(out, "v-regions-cdn.json"), "utf8")) as ValidationReport;
    const level = report.levels[0]!;
    expect(level.status, stderr).not.toBe("error");
    const fmt = (r: (typeof level.rows)[number]) => `${r.scope} ${r.metric}: predicted ${r.predicted?.toPrecision(4)} measured ${r.measured?.toPrecision(4)} error ${r.error === null ? "-" : r.errorKind === "relative" ? `${(r.error * 100).toFixed(1)}%` : r.error.toFixed(3)} target ${r.target ?? "-"} ${r.verdict}`;
    console.log(`load ${report.machine.loadAverage.map((x) => x.toFixed(2)).join(" ")}; level ${level.status}; ${level.requestsMeasured} requests\n${level.rows.map(fmt).join("\n")}`);
    const get = (scope: string, metric: string) => {
      const r = level.rows.find((x) => x.scope === scope && x.metric === metric);
      expect(r, `${scope} ${metric}`).toBeDefined();
      return r!;
    };
    const judged = [get("cdn", "cacheHitRatio"), get("cdn", "originThroughput"), get("region east", "regionThroughput"), get("region west", "regionThroughput")];
    for (const r of judged) {
      expect(r.measured, fmt(r)).not.toBeNull();
      expect(r.target, fmt(r)).not.toBeNull();
      expect(r.verdict, fmt(r)).toBe("pass");
    }
    // the edge latency is paid: the asset class's mean over the edge's 10 ms on both sides
    const asset = get("asset", "mean");
    expect(asset.predicted!).toBeGreaterThan(10);
    expect(asset.measured!).toBeGreaterThan(10);
    // west down 8 of the 25 s window: api-west answered well under west's users' browses and misses, on both sides
    const west = get("region west", "regionThroughput");
    const apiWest = get("api-west", "throughput");
    const hit = get("cdn", "cacheHitRatio");
    const westOrigin = (x: number, h: number) => x * (0.5 + 0.5 * (1 - h));
    expect(apiWest.predicted! / westOrigin(west.predicted!, hit.predicted!)).toBeLessThan(0.8);
    expect(apiWest.measured! / westOrigin(west.measured!, hit.measured!)).toBeLessThan(0.8);
  }, 240_000);
});
