// The reference app's WebSocket server (one per `realtime` instance): what the simulator's realtime
// kind models, built on `ws`. A client connects to /ws?channel=N and is subscribed to channel N; at
// `maxConnections` open sockets a new upgrade is refused with 503 (the model's refusal, which the
// client backs off from). A text message from a client is published to its channel (after the
// model's `network`, when given, as the way in), through Redis pub/sub when `redis` is given
// (PUBLISH rt:<channel>; every instance PSUBSCRIBEs rt:* and delivers to its own subscribers: the
// model's backbone), else to this instance's subscribers only. Each instance sends a message to its
// subscribers one after another (`ws.send` queues in the socket; the model's send queue), each copy
// after a `network` draw of its own when given (the way out).
// Memory as the model counts it: memoryBase + open connections x memoryPerConnection + copies
// queued in sockets and not yet written x messageSize; past `memory` the instance runs out: every
// connection drops, the listener closes (new connections are refused at the TCP level, so the
// balancer sends them elsewhere) and it listens again `restartAfter` later, empty.
// What it measures (GET /metrics, Prometheus text): connections now and their time integral, refused
// upgrades, messages in and copies out, the time spent in ws.send per copy (the model's `send`),
// the backbone's round trip (PUBLISH -> this instance's own pmessage: the model's `backbone`), the
// server side of delivery (publish -> copy written to the socket), model memory, RSS and heap.
// A client measures delivery latency itself (the body can carry its own send time).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Redis } from "ioredis";
import { WebSocket, WebSocketServer } from "ws";
import { sample, streamFor, type Dist, type Rng } from "../sampler.ts";

export interface RealtimeServerOptions {
  readonly host?: string;
  /** 0: any free port. */
  readonly port?: number;
  readonly maxConnections: number;
  /** Redis for the pub/sub between instances (ioredis options); none: this instance only. */
  readonly redis?: { readonly host: string; readonly port: number; readonly password?: string };
  /** This instance's name in metrics and delivered messages. */
  readonly instance: string;
  /** The model's memory accounting; no `memory`: no limit. */
  readonly memory?: number;
  readonly memoryBase?: number;
  readonly memoryPerConnection?: number;
  readonly messageSize?: number;
  /** Seconds down after running out of memory (default 30). */
  readonly restartAfter?: number;
  /** The model's one-way client <-> instance latency, waited on the way in and on each copy's way out. */
  readonly network?: Dist;
  /** Seeds the network draws (the scenario's seed; the stream is per instance). */
  readonly seed?: number;
}

export interface RealtimeStats {
  connections: number;
  refused: number;
  messagesIn: number;
  messagesOut: number;
  /** Seconds spent in ws.send over every copy (messagesOut of them). */
  sendSeconds: number;
  /** Model memory now, and out-of-memory failures since start. */
  memory: number;
  ooms: number;
}

export interface RealtimeServer {
  readonly port: number;
  readonly url: string;
  /** Figures since start. */
  stats(): RealtimeStats;
  /** Drops every connection now (a crash of this instance, as a `crash:` failure). */
  dropAll(): void;
  close(): Promise<void>;
}

/** The envelope every delivered message carries; times are nowMs() of the process that stamped them. */
export interface Delivered {
  /** channel */
  readonly ch: number;
  /** publish time: when the instance (or service) handed the message to the backbone */
  readonly t: number;
  /** when the publishing instance read the client's message (absent for a server-side publish) */
  readonly rx?: number;
  /** publishing instance (or service) */
  readonly from: string;
  readonly body: string;
  /** added per copy by the instance that sends it: when the backbone gave it the message ... */
  readonly pm?: number;
  /** ... and when it handed this copy to ws.send */
  readonly q?: number;
  /** the instance that sent this copy (its subscriber's) */
  readonly at?: string;
}

/**
 * Milliseconds (fractional, nanosecond resolution) on the machine's monotonic clock
 * (CLOCK_MONOTONIC through process.hrtime): one clock for every process on the machine, so a
 * stamp from a server and one from a client compare directly. Not epoch time. (Each process's
 * performance.timeOrigin + now() is offset from another's by the wall clock's slew between their
 * starts, and Date.now() has 1 ms.)
 */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Bucket bounds (seconds) of the delivery histogram: 50 us to 10 s. */
const BOUNDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/**
 * The backbone's: 10 us x 1.1^k up to 2 s (129 buckets, each 10% wide), fine enough that
 * calibration can rebuild its distribution (quantiles within 5%) for the model's backbone.
 */
export const FINE_BOUNDS = Array.from({ length: 129 }, (_, k) => Number((1e-5 * 1.1 ** k).toPrecision(4)));

/** A cumulative Prometheus histogram, allocation-free per observation. */
class Hist {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[] = BOUNDS) {
    this.counts = new Float64Array(bounds.length + 1);
  }
  observe(s: number): void {
    const BOUNDS = this.bounds;
    let i = 0;
    while (i < BOUNDS.length && s > BOUNDS[i]!) i++;
    this.counts[i]!++;
    this.sum += s;
    this.count++;
  }
  lines(name: string, help: string, instance: string): string[] {
    const out = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    let acc = 0;
    this.bounds.forEach((b, i) => {
      acc += this.counts[i]!;
      out.push(`${name}_bucket{instance="${instance}",le="${b}"} ${acc}`);
    });
    out.push(`${name}_bucket{instance="${instance}",le="+Inf"} ${this.count}`, `${name}_sum{instance="${instance}"} ${this.sum}`, `${name}_count{instance="${instance}"} ${this.count}`);
    return out;
  }
}

