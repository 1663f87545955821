// The per-call costs of the reference app, written into the validation scenarios themselves, so
// that plain validation (the YAML at its word) states every cost it charges instead of implying
// none (issue 12: "per-call costs are now written into the scenarios explicitly"). Reads the last
// calibrated suite's reports (results/validation-suite/calibrated/<name>.json) and sets each
// calibrated parameter in scenarios/validation/<file> in place, comments and layout kept, each
// value with a comment saying when, at what rate and machine load it was measured and what it
// replaced. Calibrated mode re-fits them from its own run (it replaces these values), so the two
// modes stay independent measurements of the same costs.
// Every calibrated value is one the reference app does not inject (overheads, the broker's confirm,
// a service's call_overhead, a direct client's edge), so the app started from the scenario is the
// same system before and after.
//   node bin/run-ts.mjs validation/write-costs.ts [--only NAME[,NAME]]
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { calibratedYaml } from "./calibrate.ts";
import type { ValidationReport } from "./report.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const REPORTS = join(ROOT, "results/validation-suite/calibrated");

/**
 * A service's `network`, which reports written before call_overhead existed carry: the app injects
 * it as a real wait, so written into the scenario it would be paid twice there. Never written.
 */
const INJECTED = /^components\.[^.]+\.network$/;

/** The scenario text with the report's calibrated costs written in; unchanged without a calibration. */
export function withCosts(text: string, rep: ValidationReport): string {
  const costs = (rep.calibration ?? []).filter((p) => !INJECTED.test(p.parameter));
  if (!costs.length || !rep.calibrationRun) return text;
  const day = rep.createdAt.slice(0, 10);
  const load = rep.machine.loadAverage[0].toFixed(1);
  const note = (was: string) => ` reference app's cost, measured by validate --calibrate at ${rep.calibrationRun!.rate} req/s on ${day} (${rep.machine.cpus} CPUs, load ${load}; ${was})`;
  return calibratedYaml(text, { parameters: costs, rate: rep.calibrationRun.rate, runs: [] }, note);
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({ options: { only: { type: "string" } } });
  const only = v.only?.split(",").filter(Boolean);
  const files = (await readdir(REPORTS)).filter((f) => f.endsWith(".json") && (!only || only.some((o) => f.includes(o)))).sort();
  if (!files.length) {
    process.stderr.write(`write-costs: no calibrated reports in ${REPORTS} (run \`npm run validate -- --calibrate\` first)\n`);
    return 2;
  }
  for (const f of files) {
    const rep = JSON.parse(await readFile(join(REPORTS, f), "utf8")) as ValidationReport;
    const path = join(ROOT, rep.scenario.file);
    const before = await readFile(path, "utf8");
    const after = withCosts(before, rep);
    if (after === before) {
      process.stdout.write(`${rep.scenario.file}: no calibration in ${f}, unchanged\n`);
      continue;
    }
    await writeFile(path, after);
    process.stdout.write(`${rep.scenario.file}: ${rep.calibration!.map((c) => `${c.parameter} = ${c.valueMs.toFixed(3)} ms`).join(", ")}\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((c) => process.exit(c), (e) => { process.stderr.write(`write-costs: ${e instanceof Error ? e.message : e}\n`); process.exit(1); });
