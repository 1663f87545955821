// A realtime component's state over one replication: WebSocket sessions, the instances that hold
// their connections, the channels they subscribe to, and the messages on their way. Unlike the
// request kinds it drives its own events (session arrivals and ends, client publishes, reconnect
// attempts, instance restarts, backbone hand-offs, fan-outs), packed as one calendar event type
// whose argument is id * 8 + sub-event; the kernel passes them to event(). Everything lives in
// typed arrays grown by doubling; no event allocates.
//
// What it trades away:
// - A fan-out is one event per message, not per recipient: an instance's send queue is a FIFO
//   single server whose finishing times follow Lindley's recursion (start = max(arrival, free)),
//   so the k recipients on an instance are served back to back and each delivery time is known
//   when the message reaches the instance. Deliveries queued on an instance that then fails are
//   still counted as delivered (the send backlog is not kept per recipient).
// - A client publish rate is per connection: the superposition over the N connected clients is a
//   Poisson stream of rate N x publish; when N changes, the pending publish is redrawn from now
//   (exact for piecewise-constant rates, by memorylessness), the old event left stale by a counter.
// - The send backlog's memory (message_size per queued recipient) is estimated from the backlog
//   in seconds over the mean send cost; memory is checked when a connection arrives and when a
//   message reaches the instance (an instance over `memory` fails all its connections: OOM).
// - The balancer sees an instance's failure at once (a refused WebSocket upgrade is immediate).
import type { Rng } from "../../engine/rng.ts";
import type { Sampler } from "../../engine/distributions.ts";
import type { Calendar } from "../../engine/calendar.ts";
import { Histogram } from "../../engine/histogram.ts";
import type { RuntimeContext } from "../kind.ts";
import { BALANCE_LEAST, BALANCE_RR, JITTER_EQUAL, JITTER_NONE, MAX_SESSIONS, type RealtimeSpec } from "./compile.ts";

const S_ARRIVE = 0, S_END = 1, S_PUBLISH = 2, S_RECONNECT = 3, S_RESTART = 4, S_BACKBONE = 5, S_FANOUT = 6;

/** One realtime component's figures over one replication (counts in the statistics window). */
export interface RealtimeStats {
  readonly component: number;
  /** The spec's limits, for the result section (which sees the replications only). */
  readonly instances: number;
  readonly maxConnections: number;
  readonly memoryBase: number;
  readonly memoryPerConnection: number;
  readonly memoryLimit: number;
  /** Seconds per interval of the iv* series. */
  readonly interval: number;
  /** Connection-seconds held in the window (time-average connections = area / window). */
  connectionArea: number;
  peakConnections: number;
  connectionsAtEnd: number;
  /** New sessions, successful connections (first and re-), refused connection attempts. */
  sessions: number;
  connects: number;
  refused: number;
  /** Connections of sessions that had been connected before (after a drop). */
  reconnects: number;
  /** Connections an instance failure (crash or out of memory) dropped. */
  dropped: number;
  /** Sessions that gave up after `reconnect.attempts` refused attempts. */
  lost: number;
  ended: number;
  published: number;
  /** Recipient deliveries, and recipients a full send buffer dropped. */
  delivered: number;
  sendDropped: number;
  /** Publish -> receive, per recipient (seconds). */
  readonly delivery: Histogram;
  /** Per message and instance: the wait in the instance's send queue. */
  readonly sendWait: Histogram;
  /** Per message: the wait for the backbone. */
  readonly backboneWait: Histogram;
  /** Sum over recipients of their message's send-queue wait (recipient-weighted wait = this / delivered). */
  sendWaitRecipients: number;
  sendBusy: number;
  backboneBusy: number;
  ooms: number;
  crashes: number;
  peakMemory: number;
  /** Per interval of the whole run (warm-up included): connections at its end, reconnects, deliveries, publishes. */
  readonly ivConnections: Float64Array;
  readonly ivReconnects: Float64Array;
  readonly ivDelivered: Float64Array;
  readonly ivPublished: Float64Array;
}

