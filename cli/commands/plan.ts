// `headroom plan`: the cheapest sizing within the scenario's `plan:` bounds that meets its SLO at a
// given load, with runner-ups and why cheaper ones fail; see docs/planning.md.
import { readFile, writeFile } from "node:fs/promises";
import { parseFlags } from "../flags.ts";
import { formatError, runWindow } from "../../simulator/index.ts";
import { parseCount, parseRate } from "../../simulator/model/index.ts";
import { loadScenarioWithWarnings } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { plan, describe, type PlanResult } from "../../planning/planner.ts";
import { WorkerPool, defaultThreads } from "../../planning/pool.ts";
import { durationFlag, intFlag } from "../value-flags.ts";
import { requireSlo } from "../../planning/settings.ts";
import type { Command } from "./index.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";
import { scaleLoad } from "../../simulator/analytic/index.ts";
import { dispatchFlags, DISPATCH_FLAGS } from "../dispatch.ts";
import { queueRunner, QueueError } from "../../distributed/queue-runner.ts";
import { QueuePool } from "../../distributed/queue-pool.ts";

const HELP = `usage: headroom plan <file.yaml> --load <rate|users> [options]

The cheapest replica counts, slots, pool sizes, cache capacities and worker counts within the
bounds of the scenario's plan: section that meet its SLO at the given load (an open load's peak
rate, e.g. 800/s, or a closed load's users). Every combination is screened analytically; the
cheapest that pass (or nearly pass) are simulated in order of cost. Cost is the components'
price per hour (cost: { instance_hour }), or the instance count when nothing has a price.

options:
  --load L              the load to plan for: a rate like 800/s (open) or a user count (closed); required
  --replications R      replications per simulated candidate (default 3)
  --duration D          simulated time per replication (default: the scenario's, at most 60s)
  --max-simulations N   simulated candidates at most (default 12)
  --seed N              seed (default: the scenario's)
  --threads N           worker threads (default: one per core)
  --queue URL           simulate candidates as BullMQ jobs on Redis for 'headroom worker' processes,
                        in batches of this machine's core count (the result equals a local run with
                        that many threads; docs/distributed.md); --queue-timeout D (default 60s)
  --json FILE|-         write the plan as JSON (schema headroom.plan/v1)
${BUDGET_HELP}
  -h, --help            this help

exit codes: 0 a plan was found, 3 no configuration within the bounds meets the SLO, 2 invalid input, 1 internal error`;

export const planCommand: Command = {
  summary: "cheapest replicas, pools and cache sizes within the plan: bounds that meet the SLO at a load",
  async run(argv) {
    const args = parseFlags("plan", argv, HELP, {
          load: { type: "string" }, replications: { type: "string" }, duration: { type: "string" },
          "max-simulations": { type: "string" }, seed: { type: "string" }, ...DISPATCH_FLAGS,
          json: { type: "string" }, ...BUDGET_FLAGS, help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) { process.stdout.write(HELP + "\n"); return 0; }
    if (args.positionals.length !== 1) throw new UsageError(`headroom plan: expected one scenario file\n\n${HELP}`);
    if (v.load === undefined) throw new UsageError(`headroom plan: --load is required (a rate like 800/s, or users)\n\n${HELP}`);
    const file = args.positionals[0];
    const C = "plan";
    const budget = budgetFlags(C, v);
    const { scenario, warnings } = await loadScenarioWithWarnings(file);
    for (const w of warnings) process.stderr.write(`warning: ${formatError(w)}\n`);
    requireSlo(file, scenario);
    if (!scenario.plan || Object.keys(scenario.plan).length === 0) {
      throw new InputError(`${file}: plan: nothing to size; add bounds such as plan: { api.replicas: [2, 16], db.pool.size: [4, 32] } (docs/scenario-format.md)`);
    }
    let load: number | undefined;
    if (scenario.load.model === "open") load = parseRate(v.load) ?? (/^\d+(\.\d+)?$/.test(v.load) ? Number(v.load) : undefined);
    else { const n = parseCount(v.load); load = n !== undefined && Number.isInteger(n) ? n : undefined; }
    if (load === undefined || !(load > 0)) {
      throw new UsageError(`headroom plan: --load expects ${scenario.load.model === "open" ? "a rate like 800/s" : "a whole number of users"} for this ${scenario.load.model} load, got '${v.load}'`);
    }
    const w = runWindow(scenario);
    const duration = v.duration === undefined ? Math.min(w.duration, 60) : durationFlag(C, "--duration", v.duration);
    const settings = {
      replications: v.replications === undefined ? 3 : intFlag(C, "--replications", v.replications, 1),
      duration, warmup: Math.min(w.warmup, duration * 0.2),
      seed: v.seed === undefined ? scenario.seed : intFlag(C, "--seed", v.seed, 0),
      maxSimulations: v["max-simulations"] === undefined ? 12 : intFlag(C, "--max-simulations", v["max-simulations"], 1),
    };
    if (v.threads !== undefined && v.queue === undefined) intFlag(C, "--threads", v.threads, 1);
    const dispatch = dispatchFlags(C, v, defaultThreads());
    const threads = dispatch.kind === "threads" ? dispatch.threads : defaultThreads();
    checkRunSize(file, scaleLoad(scenario, load), { replications: settings.replications, duration: settings.duration, warmup: settings.warmup }, budget, `each simulated candidate at ${v.load}`);
    let pool: WorkerPool | QueuePool;
    if (dispatch.kind === "queue") {
      const q = new QueuePool(queueRunner({ target: dispatch.target, outageTimeout: dispatch.outageTimeout }));
      q.source(scenario, file, await readFile(file, "utf8")); // candidates travel as this text + their knobs
      pool = q;
    } else {
      pool = new WorkerPool(threads);
    }
    let result: PlanResult;
    try {
      result = await plan(scenario, load, settings, pool, threads);
    } catch (e) {
      if (e instanceof QueueError) { process.stderr.write(`headroom plan: ${e.message}\n`); return 1; }
      throw e;
    } finally {
      await pool.close();
    }
    if (v.json === "-") process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    else {
      if (v.json !== undefined) await writeFile(v.json, JSON.stringify(result, null, 2) + "\n");
      process.stdout.write(formatPlan(result) + (v.json !== undefined ? `\n\nWrote ${v.json}\n` : "\n"));
    }
    return result.chosen ? 0 : 3;
  },
};

function formatPlan(r: PlanResult): string {
  const lines = [`${r.scenario}: plan for ${Number(r.load.toPrecision(4))} ${r.unit}`];
  lines.push(r.chosen ? `  chosen: ${describe(r.chosen.assignment)}` : "  no configuration within the bounds meets the SLO");
  lines.push("");
  for (const e of r.explanation) lines.push(`- ${e}`);
  return lines.join("\n");
}
