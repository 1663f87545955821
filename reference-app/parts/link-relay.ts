// A component's egress link (`bandwidth`) in the reference app: a TCP relay on the component's
// path whose messages cross a link exactly as the model's do. The model (simulator/engine/links.ts,
// docs/scenario-format.md "Payloads and bandwidth") makes each request or response one transfer,
// taken whole from its sender (store and forward: a balancer's link starts after the backend's has
// finished), served by an exact processor-sharing server of C bytes/s: n transfers in flight get
// C/n each. The relay does that with the model's own PS server (LinkRuntime) run on the real
// clock: an HTTP message (http-framer.ts), on a cache's route a Redis command or reply
// (resp-framer.ts), on a database's a query or its answer (pg-framer.ts), enters the link once its last byte reached the relay,
// and is written on, whole, at the moment the PS server says its last byte is through. Each
// direction of a connection sends its messages one after another (a connection is a FIFO byte
// stream), and several routes may share one link (a balancer's link carries its answers to the
// users and its requests to every backend replica).
// Why not the kernel: tc's tbf/htb work in a namespace here, but they are FIFO token buckets
// shaping TCP segments (TCP's own slow start and uneven shares between flows on top, none of which
// the model has), and need the parts moved into namespaces. Why not the byte-level shaper that
// was here before (link-shaper.ts, removed): it streamed bytes in 2 ms grants, so a transfer was
// neither the model's (a whole message, store and forward) nor shorter than a tick (a 40 kB
// answer takes 0.32 ms at 1 Gbit/s).
// Timing: a Node timer wakes the relay FINE_MS before a completion and a precise sleep
// (Atomics.wait, fractional ms, no CPU) covers the rest, as regions/relay.ts does.
// What it trades: the relay's event loop is in the path (a busy machine releases late: measured
// and reported as meanLateMs); the HTTP heads cross the link too (a real link carries them; the
// model counts only the sizes: ~200 B a message); a message is held whole, so memory per message.
import net from "node:net";
import { LinkRuntime } from "../../simulator/engine/links.ts";
import { HttpFramer, type FramerSink } from "./http-framer.ts";
import { RespFramer, type StreamFramer } from "./resp-framer.ts";
import { PgFramer, pgSession } from "./pg-framer.ts";

/** How long before a completion the relay stops trusting Node's timer and sleeps precisely, ms. */
export const FINE_MS = 1.5;
/** Bytes a direction holds before it pauses its source (TCP's window takes the rest). */
const HIGH_WATER = 8 * 1024 * 1024;
/** What Atomics.wait sleeps on: nobody notifies it, so each wait lasts its timeout. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

export interface LinkDef {
  readonly name: string;
  readonly bytesPerSecond: number;
}

export interface LinkRoute {
  readonly name: string;
  readonly listenHost: string;
  /** 0: any free port. */
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  /** The link (index in the links) requests towards the target cross; -1: none, forwarded at once. */
  readonly up: number;
  /** The link the target's answers cross; -1: none. */
  readonly down: number;
  /**
   * What the route's connections speak, so its messages are framed whole: HTTP/1.x (http-framer.ts:
   * balancers and services; the default), Redis's RESP (resp-framer.ts: a cache) or PostgreSQL's
   * protocol 3.0 (pg-framer.ts: a database's answer to a query, up to its ReadyForQuery).
   */
  readonly protocol?: "http" | "resp" | "pg";
}

export interface LinkReport {
  readonly name: string;
  readonly bytesPerSecond: number;
  /** Seconds since the relay started or the last reset. */
  readonly seconds: number;
  readonly transfers: number;
  readonly bytes: number;
  /** Share of the time with at least one transfer in flight (the model's link.utilization). */
  readonly utilization: number;
  /** Mean transfers in flight. */
  readonly inFlight: number;
  readonly meanTransferMs: number;
  /** Mean of how late a completion was released past its moment (what the relay's timing adds). */
  readonly meanLateMs: number;
  /**
   * Cumulative since the start or the last reset, so a window is the difference of two reports
   * (validation/measure.ts): seconds with a transfer in flight, and of the messages that entered
   * the link, their count, their bytes less their HTTP heads (or the framing around Redis's values
   * and PostgreSQL's row values: the sizes the model counts) and the
   * sum of those squared (the sizes' spread, for the sampling error), and their heads' bytes.
   */
  readonly busySeconds: number;
  readonly messages: number;
  readonly bodyBytes: number;
  readonly bodySquares: number;
  readonly headBytes: number;
  /**
   * Of the messages that entered the link: those that first waited behind an earlier message of
   * their own connection and direction (a connection is a FIFO byte stream: head-of-line), and the
   * seconds they waited so, cumulative as above. Zero when no connection carries two messages of a
   * direction at once (HTTP/1.1 without pipelining, a connection per query in flight).
   */
  readonly behind: number;
  readonly behindSeconds: number;
}

