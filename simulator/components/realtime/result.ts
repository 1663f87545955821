// A realtime component's result section. Its "servers" are connection slots (instances x
// max_connections), its throughput the messages it delivers per second (one per recipient), its
// utilization the highest of three: connections held over slots, the send queues' busy share and
// the backbone's (the `realtime.limitedBy` field names which). Latencies in milliseconds, memory
// in bytes; counts are sums over replications in the statistics window.
import type { Histogram } from "../../engine/histogram.ts";
import { estimate, type Estimate } from "../../engine/stats.ts";
import type { ResultContext } from "../kind.ts";
import type { RealtimeStats } from "./runtime.ts";

const Q: Array<[string, number]> = [["p50", 0.5], ["p90", 0.9], ["p95", 0.95], ["p99", 0.99], ["p999", 0.999]];

function latencyMs(hists: Histogram[]): Latency {
  const ms = (f: (h: Histogram) => number) => estimate(hists.map((h) => f(h) * 1000));
  const out: Record<string, Estimate> = { mean: ms((h) => h.mean()) };
  for (const [k, q] of Q) out[k] = ms((h) => h.quantile(q));
  out.max = ms((h) => (h.count ? h.max : NaN));
  return out as Latency;
}

type Latency = Record<"mean" | "p50" | "p90" | "p95" | "p99" | "p999" | "max", Estimate>;

/** The `realtime` section of a realtime component's result (headroom.result/v2, added with the kind). */
export interface RealtimeResultSection {
  /** Time-average connections held (all instances), per instance, the most at once, and their share of the slots. */
  readonly connections: Estimate;
  readonly connectionsPerInstance: Estimate;
  readonly peakConnections: number;
  readonly connectionUtilization: Estimate;
  readonly sendUtilization: Estimate;
  readonly backboneUtilization: Estimate;
  readonly limitedBy: "connections" | "send" | "backbone";
  readonly sessionsPerSecond: Estimate;
  readonly messagesInPerSecond: Estimate;
  readonly messagesOutPerSecond: Estimate;
  /** Publish -> receive per recipient; the wait in an instance's send queue (per message and instance); the wait for the backbone. */
  readonly deliveryMs: Latency;
  readonly sendWaitMs: Latency;
  readonly backboneWaitMs: Latency;
  /** The most reconnects in one interval of the run (warm-up included), per second. */
  readonly reconnectPeakPerSecond: Estimate;
  readonly memoryMeanBytes: Estimate;
  readonly memoryPeakBytes: number;
  readonly memoryLimitBytes: number | null;
  readonly counts: {
    readonly sessions: number; readonly connects: number; readonly refused: number; readonly reconnects: number;
    readonly dropped: number; readonly lost: number; readonly ended: number; readonly published: number;
    readonly delivered: number; readonly sendDropped: number; readonly outOfMemory: number; readonly crashes: number;
  };
}

/** The component's figures of each replication (the replications' `realtime` entries). */
export function realtimeStats(ctx: ResultContext): RealtimeStats[] {
  return ctx.reps.map((rep) => {
    const st = rep.realtime?.find((x) => x.component === ctx.component);
    if (!st) throw new Error(`realtime: no figures for component ${ctx.component} in a replication`);
    return st;
  });
}

export function realtimeResult(ctx: ResultContext): Record<string, unknown> {
  const { reps } = ctx;
  const sts = realtimeStats(ctx);
  const w = (i: number) => reps[i].window;
  const sum = (f: (st: RealtimeStats) => number) => sts.reduce((a, st) => a + f(st), 0);
  const s0 = sts[0];
  const slots = s0.instances * s0.maxConnections;
  const connections = sts.map((st, i) => st.connectionArea / w(i));
  const connUtil = connections.map((c) => c / slots);
  const sendUtil = sts.map((st, i) => st.sendBusy / (w(i) * st.instances));
  const bbUtil = sts.map((st, i) => st.backboneBusy / w(i));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const parts: Array<[RealtimeResultSection["limitedBy"], number]> = [["connections", mean(connUtil)], ["send", mean(sendUtil)], ["backbone", mean(bbUtil)]];
  const top = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  const util = sts.map((_, i) => Math.max(connUtil[i], sendUtil[i], bbUtil[i]));
  return {
    servers: slots,
    throughput: estimate(sts.map((st, i) => st.delivered / w(i))),
    utilization: estimate(util),
    waitMs: latencyMs(sts.map((st) => st.sendWait)),
    responseMs: latencyMs(sts.map((st) => st.delivery)),
    realtime: {
      connections: estimate(connections),
      connectionsPerInstance: estimate(connections.map((c) => c / s0.instances)),
      peakConnections: sts.reduce((m, st) => Math.max(m, st.peakConnections), 0),
      connectionUtilization: estimate(connUtil),
      sendUtilization: estimate(sendUtil),
      backboneUtilization: estimate(bbUtil),
      limitedBy: top[0],
      sessionsPerSecond: estimate(sts.map((st, i) => st.sessions / w(i))),
      messagesInPerSecond: estimate(sts.map((st, i) => st.published / w(i))),
      messagesOutPerSecond: estimate(sts.map((st, i) => st.delivered / w(i))),
      deliveryMs: latencyMs(sts.map((st) => st.delivery)),
      sendWaitMs: latencyMs(sts.map((st) => st.sendWait)),
      backboneWaitMs: latencyMs(sts.map((st) => st.backboneWait)),
      reconnectPeakPerSecond: estimate(sts.map((st) => peakOf(st.ivReconnects) / st.interval)),
      memoryMeanBytes: estimate(sts.map((st, i) => st.memoryBase + (connections[i] / st.instances) * st.memoryPerConnection)),
      memoryPeakBytes: sts.reduce((m, st) => Math.max(m, st.peakMemory), 0),
      memoryLimitBytes: Number.isFinite(s0.memoryLimit) ? s0.memoryLimit : null,
      counts: {
        sessions: sum((st) => st.sessions), connects: sum((st) => st.connects), refused: sum((st) => st.refused),
        reconnects: sum((st) => st.reconnects), dropped: sum((st) => st.dropped), lost: sum((st) => st.lost),
        ended: sum((st) => st.ended), published: sum((st) => st.published), delivered: sum((st) => st.delivered),
        sendDropped: sum((st) => st.sendDropped), outOfMemory: sum((st) => st.ooms), crashes: sum((st) => st.crashes),
      },
    } satisfies RealtimeResultSection,
  };
}

function peakOf(xs: Float64Array): number {
  let m = 0;
  for (let i = 0; i < xs.length; i++) if (xs[i] > m) m = xs[i];
  return m;
}
