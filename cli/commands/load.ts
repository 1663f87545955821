// `headroom load`: sends a scenario's load to a target with k6 (K6_BIN or k6 on PATH) or, when there
// is none, the built-in k6-compatible runner; writes k6's NDJSON and summary export; says which ran.
import { join } from "node:path";
import { parseFlags } from "../flags.ts";
import { loadScenarioFile } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { parseDuration } from "../../simulator/model/index.ts";
import type { Command } from "./index.ts";
import { DASHBOARD_FLAGS, DASHBOARD_HELP, dashboardPort, type LiveDashboard } from "../live-dashboard.ts";
import type { LiveDone } from "../../dashboard/src/live-protocol.ts";

const HELP = `usage: headroom load <file.yaml> --target URL [options]

Sends the scenario's load (its load section, as a k6 script) to URL and writes the results in k6's
formats: DIR/k6.ndjson (--out json), DIR/summary.json (--summary-export), plus DIR/script.js and
DIR/plan.json. Uses k6 when K6_BIN is set or k6 is on PATH, else the built-in runner; prints which.

options:
  --target URL        http(s) base URL of the system under test (required)
  --out DIR           where results go (default: results/<scenario>-<timestamp>)
  --duration D        test length, e.g. 30s (default: the end of the load stages, else simulation.duration, else 60s)
  --engine E          auto (default) | k6 | built-in
  --arrival-rate      evenly spaced arrivals (k6 arrival-rate executors) even for poisson scenarios
  --seed N            seed of the Poisson arrivals (default: the scenario's seed)
  --segments N        split the test between N generator processes (1-64), each with an equal k6
                      execution segment as k6-operator gives its pods, and merge their results:
                      DIR/segments/<i>/ holds each part, DIR/k6.ndjson and DIR/summary.json the
                      merged run, its thresholds judged on the merged data (default 1)
${DASHBOARD_HELP}
  -h, --help          this help

With --dashboard (not with --segments) the page shows the scenario simulated for the test's length
(no warm-up cut, dashed) and each measured second (solid) on the same charts: offered and completed
req/s, errors/s and p50/p95/p99 per class, then the summary the CLI prints.

An open load is open: each arrival starts on its schedule, taken from a pool of VUs, never waiting
for a busy one; an arrival that finds no free VU is counted in dropped_iterations, as in k6's
arrival-rate executors. Poisson arrivals (the default for arrivals: poisson) are one seeded
realization written as ramping-arrival-rate stages. The run prints "arrivals: S started + D dropped
of N scheduled".

exit codes (k6's, whichever engine ran, and headroom's 3):
  0    success
  1    internal error
  2    invalid input (scenario, flags, target that refuses connections, a script that cannot load)
  3    no request completed (the target never answered; headroom's, not k6's)
  97   cloud test run failed (k6 cloud)          98   cloud progress unavailable (k6 cloud)
  99   SLO thresholds crossed
  100  setup() timed out                         101  teardown() timed out
  102  k6 timed out                              103  stopped from k6's REST API
  104  k6 rejected the options                   105  stopped (Ctrl-C, or the run outlived its schedule + 2 minutes)
  106  k6's REST API could not start             107  script exception (k6: also a script it cannot parse)
  108  test.abort()                              109  k6 panicked
  110  test.fail()
A k6 that exits with anything but 0 or 99 is reported with its exit code and its last stderr lines;
only result files that exist are listed.`;