export class RealtimeRuntime {
  private readonly samplers: readonly Sampler[];
  private readonly n: number;
  private readonly stats: RealtimeStats[];
  private cal: Calendar | undefined;
  private evType = 0;
  private interval = 1;
  private nIv = 1;
  private measuring = false;
  /** Recipients sent to since the kernel last asked (work that is not an event; see takeWork). */
  private work = 0;

  // Random streams per component.
  private readonly arrivalRng: Rng[];
  private readonly lifetimeRng: Rng[];
  private readonly channelRng: Rng[];
  private readonly serverChannelRng: Rng[];
  private readonly publishRng: Rng[];
  private readonly pickRng: Rng[];
  private readonly sendRng: Rng[];
  private readonly networkRng: Rng[];
  private readonly backboneRng: Rng[];
  private readonly backboneLatencyRng: Rng[];
  private readonly backboneRemoteRng: Rng[];
  private readonly backoffRng: Rng[];
  private readonly balanceRng: Rng[];

  // Per component.
  private readonly instBase: Int32Array;
  private readonly rr: Int32Array;
  private readonly chanInst: Int32Array[];
  private live: Int32Array[];
  private readonly liveN: Int32Array;
  private readonly pubGen: Int32Array;
  private readonly bbFree: Float64Array;
  private readonly lastTouch: Float64Array;
  private readonly lastIv: Int32Array;

  // Per instance (all components', by instBase[r] + i).
  private readonly iConns: Int32Array;
  private readonly iHead: Int32Array;
  private readonly iDown: Uint8Array;
  private readonly iGen: Int32Array;
  private readonly iSendFree: Float64Array;
  private readonly iRt: Int32Array;

  // Sessions: a row per user session (it outlives its connections while it reconnects).
  private sRt = new Int32Array(1024);
  private sInst = new Int32Array(1024);
  private sChan = new Int32Array(1024);
  private sAttempt = new Int32Array(1024);
  private sGen = new Int32Array(1024);
  private sNext = new Int32Array(1024);
  private sPrev = new Int32Array(1024);
  private sLivePos = new Int32Array(1024);
  private sEnd = new Float64Array(1024);
  private sEver = new Uint8Array(1024);
  private sFree = -1;
  private sUsed = 0;

  // Messages between publish and fan-out.
  private mTime = new Float64Array(256);
  private mChan = new Int32Array(256);
  private mRt = new Int32Array(256);
  /** Per message: the instance (global index) that published it, -1 for a server publish. */
  private mInst = new Int32Array(256);
  /** Per message: its per-instance fan-outs still due (remote_latency only). */
  private mPending = new Int32Array(256);
  private mNext = new Int32Array(256);
  private mFree = -1;
  private mUsed = 0;

  constructor(private readonly specs: readonly RealtimeSpec[], ctx: RuntimeContext) {
    this.samplers = ctx.samplers;
    const name = (r: RealtimeSpec) => ctx.componentNames[r.component];
    const streams = (purpose: string) => specs.map((r) => ctx.stream(`realtime:${name(r)}:${purpose}`));
    this.arrivalRng = streams("arrivals");
    this.lifetimeRng = streams("lifetime");
    this.channelRng = streams("channel");
    this.serverChannelRng = streams("server-channel");
    this.publishRng = streams("publish");
    this.pickRng = streams("publisher");
    this.sendRng = streams("send");
    this.networkRng = streams("network");
    this.backboneRng = streams("backbone");
    this.backboneLatencyRng = streams("backbone-latency");
    this.backboneRemoteRng = streams("backbone-remote");
    this.backoffRng = streams("backoff");
    this.balanceRng = streams("balance");
    const nR = specs.length;
    this.instBase = new Int32Array(nR);
    let n = 0;
    for (let i = 0; i < nR; i++) { this.instBase[i] = n; n += specs[i].instances; }
    this.n = n;
    this.rr = new Int32Array(nR);
    this.chanInst = specs.map((r) => new Int32Array(r.channels.keys * r.instances));
    this.live = specs.map(() => new Int32Array(64));
    this.liveN = new Int32Array(nR);
    this.pubGen = new Int32Array(nR);
    this.bbFree = new Float64Array(nR);
    this.lastTouch = new Float64Array(nR);
    this.lastIv = new Int32Array(nR);
    this.iConns = new Int32Array(n);
    this.iHead = new Int32Array(n).fill(-1);
    this.iDown = new Uint8Array(n);
    this.iGen = new Int32Array(n);
    this.iSendFree = new Float64Array(n);
    this.iRt = new Int32Array(n);
    for (let i = 0; i < nR; i++) this.iRt.fill(i, this.instBase[i], this.instBase[i] + specs[i].instances);
    this.stats = [];
  }

