// `headroom capacity`: the highest sustainable load (arrival rate or users) of a scenario at its
// SLO, bracketed analytically and refined by simulation on all cores; see docs/planning.md.
import { readFile, writeFile } from "node:fs/promises";
import { parseFlags } from "../flags.ts";
import { formatError } from "../../simulator/index.ts";
import { loadScenarioWithWarnings } from "../../shared/load-scenario.ts";
import { UsageError } from "../../shared/errors.ts";
import { findCapacity, type CapacityResult } from "../../planning/capacity.ts";
import { WorkerPool, defaultThreads } from "../../planning/pool.ts";
import { durationFlag, fractionFlag, intFlag } from "../value-flags.ts";
import { requireSlo, searchSettings } from "../../planning/settings.ts";
import { num } from "../format-analytic.ts";
import type { Command } from "./index.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";
import { dispatchFlags, DISPATCH_FLAGS } from "../dispatch.ts";
import { queueRunner, QueueError } from "../../distributed/queue-runner.ts";
import { QueuePool } from "../../distributed/queue-pool.ts";

const HELP = `usage: headroom capacity <file.yaml> [options]

The highest arrival rate (open load) or user count (closed load) that still meets the scenario's
SLO: every class's latency limits, the error rate, and no saturated queue. The analytic estimate
brackets it; R independent searches (seeds seed..seed+R-1) bisect it by simulation on worker
threads; the result is their mean with a 95% confidence interval. Staged loads are scaled as a
whole (the peak is the reported level).

options:
  --replications R    independent searches (default 4)
  --duration D        simulated time per run (default: the scenario's, at most 60s unless staged)
  --warmup D          discarded start of each run (default: the scenario's, at most 20% of the run)
  --tolerance F       stop bisecting at this relative bracket width (default 2%)
  --max-runs N        simulation runs per search at most (default 14)
  --seed N            first seed (default: the scenario's)
  --threads N         worker threads (default: one per core; env HEADROOM_THREADS)
  --queue URL         run each search as a BullMQ job on Redis (redis://HOST:PORT[/DB]) for
                      'headroom worker' processes; same result as local (docs/distributed.md)
  --queue-timeout D   with --queue, fail after Redis has not answered for D (default 60s)
  --json FILE|-       write the result as JSON (schema headroom.capacity/v1)
${BUDGET_HELP}
  -h, --help          this help

exit codes: 0 success, 2 invalid input, 1 internal error or a --queue run that could not finish`;

