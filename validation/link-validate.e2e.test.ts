// `validate` compares each bandwidth link's bytes/s and busy share (validation/link-rows.ts), end to
// end: one level of scenarios/validation/bandwidth-link.yaml (HAProxy's 40 Mbit/s egress link, about
// 40% busy at the YAML's 47/s) through validateScenario, the reference app started from the YAML, its
// link relay's counters read over the judged window. The rows must be there, measured, judged
// against a band from the window's own sizes (3% widened: a 30 s window of lognormal 50 KB blobs of
// cv 1 carries about 3.5% of sampling error, so 3 standard errors are 10-15%), and pass. Beside the
// band, the busy share must agree with the bytes the relay sent (heads included) over the capacity:
// a processor-sharing link is busy exactly while it sends, so what the relay's release timing adds
// shows there.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioOf } from "../simulator/testing.ts";
import { validateScenario } from "./run.ts";

const FILE = "scenarios/validation/bandwidth-link.yaml";
const scenario = scenarioOf(readFileSync(new URL(`../${FILE}`, import.meta.url), "utf8"), FILE);
const out = mkdtempSync(join(tmpdir(), "headroom-link-validate-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("validate: a bandwidth link's bytes/s and busy share against the model", () => {
  it("one level at the YAML's rate has both rows of link lb, measured and passing", async () => {
    const lines: string[] = [];
    const report = await validateScenario({ file: FILE, scenario, rates: [47], durationS: 35, warmupS: 5, outDir: out, calibrate: false, log: (s) => lines.push(s) });
    const level = report.levels[0]!;
    expect(level.status, lines.join("\n")).not.toBe("error");
    const rows = level.rows.filter((r) => r.scope === "lb" && r.metric.startsWith("link"));
    console.log(`load ${report.machine.loadAverage.map((x) => x.toFixed(2)).join(" ")}; ${level.status}\n${rows.map((r) => `${r.metric}: predicted ${r.predicted?.toPrecision(5)} measured ${r.measured?.toPrecision(5)} error ${((r.error ?? NaN) * 100).toFixed(2)}% band ${((r.target ?? NaN) * 100).toFixed(2)}% ${r.verdict}`).join("\n")}`);
    const failing = level.rows.filter((r) => r.verdict === "fail").map((r) => `${r.scope}.${r.metric} ${((r.error ?? NaN) * 100).toFixed(1)}% (band ${((r.target ?? NaN) * 100).toFixed(0)}%)`);
    if (failing.length) console.log(`other rows failing: ${failing.join(", ")}`);
    expect(rows.map((r) => r.metric)).toEqual(["linkBytesPerSecond", "linkUtilization"]);
    const [bytes, busy] = rows as [(typeof rows)[number], (typeof rows)[number]];
    // 47/s x 6/7 x 50 KB: about 2 MB/s, 40% of 5 MB/s
    expect(bytes.measured!).toBeGreaterThan(1.5e6);
    expect(bytes.measured!).toBeLessThan(2.5e6);
    // the band is the draws' (3 SE of 30 s of these sizes), not a free pass
    expect(bytes.target!).toBeGreaterThan(0.03);
    expect(bytes.target!).toBeLessThan(0.2);
    expect(busy.target!).toBeLessThan(0.25);
    expect(bytes.verdict).toBe("pass");
    expect(busy.verdict).toBe("pass");
    // busy while sending: the bodies' bytes and at most 400 B of head a message over 5 MB/s, within
    // 3 points (the relay's late releases hold the link a little longer)
    expect(busy.measured!).toBeGreaterThanOrEqual(bytes.measured! / 5e6 - 0.005);
    expect(busy.measured!).toBeLessThan(bytes.measured! / 5e6 + 0.03);
  }, 150_000);
});
