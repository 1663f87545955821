// `headroom check --measure`: the gate's real run of the reference app. One short run of the
// validation single pool (HAProxy + 2 Node replicas), its findings in stdout, JUnit and the kept
// report; and the inputs --measure refuses before anything starts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, station } from "./test-support.ts";

const root = join(import.meta.dirname, "../../..");
const pool = join(root, "scenarios/validation/single-pool.yaml");

describe("headroom check --measure", () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "headroom-check-measure-")); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
  const fast = ["--replications", "1", "--duration", "3s", "--nominal-duration", "3s", "--threads", "1"];

  it("drives the reference app at the nominal rate and reports every targeted row as a finding", async () => {
    const base = join(dir, "pool.json"), junitFile = join(dir, "m.xml"), out = join(dir, "runs");
    expect((await cli(["check", pool, "--baseline", base, "--update-baseline", ...fast])).code).toBe(0);
    const r = await cli(["check", pool, "--baseline", base, "--threads", "1", "--measure", "--measure-duration", "12s", "--measure-out", out, "--junit", junitFile]);
    // 0 (model and app agree) or 1 (a row missed its target on this machine); never 2 or 3
    expect([0, 1], r.out + r.err).toContain(r.code);
    expect(r.out).toMatch(/(ok: v-single-pool: measured at 100 req\/s: \d+ rows within their targets|REGRESSION: v-single-pool: get_item \w+ predicted [\d.]+, measured [\d.]+ at 100 req\/s)/);
    expect(await readFile(junitFile, "utf8")).toMatch(/<testcase classname="headroom.check.v-single-pool" name="measured/);
    // the kept report: the level ran at 100 req/s, calibrated, and the throughput served matched
    // the offered rate (9 s window at 100/s: Poisson sd 3.3%; 15% is 4.5 sd)
    const rep = JSON.parse(await readFile(join(out, "v-single-pool.json"), "utf8"));
    expect(rep.schema).toBe("headroom.validation/v1");
    expect(rep.levels.map((l: { rate: number; status: string }) => l.rate)).toEqual([100]);
    expect(rep.calibration.map((c: { parameter: string }) => c.parameter)).toContain("components.lb.overhead");
    const tp = rep.levels[0].rows.find((x: { metric: string }) => x.metric === "throughput");
    expect(Math.abs(tp.measured - 100) / 100).toBeLessThan(0.15);
  }, 120_000);

  it("refuses inputs it cannot measure before anything starts: exit 2", async () => {
    const closed = join(dir, "closed.yaml"), base = join(dir, "st.json");
    await writeFile(closed, station(1, "st").replace("load: { model: open, rate: 500/s,", "load: { model: closed, users: 5, think: 10ms,"));
    expect((await cli(["check", closed, "--baseline", base, "--update-baseline", ...fast])).code).toBe(0);
    const r = await cli(["check", closed, "--baseline", base, "--measure"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--measure: scenario 'st': validation needs load.model: open with a constant load.rate");
    const loose = await cli(["check", closed, "--baseline", base, "--measure-duration", "5s"]);
    expect(loose.code).toBe(2);
    expect(loose.err).toContain("--measure-duration and --measure-out go with --measure");
  }, 60_000);
});