const now = () => performance.now() / 1000;

interface Item {
  readonly parts: Buffer[];
  readonly bytes: number;
  /** Of which its HTTP head. */
  readonly head: number;
  /** Passes unframed (a tunnel's bytes): no link, just order. */
  readonly free: boolean;
  /** When its last byte reached the relay, s; NaN: nothing was ahead of it on its direction. */
  readonly queuedAt: number;
  /** When its last byte reached the relay, s (for the exchange trace; NaN when there is none). */
  readonly at: number;
}

/** A framed message's way through a direction, for the exchange trace: arrived whole, written on. */
export type MessageTrace = (arrivedAt: number, sentAt: number, bytes: number, head: number) => void;

/**
 * The links of one relay process: the model's PS servers on the real clock, one timer for all.
 * Also the region relay's links between regions (regions/relay.ts).
 */
export class Links {
  readonly rt: LinkRuntime;
  private readonly owner = new Map<number, Direction>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private timerAt = Infinity;
  private epoch: number;
  private readonly late: Float64Array;
  private readonly released: Float64Array;
  /** Per link, of the messages that entered it: count, body bytes, body bytes squared, head bytes. */
  private readonly entered: Float64Array;
  private readonly body: Float64Array;
  private readonly bodySq: Float64Array;
  private readonly heads: Float64Array;
  /** Per link, messages that waited behind their own connection's earlier one, and the seconds they waited. */
  private readonly behind: Float64Array;
  private readonly behindSeconds: Float64Array;

  constructor(readonly defs: readonly LinkDef[]) {
    for (const d of defs) if (!(d.bytesPerSecond > 0)) throw new Error(`link ${d.name}: a capacity above 0 bytes/s is needed, got ${d.bytesPerSecond}`);
    this.rt = new LinkRuntime(defs.map((d, i) => ({ component: i, name: d.name, capacity: d.bytesPerSecond })));
    this.late = new Float64Array(defs.length);
    this.released = new Float64Array(defs.length);
    this.entered = new Float64Array(defs.length);
    this.body = new Float64Array(defs.length);
    this.bodySq = new Float64Array(defs.length);
    this.heads = new Float64Array(defs.length);
    this.behind = new Float64Array(defs.length);
    this.behindSeconds = new Float64Array(defs.length);
    this.epoch = now();
  }

  /**
   * Direction d's message of `bytes` (`head` of them its HTTP head) enters link l now; `queuedAt`:
   * when it reached the relay behind an earlier message of d (NaN: it did not wait).
   */
  start(l: number, d: Direction, bytes: number, head: number, queuedAt = NaN): void {
    const b = bytes - head;
    if (!Number.isNaN(queuedAt)) {
      this.behind[l]++;
      this.behindSeconds[l] += now() - queuedAt;
    }
    this.entered[l]++;
    this.body[l] += b;
    this.bodySq[l] += b * b;
    this.heads[l] += head;
    const id = this.nextId++;
    this.owner.set(id, d);
    this.rt.start(l, id, bytes, now());
    this.arm();
  }

  /** (Re)sets the one timer to the earliest pending completion; a near one fires on the next turn. */
  private arm(): void {
    if (this.immediate) return; // fire() runs soon and re-arms
    let at = Infinity;
    for (let l = 0; l < this.defs.length; l++) at = Math.min(at, this.rt.pending[l]!);
    if (at === this.timerAt && this.timer) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    const waitMs = (at - now()) * 1000;
    if (waitMs > FINE_MS) this.timer = setTimeout(this.onTimer, waitMs - FINE_MS);
    else this.immediate = setImmediate(this.onTimer);
  }

