// A load driver for a realtime component, playing the model's `load.connections` against the app's
// WebSocket front: sessions arrive as a Poisson stream, each subscribes to a channel drawn by the
// channels' popularity, stays a lifetime drawn from the YAML's distribution (the simulator's own
// samplers and Zipf sampler, seeded), publishes to its channel at the YAML's per-connection rate
// (Poisson) while connected, and after a refusal or a drop reconnects with the model's backoff
// (backoff x 2^attempt capped at max_backoff, jitter none/full/equal, `attempts` then lost).
// A message's body carries its send time, so every copy a session receives gives a publish ->
// receive delivery latency on one clock (this process's). Optional ws pings give the client <->
// instance round trip (through the balancer), which calibration reads as the model's `network`.
// Trade-off: all clients share this one event loop, so copies of one message received here are
// handled one after another: at a few recipients per message that adds tens of microseconds.
import { WebSocket } from "ws";
import { KeySampler, Sampler } from "../../simulator/random.ts";
import type { RealtimePlan } from "../plan.ts";
import { streamFor, type Rng } from "../sampler.ts";
import { nowMs, type Delivered } from "./server.ts";

export interface DriverOptions {
  /** ws://host:port/ws (the channel is appended as ?channel=N). */
  readonly url: string;
  readonly plan: RealtimePlan;
  readonly seed: number;
  /** Seconds over which sessions arrive (after it no new session starts; open ones keep going until stop()). */
  readonly duration: number;
  /** Milliseconds between pings (none: no pings). */
  readonly pingEveryMs?: number;
}

/** What the driver saw; times are epoch ms (nowMs()). */
export interface DriverRecord {
  readonly started: number;
  sessions: number;
  connects: number;
  refused: number;
  dropped: number;
  lost: number;
  /** Messages this driver published: send times. */
  readonly published: number[];
  /** Copies received: [publish time, latency ms] of client-published messages; server publishes counted apart. */
  readonly deliveries: Array<[number, number]>;
  /**
   * The same copies' latency split at the servers' stamps (Delivered; one machine clock), in ms:
   * [publish time, way in (client -> the instance read it), the instance's own time (read ->
   * handed to the backbone), backbone (-> the sending instance got it), send queue (-> this copy
   * handed to ws.send), way out (-> received here)]. The five add up to the latency.
   */
  readonly legs: Array<[number, number, number, number, number, number]>;
  /** When each connection opened (nowMs). */
  readonly connectTimes: number[];
  /** Per entry of `legs`: [the publishing instance, the instance that sent the copy]. */
  readonly legInstances: Array<[string, string]>;
  serverCopies: number;
  /** Ping round trips: [time, rtt ms]. */
  readonly pings: Array<[number, number]>;
}

interface Session {
  ws?: WebSocket;
  readonly channel: number;
  readonly end: number;
  attempt: number;
  open: boolean;
  pubTimer?: NodeJS.Timeout;
}

export class RealtimeDriver {
  readonly record: DriverRecord;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sessions = new Set<Session>();
  private stopped = false;
  /** Open connections now and the time integral of them (connection-ms) as the driver holds them. */
  private open = 0;
  private area = 0;
  private areaAt: number;
  private readonly rng: Record<"arrivals" | "lifetime" | "channel" | "publish" | "backoff" | "ping", Rng>;
  private readonly lifetime: Sampler;
  private readonly channels: KeySampler;

  constructor(private readonly o: DriverOptions) {
    const conn = o.plan.connections;
    if (!conn) throw new Error(`realtime '${o.plan.name}' has no load.connections entry to play`);
    this.rng = {
      arrivals: streamFor(o.seed, `driver:${o.plan.name}:arrivals`),
      lifetime: streamFor(o.seed, `driver:${o.plan.name}:lifetime`),
      channel: streamFor(o.seed, `driver:${o.plan.name}:channel`),
      publish: streamFor(o.seed, `driver:${o.plan.name}:publish`),
      backoff: streamFor(o.seed, `driver:${o.plan.name}:backoff`),
      ping: streamFor(o.seed, `driver:${o.plan.name}:ping`),
    };
    this.lifetime = new Sampler(conn.lifetime);
    this.channels = new KeySampler(o.plan.channels.count, o.plan.channels.s);
    const t = nowMs();
    this.areaAt = t;
    this.record = { started: t, sessions: 0, connects: 0, refused: 0, dropped: 0, lost: 0, published: [], deliveries: [], legs: [], legInstances: [], connectTimes: [], serverCopies: 0, pings: [] };
  }

  /** Starts the arrivals (and pings); returns at once. */
  start(): void {
    const conn = this.o.plan.connections!;
    const t0 = this.record.started;
    const endAt = t0 + this.o.duration * 1000;
    let next = t0;
    const arrive = () => {
      if (this.stopped) return;
      next += (-Math.log(this.rng.arrivals.next()) / conn.rate) * 1000;
      if (next < endAt) this.at(next, arrive);
      this.newSession();
    };
    next += (-Math.log(this.rng.arrivals.next()) / conn.rate) * 1000;
    this.at(next, arrive);
    if (this.o.pingEveryMs) {
      const tick = () => {
        if (this.stopped) return;
        this.ping();
        this.after(this.o.pingEveryMs!, tick);
      };
      this.after(this.o.pingEveryMs, tick);
    }
  }

