// `headroom validate --target` end to end: real load levels from the built-in runner (or k6) against
// the tiny M/D/4 system on 127.0.0.1 (validation/testing/own-system.ts), with and without
// Prometheus (a real one, Debian's 2.42, scraping the system every 250 ms; and the stand-in that
// also records the queries asked), and `headroom compare` on the level's own k6 output giving the
// same measured rows. Bands: the throughput's is validation's 3% target widened
// to 10% for a 2-core machine shared with other jobs; the utilization's is absolute 0.05 against
// the busy share implied by the measured throughput (each request holds a worker 40 ms + timer lag)
// and 0.03 against the model's at the offered load.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli as cli } from "./testing/run-cli.ts";
import { startOwnSystem, startPromStandIn, type OwnSystem, type PromStandIn } from "./testing/own-system.ts";
import { startPrometheus, type RealPrometheus } from "./testing/prometheus.ts";
import type { ValidationReport } from "./report.ts";

const root = join(import.meta.dirname, "..");
const yamlPath = join(root, "validation/fixtures/own-system.yaml");

const rowOf = (rep: ValidationReport, scope: string, metric: string) => rep.levels[0].rows.find((r) => r.scope === scope && r.metric === metric)!;
const report = (dir: string) => JSON.parse(readFileSync(join(dir, "own-system.json"), "utf8")) as ValidationReport;

describe("validate --target against a tiny real system", () => {
  let dir: string;
  let sys: OwnSystem;
  let prom: PromStandIn;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "headroom-own-system-long-"));
    sys = await startOwnSystem({ servers: 4, serviceMs: 40 });
    prom = await startPromStandIn({ scrape: `${sys.url}/metrics`, scrapeMs: 250 });
  });
  afterAll(async () => {
    await prom?.close();
    await sys?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("with --prometheus: class rows as validation's, the utilization row from the YAML's PromQL; compare on its k6 output agrees", async () => {
    const out = join(dir, "with");
    const r = await cli(["validate", yamlPath, "--target", sys.url, "--prometheus", prom.url, "--scrape-interval", "0.5s", "--levels", "0.3", "--duration", "10s", "--warmup", "2s", "--out", out]);
    expect([0, 1], r.err).toContain(r.code);
    const rep = report(out);
    expect(rep.measuredOn).toMatch(/^the system at http:\/\/127\.0\.0\.1:\d+ \(--target; no reference app started\), component rows from Prometheus/);
    const l = rep.levels[0];
    expect(l.rate).toBe(30);
    expect(prom.asked).toContain("rate(own_busy_seconds_total[8s]) / 4");
    const tp = rowOf(rep, "get_item", "throughput");
    expect(Math.abs(tp.error!)).toBeLessThan(0.1);
    const u = rowOf(rep, "api", "utilization");
    expect(u.note).toBeUndefined();
    // truth from the measured throughput: each request holds one of 4 workers for 40 ms
    expect(Math.abs(u.measured! - (tp.measured! * 0.04) / 4)).toBeLessThan(0.05);
    // and the model's, scaled to the load the generator really offered (one seeded Poisson
    // realization: over 8 s it can be 20% off the nominal rate, the simulation's another one); the
    // timer's lag adds 1-2 ms to each 40 ms hold, about 0.015 of utilization at 30%
    const offered = rowOf(rep, "get_item", "offered");
    expect(Math.abs(u.measured! - (u.predicted! * offered.measured!) / offered.predicted!)).toBeLessThan(0.03);

    // the same run read back by `compare`: the same window, so the same measured class rows
    const ndjson = join(out, "own-system", `rate-30${l.generator && l.generator.length > 1 ? "-retry" : ""}`, "k6", "k6.ndjson");
    const c = await cli(["compare", yamlPath, "--k6", ndjson, "--warmup", "2s", "--duration", "10s", "--out", join(dir, "compared")]);
    expect([0, 1], c.err).toContain(c.code);
    const back = report(join(dir, "compared"));
    for (const m of ["throughput", "mean", "p50", "p95", "p99", "errorRate"]) {
      expect(rowOf(back, "get_item", m).measured, m).toBe(rowOf(rep, "get_item", m).measured);
    }
  });

  it("with a real Prometheus: the utilization row from its answer to the YAML's PromQL, within the same bands", async () => {
    let real: RealPrometheus | undefined;
    try {
      real = await startPrometheus({ scrape: `${sys.url}/metrics`, scrapeMs: 250 });
      const out = join(dir, "real-prometheus");
      const busy0 = sys.busySeconds(), done0 = sys.completed;
      const r = await cli(["validate", yamlPath, "--target", sys.url, "--prometheus", real.url, "--scrape-interval", "0.25s", "--levels", "0.3", "--duration", "10s", "--warmup", "2s", "--out", out]);
      expect([0, 1], r.err).toContain(r.code);
      const rep = report(out);
      expect(rep.measuredOn).toMatch(/component rows from Prometheus/);
      const tp = rowOf(rep, "get_item", "throughput");
      const u = rowOf(rep, "api", "utilization");
      expect(u.note, JSON.stringify(u)).toBeUndefined();
      expect(Math.abs(u.measured! - (tp.measured! * 0.04) / 4)).toBeLessThan(0.05);
      const offered = rowOf(rep, "get_item", "offered");
      const mean = rowOf(rep, "get_item", "mean");
      // the hold per request as the system itself realized it over the run (40 ms + its timer's lag),
      // not the client's mean latency, which adds the generator's own HTTP time (1.5-2.6 ms: 0.013-0.023
      // of utilization here, which had this band fail 3 runs in 4 on 4 Dec at load 1):
      // utilization = throughput x hold / 4 (the stand-in test's band is on the model's 40 ms)
      const holdMs = ((sys.busySeconds() - busy0) * 1000) / (sys.completed - done0);
      const detail = JSON.stringify({ u: [u.predicted, u.measured], offered: [offered.predicted, offered.measured], tp: tp.measured, meanMs: mean.measured, holdMs });
      console.log(`  real Prometheus: ${detail}`);
      expect(holdMs, detail).toBeGreaterThanOrEqual(40);
      expect(Math.abs(u.measured! - (tp.measured! * holdMs) / 1000 / 4), detail).toBeLessThan(0.02);
      expect(Math.abs(u.measured! - (u.predicted! * offered.measured!) / offered.predicted!), detail).toBeLessThan(0.03);
    } finally {
      await real?.close();
    }
  });

  it("without --prometheus: the component row says not measured and is never judged", async () => {
    const out = join(dir, "without");
    const r = await cli(["validate", yamlPath, "--target", sys.url, "--rates", "20", "--duration", "6s", "--warmup", "1s", "--out", out]);
    expect([0, 1], r.err).toContain(r.code);
    const u = rowOf(report(out), "api", "utilization");
    expect(u).toMatchObject({ measured: null, verdict: "info", note: "not measured (no --prometheus given)" });
    expect(readFileSync(join(out, "own-system.md"), "utf8")).toMatch(/component rows not measured \(no --prometheus\)/);
  });
});