  private readonly onTimer = (): void => this.fire();

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.timerAt = Infinity;
    for (;;) {
      let at = Infinity;
      for (let l = 0; l < this.defs.length; l++) at = Math.min(at, this.rt.pending[l]!);
      if (at === Infinity) return;
      const waitMs = (at - now()) * 1000;
      if (waitMs > FINE_MS) {
        this.arm();
        return;
      }
      if (waitMs > 0) Atomics.wait(SLEEPER, 0, 0, waitMs);
      const t = now();
      for (let l = 0; l < this.defs.length; l++) {
        const due = this.rt.pending[l]!;
        if (due > t) continue;
        const k = this.rt.complete(l, t, true);
        for (let i = 0; i < k; i++) {
          const id = this.rt.done[i]!;
          const d = this.owner.get(id);
          this.owner.delete(id);
          this.late[l] += t - due;
          this.released[l]++;
          d?.released();
        }
        this.rt.schedule(l, t, true);
      }
    }
  }

  report(): LinkReport[] {
    const t = now();
    return this.defs.map((d, l) => {
      this.rt.advance(l, t);
      const st = this.rt.stats[l]!;
      const seconds = t - this.epoch;
      return {
        name: d.name,
        bytesPerSecond: d.bytesPerSecond,
        seconds,
        transfers: st.completions,
        bytes: st.bytes,
        utilization: seconds > 0 ? st.busyArea / seconds : 0,
        inFlight: seconds > 0 ? st.flightArea / seconds : 0,
        meanTransferMs: st.completions > 0 ? st.transfer.mean() * 1000 : 0,
        meanLateMs: this.released[l]! > 0 ? (this.late[l]! / this.released[l]!) * 1000 : 0,
        busySeconds: st.busyArea,
        messages: this.entered[l]!,
        bodyBytes: this.body[l]!,
        bodySquares: this.bodySq[l]!,
        headBytes: this.heads[l]!,
        behind: this.behind[l]!,
        behindSeconds: this.behindSeconds[l]!,
      };
    });
  }

  /** Statistics restart now (a measurement window opens). */
  reset(): void {
    const t = now();
    this.rt.startMeasuring(t);
    for (const st of this.rt.stats) st.transfer.reset();
    this.late.fill(0);
    this.released.fill(0);
    this.entered.fill(0);
    this.body.fill(0);
    this.bodySq.fill(0);
    this.heads.fill(0);
    this.behind.fill(0);
    this.behindSeconds.fill(0);
    this.epoch = t;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.owner.clear();
  }
}

/** Where a direction writes its messages: the other socket, or the region relay's delay line. */
export interface MessageOut {
  cork(): void;
  write(b: Buffer): unknown;
  uncork(): void;
  end(): unknown;
  readonly writableEnded: boolean;
}

/** One direction of one connection: framed messages, each across the link (if any) in turn. */
export class Direction implements FramerSink {
  private readonly items: Item[] = [];
  private held = 0;
  private inLink = false;
  private ended = false;
  dead = false;

  constructor(
    private readonly links: Links,
    private readonly link: number,
    private readonly src: net.Socket,
    private readonly dst: MessageOut,
    private readonly trace?: MessageTrace,
  ) {}

  message(parts: Buffer[], bytes: number, headBytes: number): void {
    const waits = this.link >= 0 && (this.inLink || this.items.length > 0);
    const t = waits || this.trace ? now() : NaN;
    this.enqueue({ parts, bytes, head: headBytes, free: this.link < 0, queuedAt: waits ? t : NaN, at: this.trace ? t : NaN });
  }

  passthrough(chunk: Buffer): void {
    this.enqueue({ parts: [chunk], bytes: chunk.length, head: 0, free: true, queuedAt: NaN, at: NaN });
  }

  end(): void {
    this.ended = true;
    this.next();
  }

  /** The link says the head message's last byte is through. */
  released(): void {
    this.inLink = false;
    if (this.dead) return;
    this.write(this.items.shift()!);
    this.next();
  }

  private enqueue(item: Item): void {
    if (this.dead) return;
    this.items.push(item);
    this.held += item.bytes;
    if (this.held > HIGH_WATER && !this.src.isPaused()) this.src.pause();
    this.next();
  }

  private next(): void {
    if (this.inLink || this.dead) return;
    while (this.items.length > 0 && this.items[0]!.free) this.write(this.items.shift()!);
    if (this.items.length > 0) {
      this.inLink = true;
      const first = this.items[0]!;
      this.links.start(this.link, this, first.bytes, first.head, first.queuedAt);
    } else if (this.ended && !this.dst.writableEnded) this.dst.end();
  }

