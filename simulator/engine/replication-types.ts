// What one replication takes (ReplicationOptions) and returns (ReplicationResult: per class,
// origin, resource and component statistics, the whole-run accounting, the series, payloads, edges
// and hop times), and the reasons a request ends. Types only, apart from two constants and the
// cancellation error: the kernel (simulation.ts), the kinds' runtimes and result sections, and
// result.ts all read them, so they live apart from the event loop.
import { REASONS, R_BACKLOG, R_BUFFER, R_QUEUEFULL, R_RATE_LIMITED, R_THROTTLED } from "./codes.ts";
import type { Histogram } from "./histogram.ts";
import type { FunctionStats } from "../components/function/index.ts";
import type { RealtimeStats } from "../components/realtime/index.ts";
import type { LinkStats } from "./links.ts";
import type { TableStats } from "./tables.ts";

/** Why a request ended (R_*, engine/codes.ts), by name; the admission refusals count as dropped. */
export { REASONS };
export const DROP_REASONS = new Set([R_BUFFER, R_BACKLOG, R_QUEUEFULL, R_RATE_LIMITED, R_THROTTLED]);

export interface ReplicationOptions {
  readonly seed: number;
  readonly replication: number;
  readonly duration: number;
  readonly warmup: number;
  readonly interval: number;
  /** Collect per-interval series (the first replication is enough for charts). */
  readonly series: boolean;
  /** Stop after this many events even before `duration` (benchmarks run a fixed event count). */
  readonly maxEvents?: number;
  /** Called about every 65k events with the share of simulated time done; return true to cancel. */
  readonly onTick?: (fraction: number) => boolean | void;
  /** With series: called after each interval is recorded, with the series so far (live arrays,
   * growing: copy what you keep). Observation only. */
  readonly onSample?: (series: Series) => void;
  /** With series: called about every 4096 events with a function that copies the series so far plus
   * the interval in progress as its last point (over the part simulated yet); call it only when
   * you want one (a worker throttles by wall time). Observation only: nothing of the run changes. */
  readonly onPeek?: (peek: () => Series) => void;
  /** Also add up, per class, the time requests spend at each component and on the network (hops). */
  readonly hops?: boolean;
  /**
   * The open load's arrival stream (`load:arrivals`) from this seed and replication 0, whatever the
   * run's seed and replication: runs that share one realization of the arrival times and differ in
   * every other draw (a validation compares them with a driver that sent that realization).
   */
  readonly arrivalSeed?: number;
}

/**
 * Where completed requests' time went (opt-in, ReplicationOptions.hops): over the requests that
 * completed in the statistics window (the same ones as the latency histogram, their whole time
 * included), per class and component the seconds spent waiting for a unit (queue, balancer queue,
 * pool) and being served (a station's or database's service, a service's own work in its slot, a
 * balancer's overhead) and sending on its egress link (`bandwidth`: a transfer's start to its last
 * byte), and per class the seconds on network hops (edges' `network`, region crossings and their
 * links). A failed request's time is left out (engine/hop-ledger.ts), as is work for queue
 * messages (asynchronous) and for calls whose caller gave up. Divided by a class's completed
 * requests, each is that hop's share of the mean latency; a fan-out's branches are each counted.
 */
export interface HopTimes {
  /** [(class * components + component) * HOP_KINDS + 0 wait | 1 service | 2 on its egress link] */
  readonly time: Float64Array;
  /** [class] */
  readonly network: Float64Array;
}

export class Cancelled extends Error {
  constructor() {
    super("simulation cancelled");
  }
}

/**
 * wait and response: one resource's count, sum, min and max; their counts arrays are shared by
 * the component's main resources (and by its others, such as a database's pools), so read them
 * with Histogram.ofParts over all of those.
 */
export interface ResourceStats {
  readonly wait: Histogram;
  readonly response: Histogram;
  completions: number;
  arrivals: number;
  waited: number;
  dropped: number;
  timedOut: number;
  busyArea: number;
  queueArea: number;
  maxQueue: number;
}