  /** Schedules the first session arrivals; the kernel calls it when its run starts. */
  start(cal: Calendar, evType: number, duration: number, warmup: number, interval: number): void {
    this.cal = cal;
    this.evType = evType;
    this.interval = interval;
    this.nIv = Math.max(1, Math.ceil(duration / interval - 1e-9));
    this.measuring = warmup === 0;
    this.specs.forEach((r, i) => {
      this.stats.push({
        component: r.component, instances: r.instances, maxConnections: r.maxConnections, memoryBase: r.memoryBase,
        memoryPerConnection: r.memoryPerConnection, memoryLimit: r.memory, interval, connectionArea: 0, peakConnections: 0, connectionsAtEnd: 0, sessions: 0, connects: 0, refused: 0,
        reconnects: 0, dropped: 0, lost: 0, ended: 0, published: 0, delivered: 0, sendDropped: 0,
        delivery: new Histogram(), sendWait: new Histogram(), backboneWait: new Histogram(), sendWaitRecipients: 0,
        sendBusy: 0, backboneBusy: 0, ooms: 0, crashes: 0, peakMemory: r.memoryBase,
        ivConnections: new Float64Array(this.nIv), ivReconnects: new Float64Array(this.nIv),
        ivDelivered: new Float64Array(this.nIv), ivPublished: new Float64Array(this.nIv),
      });
      if (r.rate > 0) this.push(-Math.log(this.arrivalRng[i].next()) / r.rate, i, S_ARRIVE, 0);
    });
  }

  /** The statistics window opens (end of warm-up). */
  startMeasuring(now: number): void {
    for (let r = 0; r < this.specs.length; r++) {
      this.touch(r, now);
      this.lastTouch[r] = now;
      this.stats[r].peakConnections = this.liveN[r];
    }
    this.measuring = true;
  }

  /** The run ended at `now`: closes the time integrals and returns the figures. */
  finish(now: number): RealtimeStats[] {
    for (let r = 0; r < this.specs.length; r++) {
      this.touch(r, now);
      const st = this.stats[r];
      for (let k = this.lastIv[r]; k < this.nIv; k++) st.ivConnections[k] = this.liveN[r];
      st.connectionsAtEnd = this.liveN[r];
    }
    return this.stats;
  }

  /** A calendar event of this kind (arg: id * 8 + sub-event; extra: the generation it was pushed with). */
  event(arg: number, extra: number, now: number): void {
    const id = arg >> 3;
    switch (arg & 7) {
      case S_ARRIVE: this.arrive(id, now); break;
      case S_END: if (this.sGen[id] === extra) this.end(id, now); break;
      case S_PUBLISH: if (this.pubGen[id] === extra) this.clientPublish(id, now); break;
      case S_RECONNECT: if (this.sGen[id] === extra && this.sInst[id] < 0) this.connect(id, now); break;
      case S_RESTART: if (this.iGen[id] === extra && this.iDown[id] === 1) { this.iDown[id] = 0; this.iSendFree[id] = now; } break;
      case S_BACKBONE: this.backbone(id, now); break;
      case S_FANOUT: this.fanout(id, now, extra); break;
    }
  }