  private write(item: Item): void {
    this.held -= item.bytes;
    // corked: the parts leave in one writev, not copied into one buffer first
    this.dst.cork();
    for (const p of item.parts) this.dst.write(p);
    this.dst.uncork();
    if (this.trace && !Number.isNaN(item.at)) this.trace(item.at, now(), item.bytes, item.head);
    if (this.held <= HIGH_WATER / 2 && this.src.isPaused()) this.src.resume();
  }
}

export interface RunningLinkRelay {
  /** The port each route listens on, in the routes' order. */
  readonly ports: readonly number[];
  report(): LinkReport[];
  reset(): void;
  close(): Promise<void>;
}

/** A connection's two framers, requests then answers, for what the route speaks. */
function framers(protocol: "http" | "resp" | "pg", up: FramerSink, down: FramerSink): [StreamFramer, StreamFramer] {
  if (protocol === "resp") return [new RespFramer("request", up), new RespFramer("response", down)];
  if (protocol === "pg") {
    const session = pgSession(); // an encryption answer and a Flush concern both directions
    return [new PgFramer("request", up, session), new PgFramer("response", down, session)];
  }
  const methods: string[] = []; // shared: a HEAD's answer has no body
  return [new HttpFramer("request", up, methods), new HttpFramer("response", down, methods)];
}

/**
 * One request and its answer through a route, on the relay's clock (s): when the request was whole
 * at the relay and written on, when the answer was whole and written on (after its link and any wait
 * behind its connection's earlier answer), the answer's bytes and head. `conn` numbers the route's
 * connections. A diagnostic (link-relay-main.ts writes them when HEADROOM_LINK_TRACE names a file).
 */
export interface Exchange {
  readonly route: string;
  readonly conn: number;
  readonly requestIn: number;
  readonly requestOut: number;
  readonly answerIn: number;
  readonly answerOut: number;
  readonly answerBytes: number;
  readonly answerHead: number;
}

/** Listens on every route; each connection's messages cross the route's links as the model's transfers. */
export async function startLinkRelay(links: readonly LinkDef[], routes: readonly LinkRoute[], onExchange?: (e: Exchange) => void): Promise<RunningLinkRelay> {
  let conns = 0;
  const shared = new Links(links);
  const sockets = new Set<net.Socket>();
  const servers: net.Server[] = [];
  for (const r of routes) {
    for (const l of [r.up, r.down]) if (l < -1 || l >= links.length || !Number.isInteger(l)) throw new Error(`route ${r.name}: no link ${l}`);
    const server = net.createServer((client) => {
      const upstream = net.connect(r.targetPort, r.targetHost);
      sockets.add(client);
      sockets.add(upstream);
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      const conn = ++conns;
      const asked: number[] = []; // requests written on and not answered yet: in, out, in, out...
      const up = new Direction(shared, r.up, client, upstream, onExchange && ((i, o) => void asked.push(i, o)));
      const down = new Direction(shared, r.down, upstream, client, onExchange && ((i, o, bytes, head) => {
        const requestIn = asked.shift() ?? NaN, requestOut = asked.shift() ?? NaN;
        onExchange({ route: r.name, conn, requestIn, requestOut, answerIn: i, answerOut: o, answerBytes: bytes, answerHead: head });
      }));
      const [upFrames, downFrames] = framers(r.protocol ?? "http", up, down);
      client.on("data", (b: Buffer) => upFrames.push(b));
      upstream.on("data", (b: Buffer) => downFrames.push(b));
      client.on("end", () => (upFrames.end(), up.end()));
      upstream.on("end", () => (downFrames.end(), down.end()));
      // an error ends both sides at once; what they had in the link is dropped when it comes through
      const fail = () => {
        up.dead = true;
        down.dead = true;
        client.destroy();
        upstream.destroy();
      };
      client.on("error", fail).on("close", () => sockets.delete(client));
      upstream.on("error", fail).on("close", () => sockets.delete(upstream));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(r.listenPort, r.listenHost, () => resolve());
    });
    servers.push(server);
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    report: () => shared.report(),
    reset: () => shared.reset(),
    close: async () => {
      shared.close();
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
