// Messages between the page and the simulation worker. The worker parses the text itself (the
// same parser as the CLI), so a run needs nothing but the editor's text.
import type { SeriesResult, SimResult } from "../../simulator/index.ts";
import type { PlanResult } from "../../planning/planner.ts";
import type { Checked } from "./validate.ts";

export interface RunOptions {
  readonly seed?: number;
  readonly replications?: number;
  readonly duration?: number;
  /** Break each class's latency down by hop (the result's classes[*].hopsMs). */
  readonly hops?: boolean;
  /** Run replication by replication and send each one's result too (paired A/B comparisons). */
  readonly byReplication?: boolean;
  /** Record every replication's series (sent as `replicationSeries`, for the charts' 95% bands) and
   * stream replication 0's intervals, and the one in progress, while it runs (`partial` messages). */
  readonly bands?: boolean;
  /** Refuse a run estimated above the page's event budget (EVENT_BUDGET) with a `too-big` answer
   * before it starts: the estimate needs the parsed scenario, which the worker has first (and the
   * budget is the simulator's, so the page's entry need not load the simulator to send it). */
  readonly budget?: boolean;
  /** Also answer what the check worker would (`checked`) before running: the page's first run
   * then needs no check worker of its own (one worker start and one parse fewer). */
  readonly check?: boolean;
}

/** A capacity sweep: the scenario at each total arrival rate (open load), one result per rate. */
export interface SweepPoint {
  readonly rate: number;
  readonly result: SimResult;
}

export type ToWorker =
  /** helper: the page can start a second simulation worker (two cores or more), which a long
   * options.bands run of two replications or more asks for (a `helper` answer) and gives its later
   * half to (helper.ts). */
  | { readonly type: "run"; readonly id: number; readonly text: string; readonly options: RunOptions; readonly helper?: boolean }
  /** This worker is the helper of the run at the other end of `port` (it asks there, helper.ts). */
  | { readonly type: "helper"; readonly id: number; readonly port: MessagePort }
  | { readonly type: "sweep"; readonly id: number; readonly text: string; readonly rates: number[]; readonly options: RunOptions }
  /** headroom plan at `load` (plan-run.ts) */
  | { readonly type: "plan"; readonly id: number; readonly text: string; readonly load: number };

export type FailureKind = "invalid" | "unsupported" | "internal";

export type FromWorker =
  | { readonly type: "progress"; readonly id: number; readonly fraction: number }
  /** Replication 0's intervals so far (options.bands) while it runs, every 500 ms (the first at once); inProgress:
   * the last point is the interval in progress, over the part simulated yet (the next replaces it). */
  | { readonly type: "partial"; readonly id: number; readonly series: SeriesResult; readonly inProgress: boolean; readonly durationS: number; readonly warmupS: number; readonly replications: number }
  | { readonly type: "done"; readonly id: number; readonly result: SimResult; readonly elapsedMs: number; readonly replications?: SimResult[]; readonly replicationSeries?: SeriesResult[] }
  | { readonly type: "swept"; readonly id: number; readonly points: SweepPoint[]; readonly elapsedMs: number }
  | { readonly type: "planned"; readonly id: number; readonly plan: PlanResult; readonly elapsedMs: number }
  | { readonly type: "failed"; readonly id: number; readonly kind: FailureKind; readonly message: string }
  /** The run wants the helper worker: the page hands it `port`, the run's end of which it keeps. */
  | { readonly type: "helper"; readonly id: number; readonly port: MessagePort }
  /** options.check: the text checked as check.worker.ts does, before the run starts. */
  | { readonly type: "checked"; readonly id: number; readonly checked: Checked }
  /** options.budget: the run is estimated at `events`, above EVENT_BUDGET, and was not started. */
  | { readonly type: "too-big"; readonly id: number; readonly events: number; readonly budget: number };
