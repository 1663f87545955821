// The `k6/ws` module (k6's WebSocket API, https://grafana.com/docs/k6/latest/javascript-api/k6-ws/):
// `ws.connect(url, params, callback)` opens a socket, calls `callback(socket)` once the handshake is
// done (the script registers its handlers there), fires `open`, and blocks the VU until the socket
// closes; it returns a response with the handshake's status (101, or the refusal's, e.g. 503, with
// `error` set and the callback never called). The socket: on(open | message | close | error | ping |
// pong), send, ping, close, setTimeout, setInterval. Samples, with k6's names and tags (url, status,
// group, scenario and the params' tags): ws_connecting (handshake time), ws_session_duration
// (connect to close), ws_sessions, ws_msgs_sent, ws_msgs_received, ws_ping (ping to pong).
// Not implemented (refused by name): binary messages (sendBinary, `binaryMessage`), compression,
// `jar`, the newer `k6/experimental/websockets`. A handler that throws closes the socket and fails
// the iteration, as in k6; an interrupted VU (gracefulStop) closes its socket at once.
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { InterruptError, type Vu } from "../vu.ts";
import type { Tags } from "../metrics.ts";
import { guard } from "./index.ts";

type Handler = (...args: unknown[]) => void;
type Params = { headers?: Record<string, string>; tags?: Record<string, string>; [k: string]: unknown };
const PARAM_KEYS = new Set(["headers", "tags"]);
const EVENTS = new Set(["open", "message", "close", "error", "ping", "pong"]);

export interface WsResponse {
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly error: string;
}

export function wsModule(vu: Vu): Record<string, unknown> {
  const engine = vu.engine;
  const metrics = () => ({
    sessions: engine.metrics.define("ws_sessions", "counter"),
    connecting: engine.metrics.define("ws_connecting", "trend", "time"),
    duration: engine.metrics.define("ws_session_duration", "trend", "time"),
    sent: engine.metrics.define("ws_msgs_sent", "counter"),
    received: engine.metrics.define("ws_msgs_received", "counter"),
    ping: engine.metrics.define("ws_ping", "trend", "time"),
  });

  function connect(url: string, a?: unknown, b?: unknown): Promise<WsResponse> {
    const params = (typeof a === "function" ? {} : (a ?? {})) as Params;
    const callback = (typeof a === "function" ? a : b) as ((s: unknown) => void) | undefined;
    if (typeof callback !== "function") throw new Error("ws.connect: the last argument must be a function(socket)");
    for (const k of Object.keys(params)) if (!PARAM_KEYS.has(k)) throw new Error(`ws.connect: param '${k}' is not supported by the built-in runner`);
    vu.checkInterrupted();
    const m = metrics();
    const tags: Tags = { ...vu.tags(), ...(params.tags ?? {}), url };
    return new Promise<WsResponse>((resolve, reject) => {
      const start = performance.now();
      const handlers = new Map<string, Handler[]>();
      const timers = new Set<ReturnType<typeof setTimeout>>();
      let status = 0, failure: unknown = null, settled = false, pingAt = 0;
      const sock = new WebSocket(url, { headers: params.headers });
      const done = () => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        clearInterval(watch);
        if (failure) reject(failure);
        else resolve({ url, status, headers: {}, body: "", error: "" });
      };
      const fire = (event: string, ...args: unknown[]) => {
        for (const h of handlers.get(event) ?? []) {
          try {
            h(...args);
          } catch (e) {
            failure ??= e;
            sock.terminate();
          }
        }
      };
      // gracefulStop: an interrupted VU closes its socket now
      const watch = setInterval(() => {
        if (vu.interrupted && !settled) { failure ??= new InterruptError("iteration interrupted"); sock.terminate(); }
      }, 50);
      const socket = guard("socket", {
        on(event: string, h: Handler) {
          if (!EVENTS.has(event)) throw new Error(`socket.on: event '${event}' is not supported by the built-in runner (open, message, close, error, ping, pong)`);
          const list = handlers.get(event);
          if (list) list.push(h); else handlers.set(event, [h]);
        },
        send(data: unknown) {
          if (sock.readyState !== WebSocket.OPEN) return;
          sock.send(String(data));
          engine.metrics.push(m.sent, 1, tags);
        },
        ping() {
          if (sock.readyState !== WebSocket.OPEN) return;
          pingAt = performance.now();
          sock.ping();
        },
        close(code?: number) {
          sock.close(code ?? 1000);
        },
        setTimeout(fn: Handler, ms: number) {
          const t = setTimeout(() => { timers.delete(t); runTimer(fn); }, Number(ms));
          timers.add(t);
        },
        setInterval(fn: Handler, ms: number) {
          const t = setInterval(() => runTimer(fn), Math.max(1, Number(ms)));
          timers.add(t as unknown as ReturnType<typeof setTimeout>);
        },
      });
      const runTimer = (fn: Handler) => {
        try {
          fn();
        } catch (e) {
          failure ??= e;
          sock.terminate();
        }
      };
      sock.on("upgrade", (res) => { status = res.statusCode ?? 101; });
      sock.on("open", () => {
        status ||= 101;
        engine.metrics.push(m.connecting, performance.now() - start, { ...tags, status: String(status) });
        try {
          callback(socket);
        } catch (e) {
          failure ??= e;
          sock.terminate();
          return;
        }
        fire("open");
      });
      sock.on("unexpected-response", (_req, res) => {
        // a refused handshake (e.g. 503 at max connections): no session, the status in the response
        status = res.statusCode ?? 0;
        res.resume();
        settled = true;
        clearInterval(watch);
        sock.terminate();
        resolve({ url, status, headers: {}, body: "", error: `websocket: bad handshake (status ${status})` });
      });
      sock.on("message", (data) => {
        engine.metrics.push(m.received, 1, tags);
        fire("message", data.toString());
      });
      sock.on("ping", () => fire("ping"));
      sock.on("pong", () => {
        if (pingAt > 0) engine.metrics.push(m.ping, performance.now() - pingAt, tags);
        fire("pong");
      });
      sock.on("error", (e) => {
        if (settled) return;
        if (status === 0) {
          // no handshake at all (refused connection): k6 returns the error in the response
          settled = true;
          clearInterval(watch);
          resolve({ url, status: 0, headers: {}, body: "", error: (e as Error).message });
          return;
        }
        fire("error", { error: () => (e as Error).message });
      });
      sock.on("close", () => {
        if (settled) return;
        const t = { ...tags, status: String(status) };
        engine.metrics.push(m.duration, performance.now() - start, t);
        engine.metrics.push(m.sessions, 1, t);
        fire("close");
        done();
      });
    });
  }

  return { connect };
}
