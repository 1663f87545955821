// The reference app's WebSocket server (one per `realtime` instance): what the simulator's realtime
// kind models, built on `ws`. A client connects to /ws?channel=N and is subscribed to channel N; at
// `maxConnections` open sockets a new upgrade is refused with 503 (the model's refusal, which the
// client backs off from). A text message from a client is published to its channel with the
// publish time stamped (epoch ms, `t`), through Redis pub/sub when `redis` is given (PUBLISH
// rt:<channel>; every instance PSUBSCRIBEs rt:* and delivers to its own subscribers: the model's
// backbone), else to this instance's subscribers only. Each instance sends a message to its
// subscribers one after another (`ws.send` queues in the socket; the model's send queue). A client
// measures delivery latency as receive time - `t` (same host clock). GET /metrics: Prometheus text
// with connections, refused upgrades, messages in and out, memory (RSS, heap).
// Not done yet: the launcher does not start it from a scenario (no HAProxy `mode http` WebSocket
// front, no per-connection memory limit enforcement beyond max connections); see docs/scenario-format.md.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Redis } from "ioredis";
import { WebSocket, WebSocketServer } from "ws";

export interface RealtimeServerOptions {
  readonly host?: string;
  /** 0: any free port. */
  readonly port?: number;
  readonly maxConnections: number;
  /** Redis for the pub/sub between instances (ioredis options); none: this instance only. */
  readonly redis?: { readonly host: string; readonly port: number; readonly password?: string };
  /** This instance's name in metrics and delivered messages. */
  readonly instance: string;
}

export interface RealtimeServer {
  readonly port: number;
  readonly url: string;
  /** Figures since start: open sockets, refused upgrades, messages in, copies sent. */
  stats(): { connections: number; refused: number; messagesIn: number; messagesOut: number };
  /** Drops every connection now (a crash of this instance, as a `crash:` failure). */
  dropAll(): void;
  close(): Promise<void>;
}

/** The envelope every delivered message carries. */
export interface Delivered {
  /** channel */
  readonly ch: number;
  /** publish time, epoch ms */
  readonly t: number;
  /** publishing instance */
  readonly from: string;
  readonly body: string;
}

export async function startRealtimeServer(o: RealtimeServerOptions): Promise<RealtimeServer> {
  const channels = new Map<number, Set<WebSocket>>();
  let refused = 0, messagesIn = 0, messagesOut = 0, open = 0;
  const pub = o.redis ? new Redis({ ...o.redis, lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
  const sub = o.redis ? new Redis({ ...o.redis, lazyConnect: true, maxRetriesPerRequest: 1 }) : null;
  if (pub && sub) {
    await pub.connect();
    await sub.connect();
    await sub.psubscribe("rt:*");
    sub.on("pmessage", (_p, _ch, text) => deliver(text));
  }

  function deliver(text: string): void {
    let msg: Delivered;
    try { msg = JSON.parse(text) as Delivered; } catch { return; }
    const set = channels.get(msg.ch);
    if (!set) return;
    for (const ws of set) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      ws.send(text);
      messagesOut++;
    }
  }

  const wss = new WebSocketServer({ noServer: true });
  const http: Server = createServer((req, res) => {
    if (req.url === "/metrics") {
      const mem = process.memoryUsage();
      const lines = [
        "# HELP headroom_rt_connections Open WebSocket connections", "# TYPE headroom_rt_connections gauge", `headroom_rt_connections{instance="${o.instance}"} ${open}`,
        "# HELP headroom_rt_max_connections Connections this instance accepts", "# TYPE headroom_rt_max_connections gauge", `headroom_rt_max_connections{instance="${o.instance}"} ${o.maxConnections}`,
        "# HELP headroom_rt_refused_total Upgrades refused at max connections", "# TYPE headroom_rt_refused_total counter", `headroom_rt_refused_total{instance="${o.instance}"} ${refused}`,
        "# HELP headroom_rt_messages_in_total Messages published by this instance's clients", "# TYPE headroom_rt_messages_in_total counter", `headroom_rt_messages_in_total{instance="${o.instance}"} ${messagesIn}`,
        "# HELP headroom_rt_messages_out_total Message copies sent to this instance's subscribers", "# TYPE headroom_rt_messages_out_total counter", `headroom_rt_messages_out_total{instance="${o.instance}"} ${messagesOut}`,
        "# HELP headroom_rt_memory_rss_bytes Resident memory of the process", "# TYPE headroom_rt_memory_rss_bytes gauge", `headroom_rt_memory_rss_bytes{instance="${o.instance}"} ${mem.rss}`,
        "# HELP headroom_rt_memory_heap_bytes V8 heap in use", "# TYPE headroom_rt_memory_heap_bytes gauge", `headroom_rt_memory_heap_bytes{instance="${o.instance}"} ${mem.heapUsed}`,
      ];
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(`${lines.join("\n")}\n`);
      return;
    }
    res.writeHead(404).end();
  });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const u = new URL(req.url ?? "/", "http://x");
    const ch = Number(u.searchParams.get("channel") ?? "0");
    if (u.pathname !== "/ws" || !Number.isInteger(ch) || ch < 0) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    if (open >= o.maxConnections) {
      refused++;
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    open++; // counted before the handshake ends, so simultaneous upgrades cannot pass the limit together
    wss.handleUpgrade(req, socket, head, (ws) => {
      let set = channels.get(ch);
      if (!set) channels.set(ch, (set = new Set()));
      set.add(ws);
      ws.on("close", () => { open--; set.delete(ws); });
      ws.on("message", (data) => {
        messagesIn++;
        const text = JSON.stringify({ ch, t: Date.now(), from: o.instance, body: data.toString() } satisfies Delivered);
        if (pub) void pub.publish(`rt:${ch}`, text).catch(() => {});
        else deliver(text);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(o.port ?? 0, o.host ?? "127.0.0.1", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `ws://${o.host ?? "127.0.0.1"}:${port}/ws`,
    stats: () => ({ connections: open, refused, messagesIn, messagesOut }),
    dropAll() {
      for (const c of wss.clients) c.terminate();
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
      sub?.disconnect();
      pub?.disconnect();
    },
  };
}
