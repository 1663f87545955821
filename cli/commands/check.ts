// `headroom check`: the CI capacity gate. Per scenario: sustainable load at its SLO (capacity
// search), p95/p99 per class and the SLO verdict at nominal load, and cost; compared with a
// committed baseline; exit 1 on a regression beyond the tolerance; --measure adds a real run of the
// reference app per scenario (validation/measured-gate.ts). See docs/ci.md.
import { readFile, writeFile } from "node:fs/promises";
import { parseFlags } from "../flags.ts";
import { formatError, type Scenario } from "../../simulator/index.ts";
import { nominalLoad, loadUnit } from "../../simulator/analytic/index.ts";
import { loadScenarioWithWarnings } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { findCapacity } from "../../planning/capacity.ts";
import { WorkerPool, defaultThreads, type TaskPool } from "../../planning/pool.ts";
import { dispatchFlags, DISPATCH_FLAGS } from "../dispatch.ts";
import { queueRunner, QueueError } from "../../distributed/queue-runner.ts";
import { QueuePool } from "../../distributed/queue-pool.ts";
import { durationFlag, fractionFlag, intFlag } from "../value-flags.ts";
import { requireSlo } from "../../planning/settings.ts";
import { BASELINE_SCHEMA, BaselineError, parseBaseline, sameSettings, type Baseline, type GateSettings, type ScenarioMeasure } from "../../planning/baseline.ts";
import { compare, junit, markdown, type Finding } from "../../planning/gate.ts";
import { measuredFindings } from "../../validation/measured-gate.ts";
import type { Command } from "./index.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";

const HELP = `usage: headroom check <file.yaml>... --baseline FILE [options]

The capacity gate for CI. For each scenario: the sustainable load at its SLO (as headroom
capacity, with few short runs), p95/p99 per class and the SLO verdict at nominal load, and cost
per hour; compared with the baseline (scenarios matched by name). The simulator is deterministic
(same seed, same output), so an unchanged model reproduces the baseline exactly.

options:
  --baseline FILE       the baseline JSON (schema ${BASELINE_SCHEMA}); required
  --tolerance F         allowed relative worsening per metric (default 5%)
  --update-baseline     measure and write the baseline (adding or replacing these scenarios), exit 0
  --junit FILE          write the findings as JUnit XML
  --summary FILE        write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)
  --replications R      capacity searches per scenario (default 2)     } with --update-baseline only:
  --duration D          simulated time per run (default 15s)           } a check always uses the
  --nominal-duration D  simulated time of the nominal-load run (30s)   } baseline's settings
  --seed N              first seed (default 1)
  --threads N           worker threads (default: one per core; env HEADROOM_THREADS)
  --queue URL           run the searches and simulations as BullMQ jobs on Redis for 'headroom
                        worker' processes (docs/distributed.md); --queue-timeout D (default 60s)
${BUDGET_HELP}
  --measure             also start each scenario's reference app, calibrate, drive it at the
                        nominal rate and fail on every row that misses its validation target
                        (docs/validation.md); needs a constant open load.rate
  --measure-duration D  load per scenario with --measure (default 20s, first quarter up to 5s discarded)
  --measure-out DIR     keep the validation reports and k6 output there (default: a temp dir, removed)
  -h, --help            this help

exit codes: 0 no regression, 1 regression, 2 invalid input (bad scenario or baseline, a scenario
missing from the baseline, settings that differ from the baseline's), 3 --measure could not
measure a scenario (the reference app did not start, k6 failed), 130 interrupted`;

const DEFAULTS: GateSettings = { searches: 2, duration: 15, warmup: 3, tolerance: 0.02, maxRuns: 12, seed: 1, nominalReplications: 2, nominalDuration: 30 };

