// `headroom sweep`: a scenario simulated over a grid or a Latin hypercube of its numeric fields, on
// local worker threads or BullMQ workers (--queue); a table, CSV and headroom.sweep/v1 JSON, with
// the cheapest point meeting the SLO marked. See docs/distributed.md.
import { readFile, writeFile } from "node:fs/promises";
import { parseFlags } from "../flags.ts";
import { UsageError, InputError } from "../../shared/errors.ts";
import { intFlag, durationFlag } from "../value-flags.ts";
import { defaultThreads } from "../../planning/pool.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";
import { parseVary, DesignError } from "../../sweep/design.ts";
import { FieldError } from "../../sweep/yaml-field.ts";
import { planSweep, assembleSweep, describePoint, SweepInputError } from "../../sweep/sweep.ts";
import { formatSweep, sweepCsv } from "../../sweep/format.ts";
import { dispatchFlags, DISPATCH_FLAGS, DISPATCH_HELP, runJobs } from "../dispatch.ts";
import type { Command } from "./index.ts";

const HELP = `usage: headroom sweep <file.yaml> --vary PATH=VALUES [--vary ...] [options]

Simulates the scenario at every point of a grid over numeric fields of the file (or at N points of
a Latin hypercube), and prints one row per point: the worst class's p95 and p99, errors,
throughput, cost (price per hour, or instances when nothing has a price), the analytic headroom
(saturation load / load) and whether the SLO is met. The cheapest point meeting the SLO is starred.

  --vary PATH=VALUES  PATH: a numeric field of the file, dotted (components.api.servers, load.rate,
                      load.stages.1.target); VALUES: a list 2,4,8 or a range LO..HI:N (N evenly
                      spaced values; integers when both ends are). Numbers are in the unit the file
                      writes the field in (load.rate: 300/s varied to 450 becomes 450/s).
                      Repeat for each dimension; the grid is every combination.
  --samples N         a Latin hypercube of N points instead of the grid (ranges LO..HI sampled
                      within their bounds, lists by index), seeded by --seed
  --seed N            the simulation seed of every point, and the hypercube's (default: the scenario's)
  --replications R    replications per point (default: the scenario's)
  --duration D        simulated time per replication (default: the scenario's)
  --warmup D          discarded start of each replication (default: the scenario's)
  --json FILE|-       write the result as JSON (schema headroom.sweep/v1); - for stdout
  --out FILE          the same as --json FILE
  --csv FILE|-        write one CSV row per point (every class's mean, p95, p99)
${DISPATCH_HELP}
${BUDGET_HELP}
  -h, --help          this help

Progress and the ETA go to stderr. The same file, flags and seed give the same bytes locally, on a
queue, and whichever workers ran the jobs.

exit codes: 0 success, 2 invalid input (a path that names no numeric field, a point the scenario
format refuses), 1 a distributed run that could not finish (Redis lost) or an internal error`;

export const sweepCommand: Command = {
  summary: "simulate a grid or Latin hypercube of parameter values; cheapest point meeting the SLO",
  async run(argv) {
    const args = parseFlags("sweep", argv, HELP, {
      vary: { type: "string", multiple: true }, samples: { type: "string" }, seed: { type: "string" },
      replications: { type: "string" }, duration: { type: "string" }, warmup: { type: "string" },
      json: { type: "string" }, out: { type: "string" }, csv: { type: "string" },
      ...DISPATCH_FLAGS, ...BUDGET_FLAGS, help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) { process.stdout.write(HELP + "\n"); return 0; }
    if (args.positionals.length !== 1) throw new UsageError(`headroom sweep: expected one scenario file\n\n${HELP}`);
    if (!v.vary || v.vary.length === 0) throw new UsageError(`headroom sweep: give at least one --vary PATH=VALUES\n\n${HELP}`);
    if (v.json !== undefined && v.out !== undefined) throw new UsageError("headroom sweep: --json and --out are the same; give one");
    const C = "sweep";
    const file = args.positionals[0];
    const opts = {
      samples: v.samples === undefined ? undefined : intFlag(C, "--samples", v.samples, 1),
      seed: v.seed === undefined ? undefined : intFlag(C, "--seed", v.seed, 0),
      replications: v.replications === undefined ? undefined : intFlag(C, "--replications", v.replications, 1),
      duration: v.duration === undefined ? undefined : durationFlag(C, "--duration", v.duration),
      warmup: v.warmup === undefined ? undefined : durationFlag(C, "--warmup", v.warmup),
    };
    if (opts.seed !== undefined && opts.seed > 2 ** 32 - 1) throw new UsageError(`headroom sweep: --seed expects a whole number from 0 to 4294967295, got '${v.seed}'`);
    const dispatch = dispatchFlags(C, v, defaultThreads());
    const budget = budgetFlags(C, v);
    let specs;
    try { specs = v.vary.map(parseVary); } catch (e) { if (e instanceof DesignError) throw new UsageError(`headroom sweep: ${e.message}`); throw e; }
    let text: string;
    try { text = await readFile(file, "utf8"); } catch (e) { throw new InputError(`${file}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`); }
    let plan;
    try {
      plan = planSweep(file, text, specs, opts);
    } catch (e) {
      if (e instanceof FieldError || e instanceof SweepInputError) throw new InputError(e.message);
      if (e instanceof DesignError) throw new UsageError(`headroom sweep: ${e.message}`);
      throw e;
    }
    const paths = plan.parameters.map((p) => p.path);
    plan.scenarios.forEach((s, i) => checkRunSize(file, s, plan.settings, budget, `the simulation of the point ${describePoint(paths, plan.points[i])}`));
    const outcomes = await runJobs(C, plan.jobs, dispatch);
    if (outcomes === null) return 1;
    let result;
    try { result = assembleSweep(plan, outcomes); } catch (e) { if (e instanceof SweepInputError) throw new InputError(e.message); throw e; }
    const json = JSON.stringify(result, null, 2) + "\n";
    const jsonTo = v.json ?? v.out;
    const wrote: string[] = [];
    if (jsonTo !== undefined && jsonTo !== "-") { await writeFile(jsonTo, json); wrote.push(jsonTo); }
    if (v.csv !== undefined && v.csv !== "-") { await writeFile(v.csv, sweepCsv(result)); wrote.push(v.csv); }
    if (jsonTo === "-") process.stdout.write(json);
    else if (v.csv === "-") process.stdout.write(sweepCsv(result));
    else process.stdout.write(formatSweep(result) + (wrote.length > 0 ? `\n\nWrote ${wrote.join(", ")}\n` : "\n"));
    return 0;
  },
};
