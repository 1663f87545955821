// What the CLI sends the live page while `headroom load --dashboard` or `headroom validate
// --dashboard` runs (server-sent events, dashboard/live-channel.ts): one "phase" per load run
// (a load, or one validation level) with its prediction, one "interval" per measured second,
// a "phase-end" with the run's summary, and "done" when the command ends. Types only: the CLI
// builds them, the page reads them.
import type { SimResult } from "../../simulator/index.ts";

export interface LivePhase {
  readonly index: number;
  readonly command: "load" | "validate";
  readonly scenario: string;
  /** What is measured: "load" or the validation level ("level 0.5: 150 req/s"). */
  readonly label: string;
  /** The level's rate (validate), null for a load. */
  readonly rate: number | null;
  /** Length of the load (s). */
  readonly durationS: number;
  /** The simulation of the same load and length; null when it could not run (note says why). */
  readonly predicted: SimResult | null;
  readonly note?: string;
}

/**
 * One measured second, as k6/ingest/intervals.ts computes it (MeasuredInterval; the dashboard does
 * not import k6/, so the shape is repeated here: cli/live-dashboard.ts checks one against the other
 * with `satisfies`). t is its end in seconds from the first sample.
 */
export interface LiveInterval {
  readonly phase: number;
  readonly t: number;
  readonly intervalS: number;
  /** Arrivals per second: iterations plus dropped_iterations. */
  readonly offered: number;
  /** Per class: completed and failed requests/s, latency percentiles in ms (null: no request completed). */
  readonly classes: Record<string, { readonly throughput: number; readonly errors: number; readonly p50Ms: number | null; readonly p95Ms: number | null; readonly p99Ms: number | null }>;
}

/** A load run's figures, from its k6 summary export (as the CLI prints them) and per class from its NDJSON. */
export interface LiveSummary {
  readonly engine: string;
  readonly exitCode: number;
  /** http_reqs: count and per second. */
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** http_req_duration (ms): avg, med, p(95), max. */
  readonly latency: { readonly avg: number; readonly med: number; readonly p95: number; readonly max: number } | null;
  /** http_req_failed's rate (0..1). */
  readonly failedShare: number | null;
  readonly arrivals?: { readonly scheduled?: number; readonly started: number; readonly dropped: number };
  readonly classes: Record<string, { readonly requests: number; readonly failed: number; readonly p50Ms: number; readonly p95Ms: number; readonly p99Ms: number }>;
}

export interface LivePhaseEnd {
  readonly phase: number;
  /** "measured" for a load; the level's status for validate (pass, fail, unreliable, error, info). */
  readonly status: string;
  readonly summary: LiveSummary | null;
  readonly message?: string;
}

export interface LiveDone {
  /** done: the command finished; stopped: Ctrl-C; failed: an error ended it (message). */
  readonly status: "done" | "stopped" | "failed";
  readonly exitCode: number;
  readonly message?: string;
  /** validate: its verdict per scenario. */
  readonly verdicts?: ReadonlyArray<{ readonly scenario: string; readonly pass: boolean; readonly report: string }>;
}