export const capacityCommand: Command = {
  summary: "highest sustainable load at the scenario's SLO (analytic bracket, simulated bisection)",
  async run(argv) {
    const args = parseFlags("capacity", argv, HELP, {
          replications: { type: "string" }, duration: { type: "string" }, warmup: { type: "string" },
          tolerance: { type: "string" }, "max-runs": { type: "string" }, seed: { type: "string" },
          ...DISPATCH_FLAGS, json: { type: "string" }, ...BUDGET_FLAGS, help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) { process.stdout.write(HELP + "\n"); return 0; }
    if (args.positionals.length !== 1) throw new UsageError(`headroom capacity: expected one scenario file\n\n${HELP}`);
    const file = args.positionals[0];
    const C = "capacity";
    const opts = {
      searches: v.replications === undefined ? undefined : intFlag(C, "--replications", v.replications, 1),
      duration: v.duration === undefined ? undefined : durationFlag(C, "--duration", v.duration),
      warmup: v.warmup === undefined ? undefined : durationFlag(C, "--warmup", v.warmup),
      tolerance: v.tolerance === undefined ? undefined : fractionFlag(C, "--tolerance", v.tolerance),
      maxRuns: v["max-runs"] === undefined ? undefined : intFlag(C, "--max-runs", v["max-runs"], 2),
      seed: v.seed === undefined ? undefined : intFlag(C, "--seed", v.seed, 0),
    };
    if (v.threads !== undefined && v.queue === undefined) intFlag(C, "--threads", v.threads, 1);
    const dispatch = dispatchFlags(C, v, defaultThreads());
    const budget = budgetFlags(C, v);
    const { scenario, warnings } = await loadScenarioWithWarnings(file);
    for (const w of warnings) process.stderr.write(`warning: ${formatError(w)}\n`);
    requireSlo(file, scenario);
    let settings;
    try { settings = searchSettings(scenario, opts); } catch (e) { throw new UsageError(`headroom capacity: ${(e as Error).message}`); }
    // every run of a search is one replication of settings.duration, at loads around this one
    checkRunSize(file, scenario, { replications: 1, duration: settings.duration, warmup: settings.warmup }, budget, "each simulation of the search");
    let result: CapacityResult;
    if (dispatch.kind === "queue") {
      // the searches travel as the file's text: read it again (the scenario above was parsed from it)
      const pool = new QueuePool(queueRunner({ target: dispatch.target, outageTimeout: dispatch.outageTimeout }));
      pool.source(scenario, file, await readFile(file, "utf8"));
      try {
        result = await findCapacity(scenario, settings, pool);
      } catch (e) {
        if (e instanceof QueueError) { process.stderr.write(`headroom capacity: ${e.message}\n`); return 1; }
        throw e;
      } finally {
        await pool.close();
      }
    } else {
      const pool = new WorkerPool(Math.min(dispatch.threads, settings.searches));
      try {
        result = await findCapacity(scenario, settings, pool);
      } finally {
        await pool.close();
      }
    }
    if (v.json === "-") { process.stdout.write(JSON.stringify(result, null, 2) + "\n"); return 0; }
    if (v.json !== undefined) await writeFile(v.json, JSON.stringify(result, null, 2) + "\n");
    process.stdout.write(formatCapacity(result) + (v.json !== undefined ? `\n\nWrote ${v.json}\n` : "\n"));
    return 0;
  },
};

export function formatCapacity(r: CapacityResult): string {
  const u = r.unit;
  const ci = r.capacity.ci95 === null ? "" : ` ± ${num(r.capacity.ci95, 3)} (95% CI over ${r.capacity.perSearch.length} searches)`;
  const lines = [
    `${r.scenario}: sustainable load ${num(r.capacity.value, 4)} ${u}${ci}`,
    `  nominal load ${num(r.nominal, 4)} ${u}: headroom x${num(r.headroom, 3)}`,
    `  bottleneck: ${r.bottleneck ?? "-"}; above capacity the first failure is ${r.limitedBy ?? "-"}`,
    `  per search: ${r.capacity.perSearch.map((x) => num(x, 4)).join(", ")} ${u} (final bracket width ${num(r.capacity.resolution, 3)} ${u} on average)`,
    `  analytic: SLO met up to ${num(r.analytic.slo, 4)} ${u}, saturation at ${num(r.analytic.saturation, 4)} ${u} (bottleneck ${r.analytic.bottleneck ?? "-"})`,
  ];
  if (r.connectionsAtCapacity) {
    lines.push(`  connections held at capacity (simulated): ${Object.entries(r.connectionsAtCapacity).map(([k, n]) => `${k} ${num(n, 4)}`).join("; ")}`);
  }
  if (r.invocationsAtCapacity) {
    lines.push(`  invocations at capacity (simulated): ${Object.entries(r.invocationsAtCapacity).map(([k, f]) => `${k} ${num(f.perSecond, 4)} invocations/s run, ${num(f.throttled * 100, 3)}% throttled`).join("; ")}`);
  }
  if (r.atCapacity) {
    lines.push(`  at capacity (simulated): ${Object.entries(r.atCapacity).map(([k, x]) => `${k} p95 ${num(x.p95)} ms, p99 ${num(x.p99)} ms`).join("; ")}`);
  }
  lines.push(`  ${r.runs} simulation runs of ${r.settings.duration}s (warm-up ${r.settings.warmup}s), tolerance ${num(r.settings.tolerance * 100)}%`);
  return lines.join("\n");
}
