// `validate` on a database's egress link (issue 19, links on databases): one level of
// scenarios/validation/db-link.yaml through validateScenario, the reference app started from the
// YAML with its real PostgreSQL, the link relay standing between the API and PostgreSQL on a pg
// route (parts/pg-framer.ts): each answer (up to its ReadyForQuery) crosses the database's
// 16 Mbit/s link whole, processor sharing as the model's. The link rows must be there, measured,
// and pass, in a band from the window's own sizes (lognormal, cv 0.5: 3 standard errors of 30 s
// of them are about 5%). Beside the band, the busy share must agree with the bytes the relay sent
// (the protocol's messages included) over the capacity.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scenarioOf } from "../simulator/testing.ts";
import { validateScenario } from "./run.ts";

const FILE = "scenarios/validation/db-link.yaml";
const scenario = scenarioOf(readFileSync(new URL(`../${FILE}`, import.meta.url), "utf8"), FILE);
const out = mkdtempSync(join(tmpdir(), "headroom-db-link-validate-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("validate: a database's link (PostgreSQL's answers) against the model", () => {
  it("one level at the YAML's rate has both rows of link db, measured and passing", async () => {
    const lines: string[] = [];
    const report = await validateScenario({ file: FILE, scenario, rates: [40], durationS: 35, warmupS: 5, outDir: out, calibrate: false, log: (s) => lines.push(s) });
    const level = report.levels[0]!;
    expect(level.status, lines.join("\n")).not.toBe("error");
    const rows = level.rows.filter((r) => r.scope === "db" && r.metric.startsWith("link"));
    console.log(`load ${report.machine.loadAverage.map((x) => x.toFixed(2)).join(" ")}; ${level.status}\n${rows.map((r) => `${r.metric}: predicted ${r.predicted?.toPrecision(5)} measured ${r.measured?.toPrecision(5)} error ${((r.error ?? NaN) * 100).toFixed(2)}% band ${((r.target ?? NaN) * 100).toFixed(2)}% ${r.verdict}`).join("\n")}`);
    const failing = level.rows.filter((r) => r.verdict === "fail").map((r) => `${r.scope}.${r.metric} ${((r.error ?? NaN) * 100).toFixed(1)}% (band ${((r.target ?? NaN) * 100).toFixed(0)}%)`);
    if (failing.length) console.log(`other rows failing: ${failing.join(", ")}`);
    expect(rows.map((r) => r.metric)).toEqual(["linkBytesPerSecond", "linkUtilization"]);
    const [bytes, busy] = rows as [(typeof rows)[number], (typeof rows)[number]];
    // 40/s x 20 KB: about 800 KB/s, 40% of 2 MB/s
    expect(bytes.measured!).toBeGreaterThan(0.6e6);
    expect(bytes.measured!).toBeLessThan(1.0e6);
    // the draws' band (3 SE of 30 s of cv-0.5 sizes), not a free pass
    expect(bytes.target!).toBeGreaterThanOrEqual(0.03);
    expect(bytes.target!).toBeLessThan(0.1);
    expect(busy.target!).toBeLessThan(0.2);
    expect(bytes.verdict).toBe("pass");
    expect(busy.verdict).toBe("pass");
    // busy while sending: the rows' values and the answer's other messages (about 200 B) over 2 MB/s, within
    // 3 points (the relay's late releases hold the link a little longer)
    expect(busy.measured!).toBeGreaterThanOrEqual(bytes.measured! / 2e6 - 0.005);
    expect(busy.measured!).toBeLessThan(bytes.measured! / 2e6 + 0.03);
  }, 180_000);
});
