// Calibration of a realtime component's model from a measured run: the three inputs the YAML states
// but the reference app does not inject, so that the real values must be read before the model can
// predict the real system. Nothing else is calibrated.
// - `send` (per recipient): the instances' own time in ws.send over the copies they sent
//   (headroom_rt_send_seconds_total / headroom_rt_messages_out_total over the window), a constant;
// - `backbone.service`: Redis's own time per PUBLISH over the window (INFO commandstats:
//   cmdstat_publish's usec over its calls), a constant: the one server messages queue for;
// - `backbone.latency`: the rest of the instances' PUBLISH -> own pmessage round trips over the
//   window (rebuilt from the fine histogram headroom_rt_backbone_seconds, 10% buckets, less the
//   service), an empirical delay that does not queue. The whole round trip used to be the service,
//   so a message queued behind another's stall (at 41 messages/s over the round trips of a load-11
//   run: p50 1.02 -> 1.12 ms, p95 10.0 -> 12.1 ms);
// - `backbone.remote_latency`: the same round trip as read by the instances other than the
//   publisher (the publisher's PUBLISH -> the other instance's pmessage, on the machine's one
//   clock: each copy's backbone leg, one per message and instance), less the service. Redis pub/sub
//   reaches the other instance later than the publisher's own subscriber (p50 0.531 vs 0.484 ms, 4
//   Dec 2026), and the other instance holds about half of every message's recipients; the model
//   drew every instance's latency from the publisher's (backboneByInstance);
// - `network` (one way, client <-> instance, through HAProxy): the ways in and out of the window's
//   delivered copies, each timed on the machine's one monotonic clock (the driver's send -> the
//   instance handing it to the backbone; the instance's ws.send returned -> the driver reading the
//   copy: the copy's own send is the model's `send`), pooled as one empirical distribution (the
//   model has one `network` for both ways).
//   It used to be half of each WebSocket ping's round trip: a round trip that met a stall on one
//   way gave half the stall to each, and two independent draws of those halves put a stall on
//   twice as many deliveries (model's p50 12-26% over the measured), while the way out, where the
//   one driver process reads every recipient's copy, is heavier than a ping shows (p95 30 ms vs
//   14 at load 11: the model's p95 34% under). See docs/reference-app.md, Realtime components.
// What it trades away: the backbone's spread is known to 10% (its buckets); pooling the two ways
// keeps each delivery's mean but not a difference between them.
import type { Dist, RealtimeComponent, Scenario } from "../../simulator/model/index.ts";
import { sumMetrics } from "../prom.ts";
import { FINE_BOUNDS } from "./server.ts";

const BUCKET_RE = /^headroom_rt_backbone_seconds_bucket\{[^}]*le="([^"]+)"\}\s+(\S+)/;

/** The backbone histogram's cumulative bucket counts, summed over the scrapes of every instance, by bound. */
export function backboneBuckets(scrapes: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const text of scrapes) {
    for (const line of text.split("\n")) {
      const m = BUCKET_RE.exec(line);
      if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
    }
  }
  return out;
}

/**
 * The observations between two reads of the fine histogram as samples: each bucket's count at the
 * geometric middle of its bounds, scaled to at most `max` samples (buckets keep their shares).
 */
export function windowSamples(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, max = 4000): number[] {
  const per: Array<[number, number]> = [];
  let prevA = 0, prevB = 0, lower = FINE_BOUNDS[0]! / 1.1;
  for (const b of FINE_BOUNDS) {
    const key = String(b);
    const a1 = after.get(key) ?? prevA, b1 = before.get(key) ?? prevB;
    const n = a1 - prevA - (b1 - prevB);
    if (n > 0) per.push([Math.sqrt(lower * b), n]);
    prevA = a1; prevB = b1; lower = b;
  }
  const over = (after.get("+Inf") ?? prevA) - prevA - ((before.get("+Inf") ?? prevB) - prevB);
  if (over > 0) per.push([FINE_BOUNDS[FINE_BOUNDS.length - 1]!, over]);
  const total = per.reduce((a, [, n]) => a + n, 0);
  const scale = total > max ? max / total : 1;
  const out: number[] = [];
  for (const [v, n] of per) for (let i = 0; i < Math.round(n * scale); i++) out.push(v);
  return out;
}

export interface RealtimeCalibration {
  /** Seconds per recipient. */
  readonly send: number;
  /** Seconds of Redis's own service per PUBLISH (publishService). */
  readonly backboneService: number;
  /** Backbone round trips (seconds); the model's latency is each less the service. */
  readonly backbone: readonly number[];
  /** Backbone round trips (seconds) as read by the instances other than the publisher (backboneByInstance); empty: as `backbone`. */
  readonly backboneOther?: readonly number[];
  /** One-way client <-> instance latencies (seconds): the ways in and out of the delivered copies (oneWaySamples). */
  readonly network: readonly number[];
}