  /**
   * Recipients sent to since the last call, in events' worth (five to an event, as the run-size
   * estimate counts them): the kernel adds it to its event count, so `maxEvents` bounds a run whose
   * work is in fan-outs rather than in events.
   */
  takeWork(): number {
    const w = Math.floor(this.work / 5);
    this.work -= w * 5;
    return w;
  }

  /** A publish from a request's flow (OP_RT_PUBLISH): one message to a channel drawn by popularity. */
  serverPublish(r: number, now: number): void {
    this.publish(r, this.specs[r].channels.sample(this.serverChannelRng[r]), now, 0);
  }

  /** Instance `i` of component r fails (a scheduled crash); it restarts `restartAfter` later (Infinity: never). */
  crash(r: number, i: number, restartAfter: number, now: number): void {
    this.fail(this.instBase[r] + i, restartAfter, false, now);
  }

  // ---------------------------------------------------------------- sessions

  private push(t: number, id: number, sub: number, extra: number): void {
    this.cal!.push(t, (id * 8 + sub) * 32 + this.evType, extra);
  }

  private arrive(r: number, now: number): void {
    const sp = this.specs[r];
    this.push(now - Math.log(this.arrivalRng[r].next()) / sp.rate, r, S_ARRIVE, 0);
    const s = this.allocSession();
    this.sRt[s] = r;
    this.sInst[s] = -1;
    this.sChan[s] = sp.channels.sample(this.channelRng[r]);
    this.sEnd[s] = now + this.samplers[sp.lifetime].sample(this.lifetimeRng[r]);
    this.sAttempt[s] = 0;
    this.sEver[s] = 0;
    if (this.measuring) this.stats[r].sessions++;
    this.push(this.sEnd[s], s, S_END, this.sGen[s]);
    this.connect(s, now);
  }

  private end(s: number, now: number): void {
    const r = this.sRt[s];
    if (this.sInst[s] >= 0) {
      this.detach(s, now);
      this.publishRateChanged(r, now);
    }
    if (this.measuring) this.stats[r].ended++;
    this.freeSession(s);
  }

  private connect(s: number, now: number): void {
    const r = this.sRt[s];
    const g = this.pick(r);
    if (g < 0) {
      if (this.measuring) this.stats[r].refused++;
      this.retry(s, now);
      return;
    }
    this.attach(s, g, now);
  }

  /** An instance with room, by the component's balance rule (-1: none up with room). */
  private pick(r: number): number {
    const sp = this.specs[r];
    const base = this.instBase[r], n = sp.instances, max = sp.maxConnections;
    if (sp.balance === BALANCE_LEAST) {
      let best = -1;
      for (let g = base; g < base + n; g++) {
        if (this.iDown[g] === 0 && this.iConns[g] < max && (best < 0 || this.iConns[g] < this.iConns[best])) best = g;
      }
      return best;
    }
    const from = sp.balance === BALANCE_RR ? this.rr[r] : Math.floor(this.balanceRng[r].next() * n);
    for (let k = 0; k < n; k++) {
      const i = (from + k) % n;
      const g = base + i;
      if (this.iDown[g] === 0 && this.iConns[g] < max) {
        if (sp.balance === BALANCE_RR) this.rr[r] = (i + 1) % n;
        return g;
      }
    }
    return -1;
  }

  private attach(s: number, g: number, now: number): void {
    const r = this.sRt[s];
    const sp = this.specs[r];
    const st = this.stats[r];
    this.touch(r, now);
    this.sInst[s] = g;
    const head = this.iHead[g];
    this.sNext[s] = head;
    this.sPrev[s] = -1;
    if (head >= 0) this.sPrev[head] = s;
    this.iHead[g] = s;
    this.iConns[g]++;
    this.chanInst[r][this.sChan[s] * sp.instances + (g - this.instBase[r])]++;
    let live = this.live[r];
    const n = this.liveN[r];
    if (n === live.length) {
      const grown = new Int32Array(live.length * 2);
      grown.set(live);
      this.live[r] = live = grown;
    }
    live[n] = s;
    this.sLivePos[s] = n;
    this.liveN[r] = n + 1;
    if (this.sEver[s] === 1) this.stats[r].ivReconnects[this.ivOf(now)]++;
    if (this.measuring) {
      st.connects++;
      if (this.sEver[s] === 1) st.reconnects++;
      if (n + 1 > st.peakConnections) st.peakConnections = n + 1;
    }
    this.sEver[s] = 1;
    this.sAttempt[s] = 0;
    this.publishRateChanged(r, now);
    this.checkMemory(g, now);
  }

