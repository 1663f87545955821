// The per-call costs of the reference app, written into the validation scenarios themselves, so
// that plain validation (the YAML at its word) states every cost it charges instead of implying
// none (issue 12: "per-call costs are now written into the scenarios explicitly"). Reads the last
// calibrated suite's reports (results/validation-suite/calibrated/<name>.json) and sets each
// calibrated parameter in scenarios/validation/<file> in place, comments and layout kept, each
// value with a comment saying when, at what rate and machine load it was measured and what it
// replaced. Calibrated mode re-fits them from its own run (it replaces these values), so the two
// modes stay independent measurements of the same costs.
// Left out: a service's `network` (the calibrated per-call excess of its cache, database and broker
// calls). The reference app injects a service's `network` as a real wait on each leg, so written
// into the scenario it would be paid twice there; the model has no field for a cost the app must
// not inject on calls yet, so plain validation still leaves those calls' client-side time out.
//   node bin/run-ts.mjs validation/write-costs.ts [--only NAME[,NAME]]
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseDocument } from "yaml";
import { parseDuration } from "../simulator/index.ts";
import { calibratedYaml } from "./calibrate.ts";
import type { ValidationReport } from "./report.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const REPORTS = join(ROOT, "results/validation-suite/calibrated");

/** Parameters the reference app realizes as real waits (components.<service>.network): never written. */
const INJECTED = /^components\.[^.]+\.network$/;

/** The scenario text with the report's calibrated costs written in; unchanged without a calibration. */
export function withCosts(text: string, rep: ValidationReport): string {
  const all = rep.calibration ?? [];
  // The fit took the network excess of a publish's two legs out of the broker's confirm (the
  // calibrated network charged it); with that network left out, the confirm keeps it.
  const net = all.find((p) => INJECTED.test(p.parameter));
  const yamlNet = net ? parseDuration(parseDocument(text).getIn(["components", net.parameter.split(".")[1], "network"]) ?? "0s") : 0;
  const back = net && yamlNet !== undefined ? 2 * Math.max(0, net.valueMs - yamlNet * 1000) : 0;
  const costs = all
    .filter((p) => !INJECTED.test(p.parameter))
    .map((p) => (back > 0 && p.parameter.endsWith(".confirm") ? { ...p, valueMs: p.valueMs + back, ...(p.samplesMs ? { samplesMs: p.samplesMs.map((x) => x + back) } : {}) } : p));
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
    process.stdout.write(`${rep.scenario.file}: ${rep.calibration!.map((c) => `${c.parameter} = ${c.valueMs.toFixed(3)} ms${INJECTED.test(c.parameter) ? " (left out: the app injects it)" : ""}`).join(", ")}\n`);
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) main().then((c) => process.exit(c), (e) => { process.stderr.write(`write-costs: ${e instanceof Error ? e.message : e}\n`); process.exit(1); });