/**
 * The one-way network samples (seconds) of the copies published in [from, to) (ms, the driver's
 * clock): each copy's way in and way out (DriverRecord.legs), at most `max` of them evenly spaced.
 * The measuring points are set where the model's legs start and end:
 * - a copy's way out is stamped from before its ws.send (`q`), so it holds that copy's own send,
 *   which the model charges as `send` on the instance before the way out: `send` (seconds, the
 *   calibrated cost per copy) is taken off each way out, else the model counts it twice (66 us of
 *   a 2.0 ms p50 at load 2, 4 Dec 2026);
 * - a way in runs to the message's hand-off to the backbone (`t`), not to the instance's read of it
 *   (`rx`): the model's message goes from the network straight to the backbone, so the instance's
 *   own time between (JSON, the PUBLISH call: 34 us mean) is charged nowhere else.
 */
export function oneWaySamples(legs: ReadonlyArray<readonly [number, number, number, number, number, number]>, from: number, to: number, max = 8000, send = 0): number[] {
  const copies = legs.filter((l) => l[0] >= from && l[0] < to);
  // evenly spaced copies, both ways of each (so the pool keeps as many ways in as out)
  const n = Math.min(copies.length, Math.floor(max / 2)), step = copies.length / Math.max(1, n);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = copies[Math.floor(i * step)]!;
    out.push(Math.max(0, l[1] + l[2]) / 1000, Math.max(0, l[5] / 1000 - send));
  }
  return out;
}

/**
 * The backbone round trips (seconds) of the messages published in [from, to) (ms, the driver's
 * clock) split by the instance that read them: `own` the publishing instance's, `other` every other
 * instance's. One sample per message and instance (its copies share the instance's pmessage):
 * the copies' backbone legs (DriverRecord.legs [3], PUBLISH hand-off -> that instance's pmessage)
 * keyed by the message's send time and the sending instance (legInstances).
 */
export function backboneByInstance(legs: ReadonlyArray<readonly [number, number, number, number, number, number]>, instances: ReadonlyArray<readonly [string, string]>, from: number, to: number): { own: number[]; other: number[] } {
  const seen = new Set<string>();
  const own: number[] = [], other: number[] = [];
  legs.forEach((l, i) => {
    if (l[0] < from || l[0] >= to || !Number.isFinite(l[3])) return;
    const [pub, at] = instances[i]!;
    const key = `${l[0]}|${at}`;
    if (seen.has(key)) return;
    seen.add(key);
    (pub === at ? own : other).push(Math.max(0, l[3]) / 1000);
  });
  return { own, other };
}

/** The per-recipient send cost over a window from two scrapes (summed over instances) of the instances' /metrics. */
export function sendCost(before: readonly string[], after: readonly string[]): number {
  const sum = (texts: readonly string[], k: string) => texts.reduce((a, t) => a + (sumMetrics(t).get(k) ?? 0), 0);
  const copies = sum(after, "headroom_rt_messages_out_total") - sum(before, "headroom_rt_messages_out_total");
  const seconds = sum(after, "headroom_rt_send_seconds_total") - sum(before, "headroom_rt_send_seconds_total");
  if (copies <= 0) throw new Error("no copies sent in the window: the send cost cannot be calibrated");
  return seconds / copies;
}

/** Redis's own seconds per PUBLISH between two `INFO commandstats` texts (cmdstat_publish: usec over calls). */
export function publishService(before: string, after: string): number {
  const read = (text: string) => {
    const m = /^cmdstat_publish:calls=(\d+),usec=(\d+)/m.exec(text);
    return m ? { calls: Number(m[1]), usec: Number(m[2]) } : { calls: 0, usec: 0 };
  };
  const a = read(before), b = read(after);
  if (b.calls <= a.calls) throw new Error("no PUBLISH in the window: the backbone's service cannot be calibrated");
  return (b.usec - a.usec) / (b.calls - a.calls) / 1e6;
}

/** The scenario with the realtime component `name`'s send, backbone (and its remote_latency, given backboneOther) and network replaced by the calibrated ones. */
export function calibratedScenario(s: Scenario, name: string, c: RealtimeCalibration): Scenario {
  const comp = s.components[name];
  if (comp?.kind !== "realtime") throw new Error(`'${name}' is not a realtime component`);
  const empirical = (xs: readonly number[]): Dist => {
    if (xs.length === 0) throw new Error("no samples to calibrate from");
    return { dist: "empirical", samples: [xs[0]!, ...xs.slice(1)] };
  };
  const less = (xs: readonly number[]) => xs.map((x) => Math.max(0, x - c.backboneService));
  const backbone = {
    service: { dist: "constant", value: c.backboneService } as Dist,
    latency: empirical(less(c.backbone)),
    ...(c.backboneOther && c.backboneOther.length > 0 ? { remote_latency: empirical(less(c.backboneOther)) } : {}),
  };
  const calibrated: RealtimeComponent = { ...comp, send: { dist: "constant", value: c.send }, backbone, network: empirical(c.network) };
  return { ...s, components: { ...s.components, [name]: calibrated } };
}