  private detach(s: number, now: number): void {
    const r = this.sRt[s];
    const g = this.sInst[s];
    this.touch(r, now);
    const next = this.sNext[s], prev = this.sPrev[s];
    if (prev >= 0) this.sNext[prev] = next; else this.iHead[g] = next;
    if (next >= 0) this.sPrev[next] = prev;
    this.iConns[g]--;
    this.chanInst[r][this.sChan[s] * this.specs[r].instances + (g - this.instBase[r])]--;
    const live = this.live[r];
    const last = live[this.liveN[r] - 1];
    const pos = this.sLivePos[s];
    live[pos] = last;
    this.sLivePos[last] = pos;
    this.liveN[r]--;
    this.sInst[s] = -1;
  }

  /** A refused or dropped session tries again after its backoff, or gives up after `attempts` tries. */
  private retry(s: number, now: number): void {
    const r = this.sRt[s];
    const sp = this.specs[r];
    const a = this.sAttempt[s];
    if (a >= sp.attempts) {
      if (this.measuring) this.stats[r].lost++;
      this.freeSession(s);
      return;
    }
    const d = Math.min(sp.maxBackoff, sp.backoff * 2 ** a);
    const delay = sp.jitter === JITTER_NONE ? d : sp.jitter === JITTER_EQUAL ? d / 2 + (d / 2) * this.backoffRng[r].next() : d * this.backoffRng[r].next();
    this.sAttempt[s] = a + 1;
    // A session whose user leaves before the next attempt just ends (its end event is pending).
    if (now + delay < this.sEnd[s]) this.push(now + delay, s, S_RECONNECT, this.sGen[s]);
  }

  /** Instance g fails (crash or out of memory): every connection on it drops and reconnects. */
  private fail(g: number, restartAfter: number, oom: boolean, now: number): void {
    if (this.iDown[g] === 1) return;
    const r = this.iRt[g];
    const st = this.stats[r];
    this.iDown[g] = 1;
    this.iGen[g]++;
    if (this.measuring) { if (oom) st.ooms++; else st.crashes++; }
    let s = this.iHead[g];
    while (s >= 0) {
      const next = this.sNext[s];
      this.detach(s, now);
      if (this.measuring) st.dropped++;
      this.sAttempt[s] = 0;
      this.retry(s, now);
      s = next;
    }
    this.iSendFree[g] = now;
    this.publishRateChanged(r, now);
    if (restartAfter !== Infinity) this.push(now + restartAfter, g, S_RESTART, this.iGen[g]);
  }

  /** Instance g's memory now (connections and queued messages); past `memory` it runs out. */
  private checkMemory(g: number, now: number): void {
    const r = this.iRt[g];
    const sp = this.specs[r];
    let mem = sp.memoryBase + this.iConns[g] * sp.memoryPerConnection;
    if (sp.messageSize > 0 && sp.sendMean > 0 && this.iSendFree[g] > now) mem += ((this.iSendFree[g] - now) / sp.sendMean) * sp.messageSize;
    const st = this.stats[r];
    if (this.measuring && mem > st.peakMemory) st.peakMemory = mem;
    if (mem > sp.memory) this.fail(g, sp.restartAfter, true, now);
  }

  // ---------------------------------------------------------------- messages

  /** The connected clients' publish stream (rate N x publish) is redrawn from now. */
  private publishRateChanged(r: number, now: number): void {
    const sp = this.specs[r];
    if (sp.publish <= 0) return;
    const gen = ++this.pubGen[r];
    const n = this.liveN[r];
    if (n > 0) this.push(now - Math.log(this.publishRng[r].next()) / (sp.publish * n), r, S_PUBLISH, gen);
  }

