// `headroom validate`: predicted versus measured. For each scenario and load level, simulates,
// starts the reference app from the same YAML, drives it with the scenario's k6 script, and writes
// a comparison report (JSON "headroom.validation/v1" and Markdown) per scenario into --out.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseFlags } from "../flags.ts";
import { loadScenarioFile } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { parseDuration } from "../../simulator/model/index.ts";
import { requireSlo } from "../../planning/settings.ts";
import type { Command } from "./index.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";
import { DASHBOARD_FLAGS, DASHBOARD_HELP, dashboardPort, type LiveDashboard } from "../live-dashboard.ts";
import type { LiveDone } from "../../dashboard/src/live-protocol.ts";

const HELP = `usage: headroom validate <file.yaml>... [options]
       headroom validate <file.yaml> --target URL [--prometheus URL] [--yes] [options]

For each scenario: predicts its saturation rate, then at each level (a fraction of it) simulates,
starts the reference app, sends the scenario's load with k6 (or the built-in runner) and compares
predicted with measured throughput, mean/p50/p95/p99 latency, error rate, utilization, cache hit
ratio, pool wait, queue backlog and async latency against the targets of docs/validation.md.
Writes DIR/<scenario>.json (schema headroom.validation/v1) and DIR/<scenario>.md. With regions:,
each request goes to its users' region's entry (drawn by load.regions; a class served through a CDN
to its region's server of the edge, which waits the CDN's edge_latency), region outages are injected
from the load's first sample, and rows per region are added (each region's users' throughput,
cross-region latency) with the CDN's (hit ratio, origin fetches per second).

options:
  --levels L,L,...    fractions of the predicted saturation rate (default 0.3,0.5,0.7)
  --rates R,R,...     explicit rates in req/s instead of levels
  --duration D        load length per level (default 30s)
  --warmup D          discarded at the start of each level, on both sides (default 5s)
  --out DIR           where reports go (default results/validation-<timestamp>)
  --calibrate         first measure the per-hop costs the YAML does not state (balancer overhead,
                      per-call network, broker confirm, service overhead) on two runs of the
                      reference app, at 0.35 and 0.65 of the predicted saturation, from the
                      services' own metrics with the model in the loop. Some costs move with the
                      load (a broker's confirm quickens with the publish rate), so each level is
                      predicted with the values at its own rate: linear between the two runs',
                      held at the nearer run's outside them (0.3 gets 0.35's, the knee 0.65's).
                      Writes a calibrated copy of the scenario with the lower run's values, the
                      upper's in each comment (DIR/<scenario>/<scenario>.calibrated.yaml)
  --calibrate-runs N  calibration runs in a row at each rate (default 1): the median is used, the
                      spread reported
  --calibrate-rate R[,R2]  the calibration runs' rates in req/s instead of 0.35 and 0.65 of the
                      predicted saturation (a scaled-down system whose predicted saturation is more
                      than this machine can drive); one rate: one run whose values every level
                      gets. With regions the per-hop costs are fitted once for every region (the
                      same software), each service's crossings to other regions taken off its calls;
                      each pair of regions gets its crossing's own cost (the relay), fitted to what
                      each region's users pay over the first region's
  --saturation        one more level at 1.3x the predicted saturation rate: the successful throughput
                      served there (the plateau) is compared with the predicted one (target 10%)
  --knee              measure the knee: the highest rate meeting the scenario's SLO (the capacity
                      search's rule), by bisection on the reference app from 0.8x/1.2x of
                      \`headroom capacity\`'s prediction to 5%, about 6 runs of --duration each;
                      compared with the prediction (target 10%). Without --levels/--rates no
                      levels are run.
  --max-lag D         bound on the load generator's p99 event-loop lag during a level (default 20ms);
                      a level past it is measured once more, and marked unreliable if it lags again
  --scale F           validate the system scaled down by F (0 < F <= 1), as \`headroom app up --scale\`:
                      rates and users times F, replicas, workers and instances ceil(n x F); the model
                      and the reference app both run the scaled system (headroom app --help)
  --open-twin         a closed load (users thinking) is validated as its open twin: Poisson arrivals
                      at the users' request rate (the highest user count over the mean think time),
                      stages dropped, on both sides; the closed loop's feedback (about response time
                      over think time of the rate) is what it leaves out. Validation needs an open
                      load at a constant rate; without this flag a closed load is refused

your own system (docs/your-system.md):
  --target URL        send the levels to the system at URL (each class's http.path appended) instead
                      of starting the reference app; one scenario file. First checks that every
                      class's path answers (not 404/405). Not with --calibrate or --knee.
  --prometheus URL    ask this Prometheus (its /api/v1/query) for the component rows the YAML maps
                      under components.<name>.metrics; without it those rows say "not measured"
  --scrape-interval D Prometheus's scrape interval: queries wait this long past each window (default 15s)
  --yes               agree to the printed load plan for a target that is not this machine's loopback
                      (else asked on a terminal; refused without one)
  --max-rate R        refuse a plan with a level above R req/s (levels are never clipped)
  --max-duration D    refuse a plan needing more than D of load in total (levels x --duration; a
                      level re-run after generator lag is not counted)
${BUDGET_HELP}
${DASHBOARD_HELP}
  -h, --help          this help

With --dashboard the page shows each level's load as it runs (a level re-run after generator lag is
a second run): the level simulated (dashed) and each measured second (solid), then the level's
verdict and, at the end, each scenario's. The calibration's and the knee search's runs are not shown.

exit codes: 0 every applicable target met, 1 a target missed (or the measured knee is more than 10%
from the predicted one), 2 invalid input (with --target also: unreachable, a class path answering
404/405, a plan over a cap or not agreed to), 3 a level or knee step could not be measured or is
unreliable (reference app did not start, k6 exited non-zero, the target stalled, the output is
truncated, the load generator lagged beyond --max-lag twice), 130 interrupted`;

