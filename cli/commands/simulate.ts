// `headroom simulate`: runs a scenario's replications (on worker threads, cli/parallel-simulate.ts)
// and prints tables, or writes the versioned JSON result (--json FILE, or - for stdout).
import { access, writeFile } from "node:fs/promises";
import { constants } from "node:fs";
import { dirname } from "node:path";
import { parseFlags } from "../flags.ts";
import { UnsupportedError, formatError, withScenarioText } from "../../simulator/index.ts";
import { simulateParallel } from "../parallel-simulate.ts";
import { loadScenarioWithWarnings } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { formatResult } from "../../shared/format-table.ts";
import { parseDuration } from "../../simulator/model/index.ts";
import type { Command } from "./index.ts";
import { solveAnalytic } from "../../simulator/analytic/index.ts";
import { formatAnalytic } from "../format-analytic.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";

const HELP = `usage: headroom simulate <file.yaml> [options]

Runs the discrete-event simulation of a scenario and prints per-class and per-component tables.

options:
  --seed N            random seed, 0 to 4294967295 (default: the scenario's seed)
  --duration D        simulated time per replication, e.g. 60s, 10m (default: the scenario's)
  --warmup D          discarded start of each replication (default: the scenario's, else 10%)
  --replications R    independent replications for confidence intervals (default: the scenario's, else 5)
  --jobs N            replications run at once on worker threads (default: one per core, env
                      HEADROOM_THREADS, but one per 2M expected events: a short run stays in this
                      thread); 1 runs them one after another here. The output is the same byte for
                      byte; fewer threads when the memory budget is short
  --json FILE|-       write the result as JSON (schema headroom.result/v3, the scenario's YAML
                      embedded) to FILE, or - for stdout
  --no-series         leave the per-interval time series out of the JSON
  --analytic          print the analytic (queueing-theory) estimate instead of simulating; with
                      --json, write it as JSON (schema headroom.analytic/v1). See docs/planning.md
${BUDGET_HELP}
  -h, --help          this help

A run estimated above the event or memory budget is refused before it starts, with the estimate
(docs/scenario-format.md, "Limits").

exit codes: 0 success, 2 invalid input, 1 internal error`;

export const simulateCommand: Command = {
  summary: "simulate a scenario and print latency, throughput and utilization",
  async run(argv) {
    const args = parseFlags("simulate", argv, HELP, {
          seed: { type: "string" },
          duration: { type: "string" },
          warmup: { type: "string" },
          replications: { type: "string" },
          jobs: { type: "string" },
          json: { type: "string" },
          "no-series": { type: "boolean" },
          analytic: { type: "boolean" },
          ...BUDGET_FLAGS,
          help: { type: "boolean", short: "h" },
    });
    if (args.values.help) {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(`headroom simulate: expected one scenario file\n\n${HELP}`);
    const file = args.positionals[0];
    const v = args.values;
    // The random streams hash the seed as a 32-bit unsigned integer: larger seeds would wrap around
    // (4294967303 would run as 7), so they are refused rather than silently aliased.
    const seed = v.seed === undefined ? undefined : intFlag("--seed", v.seed, 0, MAX_SEED);
    const replications = v.replications === undefined ? undefined : intFlag("--replications", v.replications, 1);
    const jobs = v.jobs === undefined ? undefined : intFlag("--jobs", v.jobs, 1);
    const duration = v.duration === undefined ? undefined : durationFlag("--duration", v.duration);
    const warmup = v.warmup === undefined ? undefined : durationFlag("--warmup", v.warmup, true);
    if (duration !== undefined && warmup !== undefined && warmup >= duration) throw new UsageError("headroom simulate: --warmup must be shorter than --duration");
    const budget = budgetFlags("simulate", v);

    // A --json path that cannot be written is found before the run, not after it.
    if (v.json !== undefined && v.json !== "-") await checkWritable(v.json);

    const { scenario, warnings, text: yaml } = await loadScenarioWithWarnings(file);
    for (const w of warnings) process.stderr.write(`warning: ${formatError(w)}\n`);
    if (v.analytic) {
      // the analytic hit ratios hold per-key probabilities: the memory budget applies, not the events one
      checkRunSize(file, scenario, { seed, replications, duration, warmup }, { ...budget, maxEvents: Infinity }, "the analytic estimate");
      const a = solveAnalytic(scenario);
      if (v.json === "-") process.stdout.write(JSON.stringify(a, null, 2) + "\n");
      else {
        if (v.json !== undefined) await writeOutput(v.json, JSON.stringify(a, null, 2) + "\n");
        process.stdout.write(formatAnalytic(a) + (v.json !== undefined ? `\n\nWrote ${v.json}\n` : "\n"));
      }
      return 0;
    }
    checkRunSize(file, scenario, { seed, replications, duration, warmup }, budget);
    let result;
    try {
      result = await simulateParallel(scenario, { seed, replications, duration, warmup, jobs, maxMemory: budget.maxMemory, file });
    } catch (e) {
      if (e instanceof UnsupportedError) throw new InputError(`${file}: ${e.message}`);
      throw e;
    }
    result = withScenarioText(result, yaml);
    if (v["no-series"]) result = { ...result, series: null };
    if (v.json !== undefined) {
      const text = JSON.stringify(result, null, 2) + "\n";
      if (v.json === "-") process.stdout.write(text);
      else {
        await writeOutput(v.json, text);
        process.stdout.write(formatResult(result) + `\n\nWrote ${v.json}\n`);
      }
    } else {
      process.stdout.write(formatResult(result) + "\n");
    }
    return 0;
  },
};

const MAX_SEED = 2 ** 32 - 1;

function intFlag(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`headroom simulate: ${name} expects a whole number >= ${min}, got '${value}'`);
  if (n > max) throw new UsageError(`headroom simulate: ${name} expects a whole number from ${min} to ${max}, got '${value}'`);
  return n;
}

// "EACCES: permission denied, open '/x'" -> "permission denied"
function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return /^[A-Z]+: ([^,]+)/.exec(m)?.[1] ?? m;
}

async function checkWritable(file: string): Promise<void> {
  try {
    await access(file, constants.W_OK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new InputError(`headroom simulate: cannot write ${file}: ${reason(e)}`);
    try {
      await access(dirname(file), constants.W_OK);
    } catch (d) {
      throw new InputError(`headroom simulate: cannot write ${file}: ${reason(d)}`);
    }
  }
}

async function writeOutput(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (e) {
    throw new InputError(`headroom simulate: cannot write ${file}: ${reason(e)}`);
  }
}

function durationFlag(name: string, value: string, zeroOk = false): number {
  const d = parseDuration(value);
  if (d === undefined || d < 0 || (!zeroOk && d === 0)) throw new UsageError(`headroom simulate: ${name} expects a duration like 30s or 5m, got '${value}'`);
  return d;
}
