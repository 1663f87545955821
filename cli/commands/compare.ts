// `headroom compare`: predicted versus measured for a k6 run the user already made (no load is
// sent). The model runs at the per-class rates the results show, over the same window, and the
// report is validate's (headroom.validation/v1 JSON + Markdown), so the dashboard reads it too.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseFlags } from "../flags.ts";
import { loadScenarioFile } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { parseDuration } from "../../simulator/model/index.ts";
import type { Command } from "./index.ts";
import { BUDGET_FLAGS, BUDGET_HELP, budgetFlags, checkRunSize } from "../run-budget.ts";

const HELP = `usage: headroom compare <file.yaml> --k6 RESULTS [options]

Compares the scenario's predictions with a k6 run already made against your system. RESULTS is
k6's NDJSON (k6 run --out json=RESULTS), a --summary-export JSON, or the JSON a handleSummary()
wrote. Requests are assigned to the scenario's classes by their name tag (a class's name) or
by URL (http.method and http.path, {key} matching one segment, a path prefix allowed). The model
then runs at each class's measured rate (open, constant) over the run's window, and the rows of
\`headroom validate\` are written: DIR/<scenario>.json (headroom.validation/v1) and DIR/<scenario>.md.
A summary has per-class figures only for submetrics a threshold names (http_req_duration{name:x});
with one class the whole run's are used. Component rows are not measured (a k6 run has none).

options:
  --k6 RESULTS        the k6 results file (required; .gz NDJSON too)
  --warmup D          NDJSON only: discard the first D of the run (default 0s)
  --duration D        NDJSON only: the window ends D after the first sample (default: at the last
                      sample); give the run's scheduled length to leave out its graceful-stop tail
  --out DIR           where reports go (default results/compare-<timestamp>)
${BUDGET_HELP}
  -h, --help          this help

exit codes: 0 every applicable target met (or none applies: above 80% predicted utilization),
1 a target missed, 2 invalid input (unreadable or truncated results, a malformed NDJSON line,
no request matching any class)`;

export const compareCommand: Command = {
  summary: "compare predictions with a k6 run you already made (NDJSON or summary JSON)",
  async run(argv) {
    const args = parseFlags("compare", argv, HELP, {
      k6: { type: "string" },
      warmup: { type: "string" },
      duration: { type: "string" },
      out: { type: "string" },
      ...BUDGET_FLAGS,
      help: { type: "boolean", short: "h" },
    });
    const v = args.values;
    if (v.help) {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(`headroom compare: expected one scenario file\n\n${HELP}`);
    if (!v.k6) throw new UsageError(`headroom compare: --k6 RESULTS is required\n\n${HELP}`);
    let warmupS = 0;
    if (v.warmup !== undefined) {
      const d = parseDuration(v.warmup);
      if (d === undefined || d < 0) throw new UsageError(`headroom compare: --warmup expects a duration like 5s, got '${v.warmup}'`);
      warmupS = d;
    }
    let untilS: number | undefined;
    if (v.duration !== undefined) {
      const d = parseDuration(v.duration);
      if (d === undefined || d <= 0) throw new UsageError(`headroom compare: --duration expects a duration like 30s, got '${v.duration}'`);
      untilS = d;
    }
    const budget = budgetFlags("compare", v);
    const file = args.positionals[0];
    const scenario = await loadScenarioFile(file);
    const { readMeasuredRun, modelAtMeasuredLoad, simulateAtRun, compareRun, CompareError } = await import("../../validation/compare-k6.ts");
    const { reportMarkdown } = await import("../../validation/report.ts");
    let run;
    try {
      run = await readMeasuredRun(v.k6, scenario, warmupS, untilS);
    } catch (e) {
      if (e instanceof CompareError) throw new InputError(`headroom compare: ${e.message}`);
      throw e;
    }
    for (const m of [...run.missing, ...run.notes]) process.stderr.write(`headroom compare: ${m}\n`);
    const model = modelAtMeasuredLoad(scenario, run);
    checkRunSize(file, model, { duration: model.simulation.duration!, warmup: model.simulation.warmup! }, budget, "the model at the measured load");
    const rep = compareRun(file, scenario, model, run, simulateAtRun(model));
    const outDir = v.out ?? join("results", `compare-${new Date().toISOString().replace(/[:.]/g, "-")}`);
    await mkdir(outDir, { recursive: true });
    await writeFile(join(outDir, `${scenario.name}.json`), JSON.stringify(rep, null, 2) + "\n");
    await writeFile(join(outDir, `${scenario.name}.md`), reportMarkdown(rep));
    const l = rep.levels[0];
    process.stdout.write(`${scenario.name}: ${l.status === "fail" ? "FAIL" : l.status} at the measured ${l.rate} req/s (${join(outDir, scenario.name + ".md")})\n`);
    return l.status === "fail" ? 1 : 0;
  },
};
