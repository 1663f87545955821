// `validate` on a cache's egress link (issue 19, links on caches): one level of
// scenarios/validation/cache-link.yaml through validateScenario, the reference app started from the
// YAML with its real Redis, the link relay standing between the API and Redis on a RESP route
// (parts/resp-framer.ts): each reply crosses the cache's 16 Mbit/s link whole, processor sharing
// as the model's. The link rows must be there, measured, and pass: the values are constant (20 KB),
// so the bytes band is the 3% target itself, not widened by the draws. Beside the band, the busy
// share must agree with the bytes the relay sent (RESP framing included) over the capacity: a
// processor-sharing link is busy exactly while it sends, so what the relay's release timing adds
// shows there.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioOf } from "../simulator/testing.ts";
import { validateScenario } from "./run.ts";

const FILE = "scenarios/validation/cache-link.yaml";
const scenario = scenarioOf(readFileSync(new URL(`../${FILE}`, import.meta.url), "utf8"), FILE);
const out = mkdtempSync(join(tmpdir(), "headroom-cache-link-validate-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("validate: a cache's link (Redis's replies) against the model", () => {
  it("one level at the YAML's rate has both rows of link meta, measured and passing", async () => {
    const lines: string[] = [];
    const report = await validateScenario({ file: FILE, scenario, rates: [40], durationS: 35, warmupS: 5, outDir: out, calibrate: false, log: (s) => lines.push(s) });
    const level = report.levels[0]!;
    expect(level.status, lines.join("\n")).not.toBe("error");
    const rows = level.rows.filter((r) => r.scope === "meta" && r.metric.startsWith("link"));
    console.log(`load ${report.machine.loadAverage.map((x) => x.toFixed(2)).join(" ")}; ${level.status}\n${rows.map((r) => `${r.metric}: predicted ${r.predicted?.toPrecision(5)} measured ${r.measured?.toPrecision(5)} error ${((r.error ?? NaN) * 100).toFixed(2)}% band ${((r.target ?? NaN) * 100).toFixed(2)}% ${r.verdict}`).join("\n")}`);
    const failing = level.rows.filter((r) => r.verdict === "fail").map((r) => `${r.scope}.${r.metric} ${((r.error ?? NaN) * 100).toFixed(1)}% (band ${((r.target ?? NaN) * 100).toFixed(0)}%)`);
    if (failing.length) console.log(`other rows failing: ${failing.join(", ")}`);
    expect(rows.map((r) => r.metric)).toEqual(["linkBytesPerSecond", "linkUtilization"]);
    const [bytes, busy] = rows as [(typeof rows)[number], (typeof rows)[number]];
    // 40/s x 20 KB: about 800 KB/s, 40% of 2 MB/s
    expect(bytes.measured!).toBeGreaterThan(0.6e6);
    expect(bytes.measured!).toBeLessThan(1.0e6);
    // constant values: the 3% target, not widened
    expect(bytes.target!).toBeGreaterThanOrEqual(0.03);
    expect(bytes.target!).toBeLessThan(0.05);
    expect(busy.target!).toBeLessThan(0.15);
    expect(bytes.verdict).toBe("pass");
    expect(busy.verdict).toBe("pass");
    // busy while sending: the values and their RESP framing (a few bytes a reply) over 2 MB/s, within
    // 3 points (the relay's late releases hold the link a little longer)
    expect(busy.measured!).toBeGreaterThanOrEqual(bytes.measured! / 2e6 - 0.005);
    expect(busy.measured!).toBeLessThan(bytes.measured! / 2e6 + 0.03);
  }, 180_000);
});
