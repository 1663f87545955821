// Test helper for the end-to-end validations of one level (the regions e2e tests): runs the real
// `headroom validate FILE ARGS` in a child process (reference app, load, comparison) into a temp
// dir it removes afterwards, reads the level's report, logs every row with the machine's load, and
// gives the rows by scope and metric, failing the test on a missing one. A code other than 0 (every
// target met) or 1 (a target missed) fails at once: bad input (2) and not measurable (3) never pass.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import type { ValidationReport } from "../report.ts";

const ROOT = resolve(import.meta.dirname, "../..");

type Level = ValidationReport["levels"][number];
type Row = Level["rows"][number];

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

/** A row as one line: predicted, measured, error, target, verdict. */
export function formatRow(r: Row): string {
  const error = r.error === null ? "-" : r.errorKind === "relative" ? `${(r.error * 100).toFixed(1)}%` : r.error.toFixed(3);
  return `${r.scope} ${r.metric}: predicted ${r.predicted?.toPrecision(4)} measured ${r.measured?.toPrecision(4)} error ${error} target ${r.target ?? "-"} ${r.verdict}`;
}

/** Each judged row measured, with a target, and passing (the row printed in the message if not). */
export function expectPassing(rows: Row[]): void {
  for (const r of rows) {
    expect(r.measured, formatRow(r)).not.toBeNull();
    expect(r.target, formatRow(r)).not.toBeNull();
    expect(r.verdict, formatRow(r)).toBe("pass");
  }
}

/** Validates FILE (its report named `report`.json) with `args`; the one level and its rows. */
export async function validateOneLevel(file: string, args: string[], report: string): Promise<{ level: Level; get: (scope: string, metric: string) => Row }> {
  const out = mkdtempSync(join(tmpdir(), "headroom-validate-level-"));
  try {
    const { code, stderr } = await cli(["validate", file, ...args, "--out", out]);
    expect([0, 1], stderr).toContain(code);
    const r = JSON.parse(readFileSync(join(out, `${report}.json`), "utf8")) as ValidationReport;
    const level = r.levels[0]!;
    expect(level.status, stderr).not.toBe("error");
    console.log(`load ${r.machine.loadAverage.map((x) => x.toFixed(2)).join(" ")}; level ${level.status}; ${level.requestsMeasured} requests\n${level.rows.map(formatRow).join("\n")}`);
    const get = (scope: string, metric: string): Row => {
      const row = level.rows.find((x) => x.scope === scope && x.metric === metric);
      expect(row, `${scope} ${metric}`).toBeDefined();
      return row!;
    };
    return { level, get };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
