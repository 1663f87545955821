// A realtime component's analytic form. Sessions arrive as a Poisson stream of rate λ and stay
// E[L]: connections held form an M/G/c/c loss system over c = instances x max_connections slots,
// so the mean held is a (1 - B(c, a)) with a = λ E[L] and B Erlang's loss formula (insensitive to
// the lifetime's distribution; refused sessions' retries are not counted). Each connected client
// publishes at its rate; a message reaches its channel's subscribers: with channel shares p_i, a
// publisher sits in channel i with probability p_i (size-biased by its own presence), so a message
// has 1 + a' Σ p_i² recipients (a' the connections held). Deliveries per second load the send
// queues (per-recipient cost) and each message the backbone. The delivery latency is the
// light-load one: network both ways, the backbone's service and M/G/1 wait, and the mean position
// of a recipient in its instance's batch.
import type { ConnectionClass, RealtimeComponent } from "../../model/schema.ts";
import { meanOf, scvOf } from "../../model/dist-moments.ts";

/** Erlang's loss formula B(c, a), by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)). */
export function erlangB(c: number, a: number): number {
  if (a <= 0) return 0;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b;
}

/** Σ p_i² of the channels' popularity (1/C for uniform; Zipf(s) by its sums). */
export function channelConcentration(c: RealtimeComponent): number {
  const n = c.channels.count;
  const s = c.channels.popularity === "zipf" ? (c.channels.s ?? 1) : 0;
  if (s === 0) return 1 / n;
  let h1 = 0, h2 = 0;
  for (let i = 1; i <= n; i++) { const w = i ** -s; h1 += w; h2 += w * w; }
  return h2 / (h1 * h1);
}

export interface RealtimeEstimate {
  readonly connections: number;
  readonly blocking: number;
  readonly publishes: number;
  readonly recipients: number;
  readonly deliveries: number;
  readonly sendUtilization: number;
  readonly backboneUtilization: number;
  readonly deliveryMs: number;
}

export function realtimeEstimate(c: RealtimeComponent, conn: ConnectionClass | undefined, serverPublishes = 0): RealtimeEstimate {
  const slots = c.instances * c.max_connections;
  const a = conn ? conn.rate * meanOf(conn.lifetime) : 0;
  const blocking = erlangB(slots, a);
  const held = a * (1 - blocking);
  const clientPublishes = conn ? conn.messages * held : 0;
  const publishes = clientPublishes + serverPublishes;
  const conc = channelConcentration(c);
  // A client's message reaches its own channel (itself included); a server's a channel by popularity.
  const recipients = publishes > 0 ? (clientPublishes * (1 + held * conc) + serverPublishes * held * conc) / publishes : 0;
  const deliveries = publishes * recipients;
  const send = meanOf(c.send);
  const sendUtilization = (deliveries * send) / c.instances;
  const bbMean = c.backbone ? meanOf(c.backbone.service) : 0;
  const bb = { mean: bbMean, variance: c.backbone ? scvOf(c.backbone.service) * bbMean * bbMean : 0 };
  const backboneUtilization = publishes * bb.mean;
  const bbWait = backboneUtilization < 1 && bb.mean > 0 ? (publishes * (bb.variance + bb.mean ** 2)) / (2 * (1 - backboneUtilization)) : backboneUtilization >= 1 ? Infinity : 0;
  const net = c.network ? meanOf(c.network) : 0;
  // remote_latency: the publishing instance (a client's message: 1 in `instances` of its recipients'
  // instances, evenly spread) gets `latency`, every other instance `remote_latency`
  const local = c.backbone?.latency ? meanOf(c.backbone.latency) : 0;
  const ownShare = publishes > 0 ? clientPublishes / publishes / c.instances : 0;
  const bbLatency = c.backbone?.remote_latency ? ownShare * local + (1 - ownShare) * meanOf(c.backbone.remote_latency) : local;
  const perInstance = recipients / c.instances;
  const deliveryMs = (2 * net + bb.mean + bbWait + bbLatency + send * (perInstance + 1) / 2) * 1000;
  return { connections: held, blocking, publishes, recipients, deliveries, sendUtilization, backboneUtilization, deliveryMs };
}

/** The component's entry among the analytic estimate's components. */
export function realtimeAnalytic(c: RealtimeComponent, conn: ConnectionClass | undefined, serverPublishes = 0) {
  const e = realtimeEstimate(c, conn, serverPublishes);
  const u = Math.max(e.connections / (c.instances * c.max_connections), e.sendUtilization, e.backboneUtilization);
  return {
    kind: c.kind, servers: c.instances * c.max_connections, throughput: e.deliveries, utilization: u, peakUtilization: u,
    waitMs: 0, responseMs: e.deliveryMs,
    realtime: { connections: e.connections, blocking: e.blocking, messagesInPerSecond: e.publishes, recipientsPerMessage: e.recipients, sendUtilization: e.sendUtilization, backboneUtilization: e.backboneUtilization },
  } as const;
}
