// One simulation as a self-contained job: the scenario's YAML text (already edited for this point),
// the file name for messages, the seed, the replication count and the run window. A job holds no
// parsed objects and no references to the machine that made it, so any worker (a local thread, a
// `headroom worker` process on another host) parses the same text and runs the same seeded
// simulation, and the encoded result is identical wherever it ran. Trades a parse per job (a few
// milliseconds) for that independence.
import { parseScenario, formatErrors, simulate, instancesOf, UnsupportedError } from "../simulator/index.ts";
import { analyticBracket, nominalLoad, scaleLoad } from "../simulator/analytic/index.ts";
import { applyAssignment } from "./planner.ts";
import { summarize, type RunSummary } from "./verdict.ts";
import { runSearch } from "./search.ts";
import { encode } from "./codec.ts";

export const JOB_VERSION = 1;

export interface SimJob {
  readonly v: typeof JOB_VERSION;
  readonly file: string;
  readonly text: string;
  readonly seed: number;
  readonly replications: number;
  readonly duration: number;
  readonly warmup: number;
  /** A capacity search (planning/search.ts) from this bracket instead of one simulation. */
  readonly search?: { readonly lo: number; readonly hi: number; readonly tolerance: number; readonly maxRuns: number };
  /** A planner candidate: the file's scenario scaled to `load` with the knobs set (planning/planner.ts). */
  readonly candidate?: { readonly load: number; readonly assignment: Record<string, number> };
  /** Only the capacity verdict's summary at this load level (what `check` and `plan` ask for). */
  readonly summaryAt?: number;
}

/** What a job reports: the capacity verdict's summary of the run plus what a sweep plots. */
export interface JobFigures extends RunSummary {
  /** Billed instances (replicas x nodes), the cost when no component has a price. */
  readonly instances: number;
  /** Analytic saturation load / the scenario's load (NaN when the analytic model has no answer). */
  readonly analyticHeadroom: number;
}

export type JobOutcome<T = JobFigures> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly input: true; readonly error: string };

/**
 * Runs a job and returns its outcome encoded (codec.ts). A scenario the simulator refuses is an
 * input outcome (not retried: every worker would refuse it); anything else throws, so a queue retries it.
 */
export function runJob(job: SimJob): string {
  if (job.v !== JOB_VERSION) throw new Error(`job format ${String(job.v)} is not ${JOB_VERSION}: the worker and the command are different headroom versions`);
  const parsed = parseScenario(job.text, job.file);
  if (!parsed.ok) return encode({ ok: false, input: true, error: formatErrors(parsed.errors) } satisfies JobOutcome);
  const s = job.candidate ? applyAssignment(scaleLoad(parsed.scenario, job.candidate.load), job.candidate.assignment) : parsed.scenario;
  try {
    if (job.search) {
      const outcome = runSearch({ scenario: s, seed: job.seed, duration: job.duration, warmup: job.warmup, ...job.search });
      return encode({ ok: true, value: outcome });
    }
    if (job.summaryAt !== undefined) {
      return encode({ ok: true, value: summarize(job.summaryAt, simulate(s, { seed: job.seed, replications: job.replications, duration: job.duration, warmup: job.warmup })) });
    }
    const result = simulate(s, { seed: job.seed, replications: job.replications, duration: job.duration, warmup: job.warmup });
    const level = nominalLoad(s);
    let analyticHeadroom = NaN;
    try {
      const b = analyticBracket(s);
      analyticHeadroom = level > 0 && b.saturation > 0 ? b.saturation / level : NaN;
    } catch { /* a model the analytic solver does not cover: no analytic headroom */ }
    const instances = Object.values(s.components).reduce((t, c) => t + instancesOf(c), 0);
    return encode({ ok: true, value: { ...summarize(level, result), instances, analyticHeadroom } } satisfies JobOutcome);
  } catch (e) {
    if (e instanceof UnsupportedError) return encode({ ok: false, input: true, error: `${job.file}: ${e.message}` } satisfies JobOutcome);
    throw e;
  }
}