  /** Connection-ms the driver held between its start and now, for Little's law over a window (difference of two reads). */
  heldArea(): number {
    this.touch();
    return this.area;
  }

  /** Open connections now. */
  get connections(): number {
    return this.open;
  }

  /** Closes every session and cancels every timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closing: Promise<void>[] = [];
    for (const s of this.sessions) {
      if (s.pubTimer) clearTimeout(s.pubTimer);
      const ws = s.ws;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        closing.push(new Promise((r) => { ws.once("close", () => r()); setTimeout(r, 2000).unref(); }));
        ws.terminate();
      }
    }
    await Promise.all(closing);
  }

  // ---------------------------------------------------------------- sessions

  private newSession(): void {
    const s: Session = {
      channel: this.channels.sample(this.rng.channel),
      end: nowMs() + this.lifetime.sample(this.rng.lifetime) * 1000,
      attempt: 0,
      open: false,
    };
    this.sessions.add(s);
    this.record.sessions++;
    this.at(s.end, () => this.endSession(s));
    this.connect(s);
  }

  private endSession(s: Session): void {
    if (!this.sessions.delete(s)) return;
    if (s.pubTimer) clearTimeout(s.pubTimer);
    if (s.open) this.setClosed(s);
    s.ws?.close();
  }

  private connect(s: Session): void {
    if (this.stopped || !this.sessions.has(s)) return;
    const ws = new WebSocket(`${this.o.url}?channel=${s.channel}`);
    s.ws = ws;
    ws.on("open", () => {
      if (!this.sessions.has(s)) {
        ws.close();
        return;
      }
      s.open = true;
      s.attempt = 0;
      this.touch();
      this.open++;
      this.record.connects++;
      this.record.connectTimes.push(nowMs());
      this.schedulePublish(s);
    });
    ws.on("message", (data) => this.received(data.toString()));
    ws.on("unexpected-response", (_req, res) => {
      res.resume();
      this.record.refused++;
      ws.terminate();
    });
    ws.on("error", () => {});
    ws.on("close", () => {
      if (s.ws !== ws) return;
      if (s.open) {
        this.setClosed(s);
        if (this.sessions.has(s)) this.record.dropped++;
      }
      if (this.sessions.has(s) && !this.stopped) this.retry(s);
    });
  }

  private setClosed(s: Session): void {
    s.open = false;
    if (s.pubTimer) clearTimeout(s.pubTimer);
    this.touch();
    this.open--;
  }

  /** The model's backoff after a refusal or a drop; past `attempts` refused tries the session is lost. */
  private retry(s: Session): void {
    const r = this.o.plan.reconnect;
    if (s.attempt >= r.attempts) {
      this.record.lost++;
      this.sessions.delete(s);
      return;
    }
    const d = Math.min(r.max_backoff, r.backoff * 2 ** s.attempt);
    const delay = r.jitter === "none" ? d : r.jitter === "equal" ? d / 2 + (d / 2) * this.rng.backoff.next() : d * this.rng.backoff.next();
    s.attempt++;
    if (nowMs() + delay * 1000 < s.end) this.after(delay * 1000, () => this.connect(s));
  }

  // ---------------------------------------------------------------- messages

  private schedulePublish(s: Session): void {
    const rate = this.o.plan.connections!.messages;
    if (rate <= 0) return;
    const wait = (-Math.log(this.rng.publish.next()) / rate) * 1000;
    s.pubTimer = setTimeout(() => {
      if (!s.open || this.stopped) return;
      const t = nowMs();
      this.record.published.push(t);
      s.ws!.send(JSON.stringify({ s: t }));
      this.schedulePublish(s);
    }, wait);
  }

  private received(text: string): void {
    const t = nowMs();
    let env: Delivered;
    try { env = JSON.parse(text) as Delivered; } catch { return; }
    let sent: number | undefined;
    try { sent = (JSON.parse(env.body) as { s?: number }).s; } catch { /* a server-side publish: no client time */ }
    if (typeof sent === "number") {
      this.record.deliveries.push([sent, t - sent]);
      if (env.rx !== undefined && env.pm !== undefined && env.q !== undefined) {
        this.record.legs.push([sent, env.rx - sent, env.t - env.rx, env.pm - env.t, env.q - env.pm, t - env.q]);
        this.record.legInstances.push([env.from, env.at ?? ""]);
      }
    } else this.record.serverCopies++;
  }

  private ping(): void {
    const open = [...this.sessions].filter((s) => s.open);
    if (open.length === 0) return;
    const s = open[Math.floor(this.rng.ping.next() * open.length)]!;
    const ws = s.ws!;
    const t = nowMs();
    ws.once("pong", () => this.record.pings.push([t, nowMs() - t]));
    ws.ping();
  }

  // ---------------------------------------------------------------- bookkeeping

  private touch(): void {
    const t = nowMs();
    this.area += this.open * (t - this.areaAt);
    this.areaAt = t;
  }

  private at(time: number, f: () => void): void {
    this.after(time - nowMs(), f);
  }

  private after(ms: number, f: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); f(); }, Math.max(0, ms));
    this.timers.add(t);
  }
}
