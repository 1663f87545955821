// `headroom load` never passes a run in which the target answered nothing. k6 (and the built-in runner,
// which follows it) evaluates a threshold on a trend without samples on zeros, so `p(95)<150` passes
// when no request completed, and a stalled target's cut requests write no sample at all: the run
// would exit 0. This check reads the run's summary export, whichever engine wrote it, and turns such
// a run into exit code 3 (the CLI's "could not be measured") with a message. It trades away nothing
// for scripts that send requests; it applies only to `headroom load`, whose script always does.
import { access } from "node:fs/promises";
import { readSummaryExport } from "./ingest/ingest.ts";
import { INTERRUPTED_ITERATIONS_METRIC } from "./runner/metrics.ts";

/** `headroom load`'s exit code when no request completed (the target accepted connections and never answered). */
export const EXIT_NO_REQUEST_COMPLETED = 3;

/**
 * The message for a run whose summary export counts no HTTP request (`http_reqs` absent or 0), or
 * null when at least one request completed or there is no summary export to read.
 */
export async function noRequestCompleted(summaryPath: string): Promise<string | null> {
  try {
    await access(summaryPath);
  } catch {
    return null;
  }
  const { metrics } = await readSummaryExport(summaryPath);
  const count = (name: string) => metrics[name]?.values.count ?? 0;
  if (count("http_reqs") > 0) return null;
  const interrupted = metrics[INTERRUPTED_ITERATIONS_METRIC] ? `, ${count(INTERRUPTED_ITERATIONS_METRIC)} interrupted` : "";
  return (
    `no request completed: the target accepted connections but answered no request (iterations: ${count("iterations")} complete${interrupted}, ` +
    `${count("dropped_iterations")} dropped); thresholds on latency had no samples, so the run is not a pass (exit code ${EXIT_NO_REQUEST_COMPLETED})`
  );
}