  /** A connected client, drawn uniformly, publishes to its channel. */
  private clientPublish(r: number, now: number): void {
    const s = this.live[r][Math.floor(this.pickRng[r].next() * this.liveN[r])];
    this.publish(r, this.sChan[s], now, 1, this.sInst[s]);
    this.publishRateChanged(r, now);
  }

  private publish(r: number, chan: number, now: number, fromClient: number, inst = -1): void {
    const sp = this.specs[r];
    const st = this.stats[r];
    if (this.measuring) st.published++;
    st.ivPublished[this.ivOf(now)]++;
    const m = this.allocMessage();
    this.mTime[m] = now;
    this.mChan[m] = chan;
    this.mRt[m] = r;
    this.mInst[m] = inst;
    // A client's message crosses its network to the instance first; a server publish starts there.
    const up = fromClient === 1 && sp.network >= 0 ? this.samplers[sp.network].sample(this.networkRng[r]) : 0;
    if (up > 0) this.push(now + up, m, sp.backbone >= 0 ? S_BACKBONE : S_FANOUT, 0);
    else if (sp.backbone >= 0) this.backbone(m, now);
    else this.fanout(m, now, 0);
  }

  /** The backbone (Redis PUBLISH): one server, first come first served, then its latency to the instances (not queued). */
  private backbone(m: number, now: number): void {
    const r = this.mRt[m];
    const sp = this.specs[r];
    const start = now > this.bbFree[r] ? now : this.bbFree[r];
    const svc = this.samplers[sp.backbone].sample(this.backboneRng[r]);
    this.bbFree[r] = start + svc;
    const done = sp.backboneLatency >= 0 ? start + svc + this.samplers[sp.backboneLatency].sample(this.backboneLatencyRng[r]) : start + svc;
    if (this.measuring) {
      const st = this.stats[r];
      st.backboneWait.record(start - now);
      st.backboneBusy += svc;
    }
    if (sp.backboneRemote >= 0) {
      this.backboneApart(m, start + svc);
      return;
    }
    if (done > now) this.push(done, m, S_FANOUT, 0);
    else this.fanout(m, now, 0);
  }

  /**
   * With a remote_latency: the message reaches each instance after its own delay, the publishing
   * instance's drawn from `latency` and every other's from `remote_latency` (one fan-out event per
   * instance, `extra` = instance index + 1). A server publish has no publishing instance.
   */
  private backboneApart(m: number, served: number): void {
    const r = this.mRt[m];
    const sp = this.specs[r];
    const n = sp.instances, base = this.instBase[r];
    const local = sp.backboneLatency >= 0 ? this.samplers[sp.backboneLatency] : undefined;
    const remote = this.samplers[sp.backboneRemote];
    this.mPending[m] = n;
    for (let i = 0; i < n; i++) {
      const own = base + i === this.mInst[m];
      const delay = own ? (local ? local.sample(this.backboneLatencyRng[r]) : 0) : remote.sample(this.backboneRemoteRng[r]);
      this.push(served + delay, m, S_FANOUT, i + 1);
    }
  }

  /**
   * Every instance with subscribers of the message's channel sends it to them, one after another
   * (only: 0 every instance; i + 1 instance i alone, one of a message's per-instance fan-outs).
   */
  private fanout(m: number, now: number, only: number): void {
    const r = this.mRt[m];
    const sp = this.specs[r];
    const st = this.stats[r];
    const n = sp.instances, base = this.instBase[r];
    const row = this.chanInst[r], off = this.mChan[m] * n;
    const tPub = this.mTime[m];
    const send = this.samplers[sp.send], sendRng = this.sendRng[r];
    const net = sp.network >= 0 ? this.samplers[sp.network] : undefined, netRng = this.networkRng[r];
    const iv = this.ivOf(now);
    if (only === 0 || --this.mPending[m] === 0) this.freeMessage(m);
    const from = only === 0 ? 0 : only - 1, to = only === 0 ? n : only;
    for (let i = from; i < to; i++) {
      const k = row[off + i];
      if (k === 0) continue;
      const g = base + i;
      const start = now > this.iSendFree[g] ? now : this.iSendFree[g];
      const wait = start - now;
      if (wait > sp.sendBuffer) {
        if (this.measuring) st.sendDropped += k;
        continue;
      }
      let t = start;
      for (let j = 0; j < k; j++) {
        t += send.sample(sendRng);
        const down = net ? net.sample(netRng) : 0;
        if (this.measuring) st.delivery.record(t + down - tPub);
      }
      this.iSendFree[g] = t;
      this.work += k;
      st.ivDelivered[iv] += k;
      if (this.measuring) {
        st.delivered += k;
        st.sendWait.record(wait);
        st.sendWaitRecipients += wait * k;
        st.sendBusy += t - start;
      }
      if (sp.messageSize > 0) this.checkMemory(g, now);
    }
  }