export const checkCommand: Command = {
  summary: "CI gate: capacity, p95/p99 and cost against a committed baseline",
  async run(argv) {
    const args = parseFlags("check", argv, HELP, {
          baseline: { type: "string" }, tolerance: { type: "string" }, "update-baseline": { type: "boolean" },
          junit: { type: "string" }, summary: { type: "string" }, replications: { type: "string" },
          duration: { type: "string" }, "nominal-duration": { type: "string" }, seed: { type: "string" },
          ...DISPATCH_FLAGS, measure: { type: "boolean" }, "measure-duration": { type: "string" },
          "measure-out": { type: "string" }, ...BUDGET_FLAGS, help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) { process.stdout.write(HELP + "\n"); return 0; }
    const C = "check";
    if (args.positionals.length === 0) throw new UsageError(`headroom check: expected one or more scenario files\n\n${HELP}`);
    if (!v.baseline) throw new UsageError(`headroom check: --baseline FILE is required\n\n${HELP}`);
    const tolerance = v.tolerance === undefined ? 0.05 : fractionFlag(C, "--tolerance", v.tolerance);
    const update = v["update-baseline"] === true;
    const flagged: Partial<GateSettings> = {
      ...(v.replications !== undefined ? { searches: intFlag(C, "--replications", v.replications, 1) } : {}),
      ...(v.duration !== undefined ? { duration: durationFlag(C, "--duration", v.duration) } : {}),
      ...(v["nominal-duration"] !== undefined ? { nominalDuration: durationFlag(C, "--nominal-duration", v["nominal-duration"]) } : {}),
      ...(v.seed !== undefined ? { seed: intFlag(C, "--seed", v.seed, 0) } : {}),
    };
    if (v.threads !== undefined && v.queue === undefined) intFlag(C, "--threads", v.threads, 1);
    const dispatch = dispatchFlags(C, v, defaultThreads());
    const budget = budgetFlags(C, v);
    const measureDuration = v["measure-duration"] === undefined ? 20 : durationFlag(C, "--measure-duration", v["measure-duration"]);
    if ((v["measure-duration"] !== undefined || v["measure-out"] !== undefined) && !v.measure) throw new UsageError("headroom check: --measure-duration and --measure-out go with --measure");
    if (v.measure && update) throw new UsageError("headroom check: --measure compares with the model, not the baseline; it does not go with --update-baseline");

    // Everything that can be wrong with the input is found before any simulation runs.
    let baseline: Baseline | null = null;
    let text: string | null = null;
    try { text = await readFile(v.baseline, "utf8"); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || !update) throw new InputError(`${v.baseline}: cannot read the baseline (${(e as NodeJS.ErrnoException).code ?? String(e)}); create it with --update-baseline`);
    }
    if (text !== null) {
      try { baseline = parseBaseline(text, v.baseline); } catch (e) {
        if (!(e instanceof BaselineError)) throw e;
        if (!update) throw new InputError(e.message);
        baseline = null;
      }
    }
    let settings: GateSettings = { ...DEFAULTS, ...(baseline && !update ? baseline.settings : {}), ...flagged };
    if (settings.warmup >= settings.duration) settings = { ...settings, warmup: settings.duration * 0.2 };
    if (baseline && !update) {
      const diff = sameSettings(settings, baseline.settings);
      if (diff) throw new InputError(`${v.baseline}: settings differ from the baseline's (${diff}); results would not be comparable. Drop the flag, or re-measure with --update-baseline`);
    }
    const scenarios: Array<{ file: string; scenario: Scenario }> = [];
    const names = new Set<string>();
    for (const file of args.positionals) {
      const { scenario, warnings } = await loadScenarioWithWarnings(file);
      for (const w of warnings) process.stderr.write(`warning: ${formatError(w)}\n`);
      requireSlo(file, scenario);
      // the longest single simulation the gate runs: one replication of the search or nominal duration
      checkRunSize(file, scenario, { replications: 1, duration: Math.max(settings.duration, settings.nominalDuration), warmup: settings.warmup }, budget, "each simulation of the gate");
      if (names.has(scenario.name)) throw new InputError(`${file}: name: '${scenario.name}' is also the name of another scenario given; the baseline matches scenarios by name`);
      names.add(scenario.name);
      if (v.measure) {
        const { nominalRate, LevelError } = await import("../../validation/levels.ts");
        try { nominalRate(scenario); } catch (e) { if (e instanceof LevelError) throw new InputError(`${file}: --measure: ${e.message}`); throw e; }
      }
      if (baseline && !update && !Object.hasOwn(baseline.scenarios, scenario.name)) {
        throw new InputError(`${file}: scenario '${scenario.name}' is not in the baseline ${v.baseline} (it has: ${Object.keys(baseline.scenarios).join(", ") || "none"}); add it with --update-baseline`);
      }
      scenarios.push({ file, scenario });
    }

    const started = performance.now();
    let pool: WorkerPool | QueuePool;
    if (dispatch.kind === "queue") {
      // jobs carry the files' text (read again; the scenarios above were parsed from it)
      const q = new QueuePool(queueRunner({ target: dispatch.target, outageTimeout: dispatch.outageTimeout }));
      for (const { file, scenario } of scenarios) q.source(scenario, file, await readFile(file, "utf8"));
      pool = q;
    } else {
      pool = new WorkerPool(dispatch.threads);
    }
    let measures: ScenarioMeasure[];
    try {
      measures = await Promise.all(scenarios.map(({ file, scenario }) => measure(file, scenario, settings, pool)));
    } catch (e) {
      if (e instanceof QueueError) { process.stderr.write(`headroom check: ${e.message}\n`); return 1; }
      throw e;
    } finally {
      await pool.close();
    }
    const seconds = (performance.now() - started) / 1000;

    if (update) {
      const next: Baseline = {
        schema: BASELINE_SCHEMA,
        settings,
        scenarios: { ...(baseline?.scenarios ?? {}), ...Object.fromEntries(scenarios.map((s, i) => [s.scenario.name, measures[i]])) },
      };
      await writeFile(v.baseline, JSON.stringify(next, null, 2) + "\n");
      for (const [i, s] of scenarios.entries()) {
        const m = measures[i];
        process.stdout.write(`${s.scenario.name}: capacity ${round(m.capacity)} ${m.unit}, SLO at nominal ${m.nominal.slo_pass ? "met" : "missed"}, cost ${m.cost_per_hour === null ? "-" : `${round(m.cost_per_hour)}/h`}\n`);
      }
      process.stdout.write(`Wrote ${v.baseline} (${scenarios.length} scenario${scenarios.length === 1 ? "" : "s"} measured in ${seconds.toFixed(1)} s)\n`);
      return 0;
    }

    const findings: Finding[] = scenarios.flatMap((s, i) => compare(s.scenario.name, baseline!.scenarios[s.scenario.name], measures[i], tolerance));
    let unmeasured: string[] = [];
    let interrupted = false;
    if (v.measure) {
      const ac = new AbortController();
      const onSig = () => ac.abort();
      process.once("SIGINT", onSig);
      process.once("SIGTERM", onSig);
      try {
        const m = await measuredFindings(scenarios, { durationS: measureDuration, outDir: v["measure-out"], signal: ac.signal, log: (s) => process.stderr.write(s + "\n") });
        findings.push(...m.findings);
        unmeasured = m.unmeasured;
      } finally {
        process.off("SIGINT", onSig);
        process.off("SIGTERM", onSig);
        interrupted = ac.signal.aborted;
      }
    }
    const elapsed = (performance.now() - started) / 1000;
    if (v.junit) await writeFile(v.junit, junit(findings, elapsed));
    if (v.summary) await writeFile(v.summary, markdown(findings, tolerance, v.baseline));
    const bad = findings.filter((f) => f.verdict === "regression");
    const label = { regression: "REGRESSION", improved: "improved", pass: "ok" } as const;
    for (const f of findings) if (f.verdict !== "pass" || f.metric === "measured") process.stdout.write(`${label[f.verdict]}: ${f.message}\n`);
    process.stdout.write(`headroom check: ${scenarios.length} scenario${scenarios.length === 1 ? "" : "s"}, ${findings.length} metrics, ${bad.length} regression${bad.length === 1 ? "" : "s"} (tolerance ${round(tolerance * 100)}%, ${elapsed.toFixed(1)} s)\n`);
    if (bad.length === 0 && findings.some((f) => f.verdict === "improved")) process.stdout.write(`some metrics improved beyond the tolerance: consider --update-baseline\n`);
    if (interrupted) return 130;
    if (unmeasured.length) return 3;
    return bad.length > 0 ? 1 : 0;
  },
};

async function measure(file: string, s: Scenario, settings: GateSettings, pool: TaskPool): Promise<ScenarioMeasure> {
  const nominal = nominalLoad(s);
  const [cap, run] = await Promise.all([
    findCapacity(s, settings, pool),
    pool.run({ kind: "simulate", scenario: s, level: nominal, seed: settings.seed, replications: settings.nominalReplications, duration: settings.nominalDuration, warmup: settings.warmup }),
  ]);
  const p95: Record<string, number> = {}, p99: Record<string, number> = {};
  for (const [c, l] of Object.entries(run.latencyMs)) { p95[c] = l.p95; p99[c] = l.p99; }
  return {
    file, unit: loadUnit(s), capacity: cap.capacity.value,
    nominal: { load: nominal, p95_ms: p95, p99_ms: p99, slo_pass: run.pass },
    cost_per_hour: run.costPerHour, bottleneck: cap.bottleneck,
  };
}

function round(x: number): number {
  return Number(x.toPrecision(4));
}
