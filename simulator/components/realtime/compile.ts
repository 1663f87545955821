// A realtime component's compile step: its spec in the Program (instances and their connection and
// memory limits, the channels' popularity, the samplers of the per-recipient send cost, the
// backbone's service time, the client network, session lifetimes, reconnect backoff) and the
// instructions of a `call:` to it from a flow: OP_RT_PUBLISH, a server-side publish to one channel
// (drawn by the channels' popularity) that the request does not wait for.
import type { ConnectionClass, RealtimeComponent, Step } from "../../model/schema.ts";
import { KeySampler } from "../../engine/zipf.ts";
import { meanOf } from "../../model/dist-moments.ts";
import { OP_RT_PUBLISH } from "../../engine/codes.ts";
import type { CallEdge, CompileContext, FlowContext } from "../kind.ts";

export const BALANCE_LEAST = 0, BALANCE_RR = 1, BALANCE_RANDOM = 2;
export const JITTER_NONE = 0, JITTER_FULL = 1, JITTER_EQUAL = 2;

/**
 * The most sessions alive at once over all realtime components of a run: a session id is packed
 * with a 3-bit event code into the calendar's 26-bit event argument (model/check.ts refuses
 * instances x max_connections above this).
 */
export const MAX_SESSIONS = 1 << 23;

export interface RealtimeSpec {
  readonly component: number;
  readonly instances: number;
  readonly maxConnections: number;
  readonly balance: number;
  /** Bytes per instance (Infinity: no limit), its fixed part and the part per connection. */
  readonly memory: number;
  readonly memoryBase: number;
  readonly memoryPerConnection: number;
  /** Bytes a recipient's queued copy of a message holds until it is sent. */
  readonly messageSize: number;
  readonly restartAfter: number;
  readonly channels: KeySampler;
  /** Sampler of the per-recipient send cost on an instance's send queue, and its mean. */
  readonly send: number;
  readonly sendMean: number;
  /** Backlog (seconds of queued sending) past which an instance drops a message for its recipients. */
  readonly sendBuffer: number;
  /** One-way client <-> instance latency sampler (-1: none). */
  readonly network: number;
  readonly networkMean: number;
  /** The pub/sub backbone's service time per message (-1: no backbone; one instance). */
  readonly backbone: number;
  readonly backboneMean: number;
  /** Its latency to the instances after the service, not queued (-1: none). */
  readonly backboneLatency: number;
  /** Its latency to the instances other than the publishing one (-1: the same as backboneLatency). */
  readonly backboneRemote: number;
  readonly backoff: number;
  readonly maxBackoff: number;
  readonly jitter: number;
  readonly attempts: number;
  /** The load's connections to this component (load.connections.<name>); rate 0 when none. */
  rate: number;
  lifetime: number;
  lifetimeMean: number;
  /** Messages each connected client publishes per second. */
  publish: number;
}

export function compileRealtime(c: RealtimeComponent, component: number, ctx: CompileContext): RealtimeSpec {
  const send = ctx.sampler(c.send);
  const network = c.network ? ctx.sampler(c.network) : -1;
  const backbone = c.backbone ? ctx.sampler(c.backbone.service) : -1;
  return {
    component,
    instances: c.instances,
    maxConnections: c.max_connections,
    balance: c.balance === "round_robin" ? BALANCE_RR : c.balance === "random" ? BALANCE_RANDOM : BALANCE_LEAST,
    memory: c.memory ?? Infinity,
    memoryBase: c.memory_base,
    memoryPerConnection: c.memory_per_connection,
    messageSize: c.message_size,
    restartAfter: c.restart_after,
    channels: new KeySampler(c.channels.count, c.channels.popularity === "zipf" ? (c.channels.s ?? 1) : 0),
    send,
    sendMean: meanOf(c.send),
    sendBuffer: c.send_buffer ?? Infinity,
    network,
    networkMean: c.network ? meanOf(c.network) : 0,
    backbone,
    backboneMean: c.backbone ? meanOf(c.backbone.service) : 0,
    backboneLatency: c.backbone?.latency ? ctx.sampler(c.backbone.latency) : -1,
    backboneRemote: c.backbone?.remote_latency ? ctx.sampler(c.backbone.remote_latency) : -1,
    backoff: c.reconnect.backoff,
    maxBackoff: c.reconnect.max_backoff,
    jitter: c.reconnect.jitter === "none" ? JITTER_NONE : c.reconnect.jitter === "equal" ? JITTER_EQUAL : JITTER_FULL,
    attempts: c.reconnect.attempts,
    rate: 0, lifetime: -1, lifetimeMean: 0, publish: 0,
  };
}

/** Attaches the load's connections to the component (program.ts, after the components compiled). */
export function connectRealtime(spec: RealtimeSpec, conn: ConnectionClass | undefined, ctx: CompileContext): void {
  if (!conn) return;
  spec.rate = conn.rate;
  spec.lifetime = ctx.sampler(conn.lifetime);
  spec.lifetimeMean = meanOf(conn.lifetime);
  spec.publish = conn.messages;
}

/**
 * [crossing] OP_RT_PUBLISH [crossing]: the caller (a service handler or a class's flow) hands the
 * message to the backbone and goes on; delivery happens apart (the runtime's fan-out).
 */
export function emitRealtimeCall(_step: Extract<Step, { call: string }>, c: RealtimeComponent, rt: number, _cls: number, region: number, path: string, _edge: CallEdge, ctx: FlowContext): void {
  const lat = ctx.latency(region, ctx.regionIndex(c.region));
  if (lat >= 0) ctx.delay(lat, `${path}:lat>`);
  ctx.emit(OP_RT_PUBLISH, rt);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<`);
}