export const loadCommand: Command = {
  summary: "send a scenario's load to a target with k6 or the built-in runner",
  async run(argv) {
    const args = parseFlags("load", argv, HELP, {
          target: { type: "string" },
          out: { type: "string" },
          duration: { type: "string" },
          engine: { type: "string" },
          "arrival-rate": { type: "boolean" },
          seed: { type: "string" },
          segments: { type: "string" },
          ...DASHBOARD_FLAGS,
          help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(`headroom load: expected one scenario file\n\n${HELP}`);
    if (!v.target) throw new UsageError(`headroom load: --target URL is required\n\n${HELP}`);
    const engine = (v.engine ?? "auto") as "auto" | "k6" | "built-in";
    if (!["auto", "k6", "built-in"].includes(engine)) throw new UsageError(`headroom load: --engine expects auto, k6 or built-in, got '${v.engine}'`);
    let durationS: number | undefined;
    if (v.duration !== undefined) {
      durationS = parseDuration(v.duration);
      if (durationS === undefined || durationS <= 0) throw new UsageError(`headroom load: --duration expects a duration like 30s or 5m, got '${v.duration}'`);
    }
    let seed: number | undefined;
    if (v.seed !== undefined) {
      seed = Number(v.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new UsageError(`headroom load: --seed expects an integer from 0 to 4294967295, got '${v.seed}'`);
    }
    let segments = 1;
    if (v.segments !== undefined) {
      segments = Number(v.segments);
      if (!Number.isInteger(segments) || segments < 1 || segments > 64) throw new UsageError(`headroom load: --segments expects a whole number from 1 to 64, got '${v.segments}'`);
    }
    const port = dashboardPort("load", v);
    if (port !== null && segments > 1) throw new UsageError("headroom load: --dashboard follows one generator process; not with --segments");
    const file = args.positionals[0];
    const scenario = await loadScenarioFile(file);
    const outDir = v.out ?? join("results", `${scenario.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    // loaded on use: the harness pulls in esbuild, acorn and undici
    const { runLoad } = await import("../../k6/harness.ts");
    const { PlanError } = await import("../../k6/plan.ts");
    const { ScriptError } = await import("../../k6/runner/engine.ts");
    const ac = new AbortController();
    const onSig = () => ac.abort();
    process.once("SIGINT", onSig);
    process.once("SIGTERM", onSig);
    let dash: LiveDashboard | null = null;
    let done: LiveDone = { status: "failed", exitCode: 1, message: "headroom load ended with an error (see its output)" };
    try {
      let live: ReturnType<LiveDashboard["phase"]> | undefined;
      if (port !== null) {
        const { LiveDashboard, predictLoad } = await import("../live-dashboard.ts");
        const { loadDurationS } = await import("../../k6/plan.ts");
        dash = await LiveDashboard.start("load", port, !!v["dashboard-keep"], process.stderr);
        const length = loadDurationS(scenario, { durationS });
        live = dash.phase({ scenario: scenario.name, label: "load", rate: null, durationS: length, ...predictLoad(scenario, length) });
      }
      const r = await runLoad({
        scenario,
        source: file,
        target: v.target,
        outDir,
        engine,
        plan: { durationS, forceArrivalRate: v["arrival-rate"], seed },
        stdout: process.stdout,
        stderr: process.stderr,
        signal: ac.signal,
        segments,
        onInterval: live?.onInterval,
      });
      process.stdout.write(`\nengine: ${r.engine}\nresults: ${r.written.length ? r.written.join(", ") : "none written"}\n`);
      if (r.arrivals) {
        const { scheduled, started, dropped } = r.arrivals;
        const of = scheduled !== undefined ? ` of ${scheduled} scheduled` : "";
        const share = started + dropped > 0 ? ` (${((dropped / (started + dropped)) * 100).toFixed(2)}% dropped: no free VU)` : "";
        process.stdout.write(`arrivals: ${started} started + ${dropped} dropped${of}${dropped > 0 ? share : ""}\n`);
      }
      if (r.message) process.stderr.write(`${r.message}\n`);
      if (dash && live) {
        const { loadSummary } = await import("../live-dashboard.ts");
        dash.phaseEnd({ phase: live.index, status: "measured", summary: await loadSummary(r), ...(r.message ? { message: r.message } : {}) });
      }
      done = { status: ac.signal.aborted || r.exitCode === 105 ? "stopped" : "done", exitCode: r.exitCode, ...(r.message ? { message: r.message } : {}) };
      return r.exitCode;
    } catch (e) {
      done = { status: "failed", exitCode: 2, message: (e as Error).message };
      if (e instanceof PlanError || e instanceof ScriptError) throw new InputError(`${file}: ${e.message}`);
      if (e instanceof Error && /^(--target|target )/.test(e.message)) throw new InputError(`headroom load: ${e.message}`);
      done = { status: "failed", exitCode: 1, message: (e as Error).message };
      throw e;
    } finally {
      process.off("SIGINT", onSig);
      process.off("SIGTERM", onSig);
      await dash?.finish(done, process.stderr);
    }
  },
};
