// The result's payload figures (scenarios with sizes or bandwidth only; others get no new key):
// per component `bytes` (in and out per second, rows read per second) and `link` (its egress
// link's capacity, utilization, bits per second through it, transfers in flight and their
// durations), the bytes of the top-level `edges` (bytes per second each way on every caller ->
// callee edge sizes crossed; edge-result.ts makes the section) and `regionLinks` (the links between regions that calls crossed, each direction apart). Rates are per second of the statistics window, with 95% confidence half-widths over
// replications, as every other figure of result.ts.
import type { Program } from "./engine/program.ts";
import type { ReplicationResult } from "./engine/simulation.ts";
import type { Histogram } from "./engine/histogram.ts";
import { estimate, type Estimate } from "./engine/stats.ts";

export interface ComponentBytes {
  readonly inPerSecond: Estimate;
  readonly outPerSecond: Estimate;
  /** Databases read by paginated classes: rows their reads returned. */
  readonly rowsReadPerSecond?: Estimate;
}

export interface LinkResult<L> {
  readonly bandwidthBitsPerSecond: number;
  /** Share of the time the link was sending (a processor-sharing link: offered bits / capacity). */
  readonly utilization: Estimate;
  readonly throughputBitsPerSecond: Estimate;
  /** Time-average transfers sharing the link. */
  readonly transfersInFlight: Estimate;
  /** A transfer's time on the link, start to last byte. */
  readonly transferMs: L;
}

/** An edge's payload figures: bytes each way and the sized transfers (requests and responses) that carried them. */
export interface EdgeBytes {
  readonly requestBytesPerSecond: Estimate;
  readonly responseBytesPerSecond: Estimate;
  readonly sizedRequestsPerSecond: Estimate;
  readonly responsesPerSecond: Estimate;
}

const perSecond = (reps: readonly ReplicationResult[], f: (r: ReplicationResult) => number) => estimate(reps.map((r) => f(r) / r.window));

/** The `bytes` and `link` sections of component ci; {} when the scenario has no payloads or the component none. */
export function componentPayload<L>(p: Program, reps: readonly ReplicationResult[], ci: number, latency: (h: Histogram[]) => L): Record<string, unknown> {
  const pay = p.payload;
  if (!reps[0]?.payload) return {};
  const out: Record<string, unknown> = {};
  const link = pay.componentLink[ci];
  const touched = link >= 0 || pay.rowsCounted[ci] === 1 || pay.edges.some((e) => e.from === ci || e.to === ci);
  if (!touched) return {};
  out.bytes = {
    inPerSecond: perSecond(reps, (r) => r.payload!.bytesIn[ci]),
    outPerSecond: perSecond(reps, (r) => r.payload!.bytesOut[ci]),
    ...(pay.rowsCounted[ci] === 1 ? { rowsReadPerSecond: perSecond(reps, (r) => r.payload!.rows[ci]) } : {}),
  } satisfies ComponentBytes;
  if (link >= 0) out.link = linkResult(p, reps, link, latency);
  return out;
}

function linkResult<L>(p: Program, reps: readonly ReplicationResult[], link: number, latency: (h: Histogram[]) => L): LinkResult<L> {
  return {
    bandwidthBitsPerSecond: p.payload.links[link].capacity * 8,
    utilization: perSecond(reps, (r) => r.payload!.links[link].busyArea),
    throughputBitsPerSecond: perSecond(reps, (r) => r.payload!.links[link].bytes * 8),
    transfersInFlight: perSecond(reps, (r) => r.payload!.links[link].flightArea),
    transferMs: latency(reps.map((r) => r.payload!.links[link].transfer)),
  };
}

/** The top-level `regionLinks` section ("from->to"), or undefined when no call crossed a link between regions. */
export function regionLinksResult<L>(p: Program, reps: readonly ReplicationResult[], latency: (h: Histogram[]) => L): Record<string, LinkResult<L>> | undefined {
  if (!reps[0]?.payload) return undefined;
  const out: Record<string, LinkResult<L>> = {};
  p.payload.links.forEach((l, i) => { if (l.component < 0) out[l.name] = linkResult(p, reps, i, latency); });
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The payload figures of each edge sizes crossed ("from->to"), or undefined when the scenario has no payloads. */
export function edgeBytes(p: Program, reps: readonly ReplicationResult[]): Record<string, EdgeBytes> | undefined {
  if (!reps[0]?.payload || p.payload.edges.length === 0) return undefined;
  const out: Record<string, EdgeBytes> = {};
  p.payload.edges.forEach((e, i) => {
    out[e.name] = {
      requestBytesPerSecond: perSecond(reps, (r) => r.payload!.edgeBytes[2 * i]),
      responseBytesPerSecond: perSecond(reps, (r) => r.payload!.edgeBytes[2 * i + 1]),
      sizedRequestsPerSecond: perSecond(reps, (r) => r.payload!.edgeTransfers[2 * i]),
      responsesPerSecond: perSecond(reps, (r) => r.payload!.edgeTransfers[2 * i + 1]),
    };
  });
  return out;
}

/** The busiest link's utilization of component c of a result, for the bottleneck (undefined: none). */
export function linkUtilization(c: unknown): number | undefined {
  return (c as { link?: { utilization: Estimate } }).link?.utilization.mean;
}