export async function startRealtimeServer(o: RealtimeServerOptions): Promise<RealtimeServer> {
  const channels = new Map<number, Set<WebSocket>>();
  let refused = 0, messagesIn = 0, messagesOut = 0, open = 0, queued = 0, sendSeconds = 0, ooms = 0;
  // the time integral of open connections (connection-seconds), closed at every change and scrape
  let area = 0, areaAt = performance.now();
  const touch = () => {
    const t = performance.now();
    area += (open * (t - areaAt)) / 1000;
    areaAt = t;
  };
  const backboneHist = new Hist(FINE_BOUNDS), deliveryHist = new Hist();
  const rng: Rng | undefined = o.network ? streamFor(o.seed ?? 1, `realtime:${o.instance}:network`) : undefined;
  const net = () => (o.network && rng ? sample(o.network, rng) * 1000 : 0);
  const memoryNow = () => (o.memoryBase ?? 0) + open * (o.memoryPerConnection ?? 0) + queued * (o.messageSize ?? 0);
  let down = false;
  let closing = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const t = setTimeout(() => (timers.delete(t), f()), ms);
    timers.add(t);
  };

  const pub = o.redis ? new Redis({ ...o.redis, lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
  const sub = o.redis ? new Redis({ ...o.redis, lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
  pub?.on("error", () => {});
  sub?.on("error", () => {});
  if (pub && sub) {
    await pub.connect();
    await sub.connect();
    await sub.psubscribe("rt:*");
    sub.on("pmessage", (_p, _ch, text) => deliver(text));
  }

  /**
   * Sends one message's copies to `list` one after another, timing the sends (the model's `send`).
   * `head` is the envelope without its closing brace: each copy ends with its own hand-off stamp
   * `q`, so a client can split its delivery time into the stages (see Delivered).
   */
  function sendTo(list: Iterable<WebSocket>, head: string, t: number): void {
    const t0 = performance.now();
    let k = 0;
    for (const ws of list) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      queued++;
      ws.send(`${head},"q":${nowMs()}}`, () => {
        queued--;
        deliveryHist.observe(Math.max(0, nowMs() - t) / 1000);
      });
      k++;
    }
    sendSeconds += (performance.now() - t0) / 1000;
    messagesOut += k;
    if (k > 0) checkMemory();
  }

  function deliver(text: string): void {
    if (down) return;
    const pm = nowMs();
    let msg: Delivered;
    try { msg = JSON.parse(text) as Delivered; } catch { return; }
    if (pub && msg.from === o.instance) backboneHist.observe(Math.max(0, pm - msg.t) / 1000);
    const set = channels.get(msg.ch);
    if (!set || set.size === 0) return;
    const head = `${text.slice(0, text.lastIndexOf("}"))},"pm":${pm},"at":${JSON.stringify(o.instance)}`;
    if (!o.network) sendTo(set, head, msg.t);
    // each copy crosses the network on its own draw, after the instance sent it
    else for (const ws of set) later(net(), () => sendTo([ws], head, msg.t));
  }

  /** Past the model's memory the instance fails: connections dropped, listener closed, back `restartAfter` later. */
  function checkMemory(): void {
    if (o.memory === undefined || down || memoryNow() <= o.memory) return;
    ooms++;
    down = true;
    for (const c of wss.clients) c.terminate();
    http.close(() => {
      if (closing) return;
      later((o.restartAfter ?? 30) * 1000, () => {
        if (closing) return;
        down = false;
        queued = 0;
        http.listen(port, host);
      });
    });
    http.closeAllConnections();
  }

  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "x-headroom-pid": String(process.pid) }).end("ok\n");
      return;
    }
    if (req.url === "/metrics") {
      touch();
      const mem = process.memoryUsage();
      const i = `instance="${o.instance}"`;
      const one = (name: string, type: string, help: string, v: number) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${i}} ${v}`];
      const lines = [
        ...one("headroom_rt_connections", "gauge", "Open WebSocket connections", open),
        ...one("headroom_rt_connection_seconds_total", "counter", "Time integral of open connections (connection-seconds)", area),
        ...one("headroom_rt_max_connections", "gauge", "Connections this instance accepts", o.maxConnections),
        ...one("headroom_rt_refused_total", "counter", "Upgrades refused at max connections", refused),
        ...one("headroom_rt_messages_in_total", "counter", "Messages published by this instance's clients", messagesIn),
        ...one("headroom_rt_messages_out_total", "counter", "Message copies sent to this instance's subscribers", messagesOut),
        ...one("headroom_rt_send_seconds_total", "counter", "Seconds spent in ws.send over every copy sent", sendSeconds),
        ...one("headroom_rt_queued_copies", "gauge", "Copies handed to sockets and not yet written", queued),
        ...one("headroom_rt_memory_model_bytes", "gauge", "Memory as the model counts it (base + connections + queued copies)", memoryNow()),
        ...one("headroom_rt_out_of_memory_total", "counter", "Times the model memory passed the limit (every connection dropped)", ooms),
        ...one("headroom_rt_memory_rss_bytes", "gauge", "Resident memory of the process", mem.rss),
        ...one("headroom_rt_memory_heap_bytes", "gauge", "V8 heap in use", mem.heapUsed),
        ...backboneHist.lines("headroom_rt_backbone_seconds", "PUBLISH to this instance's own pmessage, per message it published", o.instance),
        ...deliveryHist.lines("headroom_rt_delivery_seconds", "Publish to the copy written to the socket, per copy", o.instance),
      ];
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
      return;
    }
    res.writeHead(404).end();
  });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const u = new URL(req.url ?? "/", "http://x");
    const chText = u.searchParams.get("channel") ?? "0";
    const ch = Number(chText);
    if (u.pathname !== "/ws" || !/^\d{1,9}$/.test(chText)) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    if (down || open >= o.maxConnections) {
      refused++;
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    touch();
    open++; // counted before the handshake ends, so simultaneous upgrades cannot pass the limit together
    wss.handleUpgrade(req, socket, head, (ws) => {
      let set = channels.get(ch);
      if (!set) channels.set(ch, (set = new Set()));
      set.add(ws);
      ws.on("close", () => { touch(); open--; set.delete(ws); });
      ws.on("error", () => {});
      ws.on("message", (data) => {
        if (down) return;
        const rx = nowMs();
        messagesIn++;
        const body = data.toString();
        const publish = () => {
          const text = JSON.stringify({ ch, t: nowMs(), rx, from: o.instance, body } satisfies Delivered);
          if (pub) void pub.publish(`rt:${ch}`, text).catch(() => {});
          else deliver(text);
        };
        if (o.network) later(net(), publish);
        else publish();
      });
      checkMemory();
    });
  });
  const host = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(o.port ?? 0, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `ws://${host}:${port}/ws`,
    stats: () => ({ connections: open, refused, messagesIn, messagesOut, sendSeconds, memory: memoryNow(), ooms }),
    dropAll() {
      for (const c of wss.clients) c.terminate();
    },
    async close() {
      closing = true;
      for (const t of timers) clearTimeout(t);
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((r) => (http.listening ? http.close(() => r()) : r()));
      sub?.disconnect();
      pub?.disconnect();
    },
  };
}