export interface ClassStats {
  readonly latency: Histogram;
  arrived: number;
  completed: number;
  /** Ended by reason (index into REASONS; 0 unused). */
  readonly ended: Float64Array;
  /** Browser cache (browser_cache): arrivals served fresh by the browser, revalidated, fetched in full. */
  readonly browser: Float64Array;
}

/** Requests by the region their users are in (the origin). */
export interface OriginStats {
  readonly latency: Histogram;
  arrived: number;
  completed: number;
  /** Ended by reason (index into REASONS; 0 unused). */
  readonly ended: Float64Array;
  /** Completed requests that a geo route sent to another region than the origin's. */
  failedOver: number;
}

export interface ComponentStats {
  readonly counts: Float64Array;
  /** Services: billed instances (booting, serving, draining) integrated over the window. */
  instanceArea: number;
  /** Database: sampled replication lag; queue: publish-to-processed latency; balancer: queue wait. */
  readonly latency: Histogram;
  queueArea: number;
  maxQueue: number;
  /** Functions: instances, cold and warm invocation times (components/function), set when the run ends. */
  function?: FunctionStats;
  /**
   * A called service with a circuit breaker: seconds of the statistics window its breaker spent
   * closed, open and half-open (indexed by BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN; they
   * add up to the window), set when the run ends. Its openings are counts[C_BREAKER_OPENED].
   */
  breakerSeconds?: Float64Array;
}

export interface Series {
  readonly t: number[];
  readonly classes: Array<{ throughput: number[]; errors: number[]; p50: number[]; p95: number[]; p99: number[] }>;
  /** hits and lookups (per interval, warm-up included) only for caches and CDNs */
  /** breakerOpen: the share of each interval a service's circuit breaker was open, only for services with one */
  readonly components: Array<{ utilization: number[]; queue: number[]; throughput: number[]; instances: number[]; hits?: number[]; lookups?: number[]; active?: number[]; breakerOpen?: number[] }>;
  readonly inFlight: number[];
  readonly offered: number[];
}

export interface ReplicationResult {
  readonly events: number;
  /** Length of the statistics window (end - warmup), seconds. */
  readonly window: number;
  readonly classes: ClassStats[];
  /** Per origin (one without regions), in the statistics window. */
  readonly origins: OriginStats[];
  readonly resources: ResourceStats[];
  readonly components: ComponentStats[];
  /** Whole-run accounting of requests: arrived = completed + ended by each reason + in flight. */
  readonly totals: { arrived: number; completed: number; ended: Float64Array; inFlight: number };
  /**
   * Top-level requests alive per class, counted by scanning the task pool (not from the running
   * counter): when the statistics window opened and when the run ended. A check on the counters:
   * per class, arrived + live at warm-up = completed + ended + live at the end.
   */
  readonly live: { readonly atWarmup: Float64Array; readonly atEnd: Float64Array };
  /** Whole-run accounting of queue messages. */
  readonly messages: { published: number; processed: number; deadLettered: number; droppedHead: number; inQueue: number };
  readonly inFlightArea: number;
  readonly series?: Series;
  /** Per database: its table's figures (null: the database has no `table:`). */
  readonly tables: Array<TableStats | null>;
  /** Bytes per edge and component, rows read, links (only when the scenario has payloads). */
  readonly payload?: PayloadStats;
  /** Requests sent over each edge in the statistics window (engine/edge-plan.ts; one more slot, discarded, at the end). */
  readonly edges: Float64Array;
  /** Per realtime component (components/realtime), in the Program's order; absent without one. */
  readonly realtime?: RealtimeStats[];
  readonly hops?: HopTimes;
}

/** Payload counts in the statistics window (engine/payload-plan.ts). */
export interface PayloadStats {
  /** Per edge * 2 + direction (0 request, 1 response): bytes, and transfers. */
  readonly edgeBytes: Float64Array;
  readonly edgeTransfers: Float64Array;
  /** Per component: bytes received and sent, rows its reads returned. */
  readonly bytesIn: Float64Array;
  readonly bytesOut: Float64Array;
  readonly rows: Float64Array;
  readonly links: LinkStats[];
}
