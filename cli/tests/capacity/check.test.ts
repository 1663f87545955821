// The CI gate end to end on tiny scenarios (real searches on worker threads, few short runs): exit
// codes and reports for a pass, a regression and each kind of bad input. The accuracy of the
// search and the planner are tested in capacity.long.test.ts (npm run test:capacity).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, station } from "./test-support.ts";


describe("headroom check", () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "headroom-check-")); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });
  const fast = ["--replications", "1", "--duration", "3s", "--nominal-duration", "3s", "--threads", "1"];

  it("a fresh baseline passes; fewer servers under the same name is a regression naming scenario, metric, old and new", async () => {
    const good = join(dir, "good.yaml"), worse = join(dir, "worse.yaml"), base = join(dir, "baseline.json");
    await writeFile(good, station(2, "pair"));
    await writeFile(worse, station(2, "pair").replace("mean: 2ms", "mean: 2.6ms"));
    const made = await cli(["check", good, "--baseline", base, "--update-baseline", ...fast]);
    expect(made.code, made.err).toBe(0);
    const saved = JSON.parse(await readFile(base, "utf8"));
    expect(saved.schema).toBe("headroom.baseline/v1");
    expect(saved.scenarios.pair.capacity).toBeGreaterThan(500);

    const junitFile = join(dir, "ok.xml"), summaryFile = join(dir, "ok.md");
    const ok = await cli(["check", good, "--baseline", base, "--junit", junitFile, "--summary", summaryFile, "--threads", "1"]);
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(await readFile(junitFile, "utf8")).toContain('failures="0"');
    expect(await readFile(summaryFile, "utf8")).toContain("gate: passed");

    const bad = await cli(["check", worse, "--baseline", base, "--junit", join(dir, "bad.xml"), "--threads", "1"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/REGRESSION: pair: capacity regressed: [\d.]+ req\/s -> [\d.]+ req\/s/);
    expect(await readFile(join(dir, "bad.xml"), "utf8")).toMatch(/<failure message="pair: capacity regressed/);
  });

  it("bad input: another schema version, a scenario missing from the baseline, other settings: exit 2, never a pass", async () => {
    const good = join(dir, "good2.yaml"), other = join(dir, "other.yaml"), base = join(dir, "b2.json");
    await writeFile(good, station(1, "alpha"));
    await writeFile(other, station(1, "beta"));
    expect((await cli(["check", good, "--baseline", base, "--update-baseline", ...fast])).code).toBe(0);

    const missing = await cli(["check", good, other, "--baseline", base]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("scenario 'beta' is not in the baseline");

    const settings = await cli(["check", good, "--baseline", base, "--duration", "5s"]);
    expect(settings.code).toBe(2);
    expect(settings.err).toContain("settings differ from the baseline's (duration: baseline 3, this run 5)");

    const v0 = join(dir, "v0.json");
    await writeFile(v0, JSON.stringify({ ...JSON.parse(await readFile(base, "utf8")), schema: "headroom.baseline/v0" }));
    const schema = await cli(["check", good, "--baseline", v0]);
    expect(schema.code).toBe(2);
    expect(schema.err).toContain('baseline schema is "headroom.baseline/v0", this headroom reads headroom.baseline/v1');

    const none = await cli(["check", good, "--baseline", join(dir, "absent.json")]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("cannot read the baseline (ENOENT)");
  });

});