function list(flag: string, s: string | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  const xs = s.split(",").map((x) => Number(x.trim().replace(/\/s$/, "")));
  if (!xs.length || xs.some((x) => !Number.isFinite(x) || x <= 0)) throw new UsageError(`headroom validate: ${flag} expects positive numbers separated by commas, got '${s}'`);
  return xs;
}

function duration(flag: string, s: string | undefined, dflt: number): number {
  if (s === undefined) return dflt;
  const d = parseDuration(s);
  if (d === undefined || d <= 0) throw new UsageError(`headroom validate: ${flag} expects a duration like 30s, got '${s}'`);
  return d;
}

function httpUrl(flag: string, s: string): string {
  try {
    const u = new URL(s);
    if (u.protocol === "http:" || u.protocol === "https:") return s;
  } catch {
    // below
  }
  throw new UsageError(`headroom validate: ${flag} expects an http(s) URL like http://127.0.0.1:8080, got '${s}'`);
}

/**
 * --target: the plan (printed, capped, agreed to) and the measurement of the user's system; null
 * without --target (the reference app is started as before).
 */
async function ownSystemOptions(
  v: Record<string, string | boolean | undefined>,
  scenarios: ReadonlyArray<{ file: string; scenario: import("../../simulator/index.ts").Scenario }>,
  o: { levels?: number[]; rates?: number[]; durationS: number },
) {
  const own = ["prometheus", "scrape-interval", "yes", "max-rate", "max-duration"].filter((f) => v[f] !== undefined);
  if (v.target === undefined) {
    if (own.length) throw new UsageError(`headroom validate: --${own[0]} applies to --target only`);
    return null;
  }
  const target = httpUrl("--target", v.target as string);
  const prometheus = v.prometheus === undefined ? undefined : httpUrl("--prometheus", v.prometheus as string);
  if (scenarios.length !== 1) throw new UsageError("headroom validate: --target takes one scenario file (the system at that URL)");
  if (v.calibrate || v.knee) throw new UsageError(`headroom validate: --${v.calibrate ? "calibrate" : "knee"} needs the reference app; not with --target`);
  const maxRate = v["max-rate"] === undefined ? undefined : list("--max-rate", v["max-rate"] as string)![0];
  const maxDurationS = v["max-duration"] === undefined ? undefined : duration("--max-duration", v["max-duration"] as string, 0);
  const scrapeIntervalMs = duration("--scrape-interval", v["scrape-interval"] as string | undefined, 15) * 1000;
  const { file, scenario } = scenarios[0];
  // the model would include outages the system never has: every row would compare different things
  if (scenario.failures?.length) throw new InputError(`${file}: failures: cannot be injected into the system at --target; validate a copy of the scenario without them`);
  const { predictSaturation, LevelError } = await import("../../validation/levels.ts");
  const { levelTargets, levelRate } = await import("../../validation/level-targets.ts");
  const { SATURATION_FACTOR } = await import("../../validation/run.ts");
  const { describePlan, checkCaps, confirmPlan, PlanRefused } = await import("../../validation/target-plan.ts");
  const { preflight, targetMeasurer } = await import("../../validation/target-measure.ts");
  let sat;
  try {
    sat = predictSaturation(scenario);
  } catch (e) {
    if (e instanceof LevelError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
  const levels = [...levelTargets(sat.rate, o), ...(v.saturation ? [{ level: SATURATION_FACTOR, rate: levelRate(sat.rate, SATURATION_FACTOR), saturation: true }] : [])];
  const plan = { target, levels, durationS: o.durationS, preflightRequests: Object.keys(scenario.load.classes).length };
  process.stderr.write(describePlan(plan) + "\n");
  try {
    checkCaps(plan, { maxRate, maxDurationS });
    await confirmPlan(plan, { yes: !!v.yes, stdin: process.stdin, stderr: process.stderr });
  } catch (e) {
    if (e instanceof PlanRefused) throw new UsageError(`headroom validate: ${e.message}`);
    throw e;
  }
  const spec = { target, prometheus, scrapeIntervalMs };
  return {
    preflight: (signal: AbortSignal) => preflight(scenario, spec, signal),
    measure: targetMeasurer(spec),
    measuredOn: `the system at ${target} (--target; no reference app started)${prometheus ? `, component rows from Prometheus at ${prometheus}` : ", component rows not measured (no --prometheus)"}`,
  };
}

export const validateCommand: Command = {
  summary: "compare predictions with measurements of the reference app (or your system: --target) under k6 load",
  async run(argv) {
    const args = parseFlags("validate", argv, HELP, {
          levels: { type: "string" },
          rates: { type: "string" },
          duration: { type: "string" },
          warmup: { type: "string" },
          out: { type: "string" },
          calibrate: { type: "boolean" },
          saturation: { type: "boolean" },
          knee: { type: "boolean" },
          "max-lag": { type: "string" },
          scale: { type: "string" },
          "open-twin": { type: "boolean" },
          "calibrate-runs": { type: "string" },
          "calibrate-rate": { type: "string" },
          target: { type: "string" },
          prometheus: { type: "string" },
          "scrape-interval": { type: "string" },
          yes: { type: "boolean" },
          "max-rate": { type: "string" },
          "max-duration": { type: "string" },
          ...BUDGET_FLAGS,
          ...DASHBOARD_FLAGS,
          help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    if (args.positionals.length === 0) throw new UsageError(`headroom validate: expected at least one scenario file\n\n${HELP}`);
    const port = dashboardPort("validate", v);
    if (v.levels && v.rates) throw new UsageError("headroom validate: give --levels or --rates, not both");
    const levels = list("--levels", v.levels);
    if (levels?.some((l) => l >= 1.5)) throw new UsageError(`headroom validate: --levels are fractions of the saturation rate (e.g. 0.5), got '${v.levels}'`);
    const rates = list("--rates", v.rates);
    const durationS = duration("--duration", v.duration, 30);
    const warmupS = duration("--warmup", v.warmup, 5);
    if (warmupS >= durationS) throw new UsageError(`headroom validate: --warmup (${warmupS}s) must be shorter than --duration (${durationS}s)`);
    const calibrateRuns = v["calibrate-runs"] === undefined ? undefined : Number(v["calibrate-runs"]);
    if (calibrateRuns !== undefined && (!Number.isInteger(calibrateRuns) || calibrateRuns < 1 || calibrateRuns > 10)) throw new UsageError(`headroom validate: --calibrate-runs expects a whole number from 1 to 10, got '${v["calibrate-runs"]}'`);
    if (calibrateRuns !== undefined && !v.calibrate) throw new UsageError("headroom validate: --calibrate-runs goes with --calibrate");
    const calibrateRates = v["calibrate-rate"] === undefined ? undefined : String(v["calibrate-rate"]).split(",").map(Number);
    if (calibrateRates !== undefined && (calibrateRates.length > 2 || !calibrateRates.every((r) => Number.isFinite(r) && r > 0) || (calibrateRates.length === 2 && calibrateRates[0] === calibrateRates[1]))) throw new UsageError(`headroom validate: --calibrate-rate expects one rate or two different rates in req/s above 0 (R or R1,R2), got '${v["calibrate-rate"]}'`);
    if (calibrateRates !== undefined && !v.calibrate) throw new UsageError("headroom validate: --calibrate-rate goes with --calibrate");
    const maxLagMs = v["max-lag"] === undefined ? undefined : duration("--max-lag", v["max-lag"], 0) * 1000;
    const outDir = v.out ?? join("results", `validation-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    const scenarios = [];
    const budget = budgetFlags("validate", v);
    const scale = v.scale === undefined ? undefined : Number(v.scale);
    if (scale !== undefined && !(scale > 0 && scale <= 1)) throw new UsageError(`headroom validate: --scale expects a factor in (0, 1], got '${v.scale}'`);
    if ((scale !== undefined || v["open-twin"]) && v.target) throw new UsageError("headroom validate: --scale and --open-twin change the reference app's system; not with --target");
    const { openTwin } = await import("../../validation/levels.ts");
    const { scaleSystem } = await import("../../simulator/analytic/index.ts");
    for (const file of args.positionals) {
      let scenario = await loadScenarioFile(file);
      if (v["open-twin"] && scenario.load.model === "closed") {
        try {
          scenario = openTwin(scenario);
        } catch (e) {
          throw new InputError(`${file}: ${(e as Error).message}`);
        }
        process.stderr.write(`${file}: validated as its open twin: Poisson arrivals at ${+(scenario.load.model === "open" ? (scenario.load.rate ?? 0) : 0).toPrecision(4)}/s (--open-twin)\n`);
      }
      if (scale !== undefined && scale < 1) {
        const { scaleSummary } = await import("../../reference-app/scale-down.ts");
        const before = scenario;
        scenario = scaleSystem(scenario, scale);
        process.stderr.write(`${file}: scaled by ${scale}: ${scaleSummary(before, scenario)}\n`);
      }
      // each level's prediction: the scenario's replications over the level's duration (at least the 40 s of the saturation search)
      checkRunSize(file, scenario, { duration: Math.max(durationS, 40), warmup: warmupS }, budget, "each prediction");
      scenarios.push({ file, scenario });
    }
    // the knee is the highest rate meeting the SLO: refuse before any app starts when there is none
    if (v.knee) for (const { file, scenario } of scenarios) requireSlo(file, scenario);
    const ownSystem = await ownSystemOptions(v, scenarios, { levels, rates, durationS });
    const { validateScenario, SATURATION_FACTOR } = await import("../../validation/run.ts");
    const { reportMarkdown } = await import("../../validation/report.ts");
    const { LevelError } = await import("../../validation/levels.ts");
    if (ownSystem) {
      try {
        await ownSystem.preflight(AbortSignal.timeout(120_000));
      } catch (e) {
        if (e instanceof Error && e.name === "TargetError") throw new InputError(`headroom validate: ${e.message}`);
        throw e;
      }
    }
    const { MeasureError } = await import("../../validation/measure.ts");
    const ac = new AbortController();
    const onSig = () => ac.abort();
    process.once("SIGINT", onSig);
    process.once("SIGTERM", onSig);
    let ok = true;
    let measureError = false;
    let dash: LiveDashboard | null = null;
    let done: LiveDone = { status: "failed", exitCode: 1, message: "headroom validate ended with an error (see its output)" };
    const verdicts: Array<{ scenario: string; pass: boolean; report: string }> = [];
    try {
      let live: import("../../validation/run.ts").LevelWatcher | undefined;
      if (port !== null) {
        const { LiveDashboard } = await import("../live-dashboard.ts");
        const d = (dash = await LiveDashboard.start("validate", port, !!v["dashboard-keep"], process.stderr));
        live = {
          start: (l) => d.phase({ scenario: l.scenario, label: `${l.level !== null ? `level ${l.level}: ` : ""}${+l.rate.toFixed(2)} req/s`, rate: l.rate, durationS: l.durationS, predicted: l.predicted }),
          end: (index, status, message) => d.phaseEnd({ phase: index, status, summary: null, ...(message ? { message } : {}) }),
        };
      }
      await mkdir(outDir, { recursive: true });
      for (const { file, scenario } of scenarios) {
        let rep;
        try {
          rep = await validateScenario({ file, scenario, levels, rates, durationS, warmupS, outDir: join(outDir, scenario.name), calibrate: !!v.calibrate, calibrateRuns, calibrateRates, saturation: v.saturation ? SATURATION_FACTOR : undefined, knee: !!v.knee, maxLagMs, signal: ac.signal, log: (s) => process.stderr.write(s + "\n"), measure: ownSystem?.measure, live });
          if (ownSystem) rep.measuredOn = ownSystem.measuredOn;
        } catch (e) {
          if (e instanceof LevelError) throw new InputError(`${file}: ${e.message}`);
          if (e instanceof MeasureError) {
            process.stderr.write(`headroom validate: ${e.message}\n`);
            done = { status: ac.signal.aborted ? "stopped" : "failed", exitCode: 3, message: e.message, verdicts };
            return 3;
          }
          throw e;
        }
        await writeFile(join(outDir, `${scenario.name}.json`), JSON.stringify(rep, null, 2) + "\n");
        await writeFile(join(outDir, `${scenario.name}.md`), reportMarkdown(rep));
        process.stdout.write(`${scenario.name}: ${rep.pass ? "pass" : "FAIL"} (${join(outDir, scenario.name + ".md")})\n`);
        verdicts.push({ scenario: scenario.name, pass: rep.pass, report: join(outDir, scenario.name + ".md") });
        ok &&= rep.pass;
        for (const l of rep.levels.filter((x) => x.status === "error" || x.status === "unreliable")) {
          process.stderr.write(`headroom validate: ${scenario.name} at ${l.rate} req/s: ${l.status === "error" ? `not measured: ${l.error}` : "unreliable: the load generator lagged beyond the bound twice; not counted"}\n`);
        }
        const k = rep.kneeSearch;
        if (k && (k.verdict === "error" || k.verdict === "unreliable")) process.stderr.write(`headroom validate: ${scenario.name}: knee ${k.verdict}: ${k.message}\n`);
        measureError ||= rep.levels.some((l) => l.status === "error" || l.status === "unreliable") || k?.verdict === "error" || k?.verdict === "unreliable";
        if (ac.signal.aborted) break;
      }
      const code = ac.signal.aborted ? 130 : measureError ? 3 : ok ? 0 : 1;
      done = { status: ac.signal.aborted ? "stopped" : "done", exitCode: code, verdicts };
      return code;
    } catch (e) {
      done = { status: "failed", exitCode: 1, message: (e as Error).message, verdicts };
      throw e;
    } finally {
      process.off("SIGINT", onSig);
      process.off("SIGTERM", onSig);
      await dash?.finish(done, process.stderr);
    }
  },
};