  // ---------------------------------------------------------------- bookkeeping

  private ivOf(now: number): number {
    const k = Math.floor(now / this.interval);
    return k < this.nIv ? k : this.nIv - 1;
  }

  /** Integrates the connections held up to now and closes the intervals that ended. */
  private touch(r: number, now: number): void {
    const n = this.liveN[r];
    if (this.measuring) {
      this.stats[r].connectionArea += n * (now - this.lastTouch[r]);
      this.lastTouch[r] = now;
    }
    const cur = Math.min(Math.floor(now / this.interval), this.nIv);
    const iv = this.stats[r].ivConnections;
    while (this.lastIv[r] < cur) iv[this.lastIv[r]++] = n;
  }

  private allocSession(): number {
    let s = this.sFree;
    if (s >= 0) { this.sFree = this.sNext[s]; return s; }
    s = this.sUsed++;
    if (s === this.sRt.length) this.growSessions();
    return s;
  }

  private freeSession(s: number): void {
    this.sGen[s]++;
    this.sNext[s] = this.sFree;
    this.sFree = s;
  }

  private growSessions(): void {
    const cap = this.sRt.length * 2;
    if (cap > MAX_SESSIONS) throw new RangeError(`realtime: more than ${MAX_SESSIONS} sessions alive at once (connected or reconnecting); the model cannot hold them`);
    const i32 = (a: Int32Array) => { const b = new Int32Array(cap); b.set(a); return b; };
    this.sRt = i32(this.sRt); this.sInst = i32(this.sInst); this.sChan = i32(this.sChan); this.sAttempt = i32(this.sAttempt);
    this.sGen = i32(this.sGen); this.sNext = i32(this.sNext); this.sPrev = i32(this.sPrev); this.sLivePos = i32(this.sLivePos);
    const e = new Float64Array(cap); e.set(this.sEnd); this.sEnd = e;
    const v = new Uint8Array(cap); v.set(this.sEver); this.sEver = v;
  }

  private allocMessage(): number {
    let m = this.mFree;
    if (m >= 0) { this.mFree = this.mNext[m]; return m; }
    m = this.mUsed++;
    if (m === this.mTime.length) {
      const cap = m * 2;
      if (cap > MAX_SESSIONS) throw new RangeError(`realtime: more than ${MAX_SESSIONS} messages on their way at once; the backbone cannot keep up (see its utilization)`);
      const t = new Float64Array(cap); t.set(this.mTime); this.mTime = t;
      const c = new Int32Array(cap); c.set(this.mChan); this.mChan = c;
      const rr = new Int32Array(cap); rr.set(this.mRt); this.mRt = rr;
      const mi = new Int32Array(cap); mi.set(this.mInst); this.mInst = mi;
      const mp = new Int32Array(cap); mp.set(this.mPending); this.mPending = mp;
      const x = new Int32Array(cap); x.set(this.mNext); this.mNext = x;
    }
    return m;
  }

  private freeMessage(m: number): void {
    this.mNext[m] = this.mFree;
    this.mFree = m;
  }

  /** Total instances over all realtime components. */
  get instanceCount(): number {
    return this.n;
  }
}
