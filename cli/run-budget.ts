// The event and memory budget every command that simulates checks before it starts: a scenario
// whose load, duration or key space would run for hours or exhaust memory is refused at once with
// the estimate (simulator/model/run-size.ts, the dashboard's estimate too) and the flag that
// raises the budget. Trades a possible false refusal (the estimate is within about a third) for
// never hanging or crashing on a typo such as `rate: 9999999999999999999999/s` or `keys.count: 1G`.
import { RUN_EVENT_LIMIT, RUN_MEMORY_LIMIT, formatAmount, runSizeProblem, type RunBudget, type RunWindowOptions, type Scenario } from "../simulator/index.ts";
import { parseCount, parseSize } from "../simulator/model/index.ts";
import { InputError, UsageError } from "../shared/errors.ts";

export const BUDGET_FLAGS = {
  "max-events": { type: "string" },
  "max-memory": { type: "string" },
} as const;

export const BUDGET_HELP =
  `  --max-events N      refuse a simulation estimated above N events (default ${formatAmount(RUN_EVENT_LIMIT)}; e.g. 2G)\n` +
  `  --max-memory SIZE   refuse a simulation estimated to need more memory (default ${formatAmount(RUN_MEMORY_LIMIT, "B")}; e.g. 8GB)`;

/** The budget from --max-events and --max-memory. */
export function budgetFlags(command: string, values: { "max-events"?: string; "max-memory"?: string }): RunBudget {
  let maxEvents: number | undefined;
  let maxMemory: number | undefined;
  if (values["max-events"] !== undefined) {
    maxEvents = parseCount(values["max-events"]);
    if (maxEvents === undefined || !(maxEvents > 0)) throw new UsageError(`headroom ${command}: --max-events expects a count like 2G or 800000000, got '${values["max-events"]}'`);
  }
  if (values["max-memory"] !== undefined) {
    maxMemory = parseSize(values["max-memory"]);
    if (maxMemory === undefined || !(maxMemory > 0)) throw new UsageError(`headroom ${command}: --max-memory expects a size like 8GB or 4GiB, got '${values["max-memory"]}'`);
  }
  return { maxEvents, maxMemory };
}

/** Throws an InputError (exit 2) naming the file when a run of `s` with `o` exceeds the budget. */
export function checkRunSize(file: string, s: Scenario, o: RunWindowOptions, budget: RunBudget, what = "this run"): void {
  const problem = runSizeProblem(s, o, budget, what);
  if (problem) throw new InputError(`${file}: ${problem}`);
}
