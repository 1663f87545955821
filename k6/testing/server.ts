// A local HTTP server with known behaviour for the runner's tests and benchmark: fixed latency,
// optional stalls, JSON echo, paths that never answer (/hang...). Listens on a free loopback port;
// close() releases it, the hanging connections included.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServer {
  url: string;
  port: number;
  requests: number;
  /** Requests per "METHOD path" since start. */
  paths: Map<string, number>;
  /** The User-Agent header of the last request ("" when it had none). */
  lastUserAgent: string;
  /** Delay every response by ms (from now on). */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export async function startTestServer(opts: { latencyMs?: number } = {}): Promise<TestServer> {
  let latency = opts.latencyMs ?? 0;
  const state = { requests: 0, userAgent: "" };
  const paths = new Map<string, number>();
  const body = Buffer.from('{"ok":true}');
  const server: Server = createServer((req, res) => {
    state.requests++;
    state.userAgent = req.headers["user-agent"] ?? "";
    const key = `${req.method} ${req.url}`;
    if (paths.size < 100_000) paths.set(key, (paths.get(key) ?? 0) + 1);
    const respond = () => {
      const u = req.url ?? "/";
      if (u.startsWith("/hang")) return; // accepted, never answered: a stalled target
      if (u.startsWith("/status/")) {
        res.statusCode = Number(u.slice(8)) || 500;
        res.end();
        return;
      }
      if (u === "/redirect") {
        res.statusCode = 302;
        res.setHeader("Location", "/ok");
        res.end();
        return;
      }
      res.setHeader("Content-Type", "application/json");
      res.setHeader("Content-Length", body.length);
      res.end(body);
    };
    req.resume();
    req.on("end", () => (latency > 0 ? setTimeout(respond, latency) : respond()));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    paths,
    get lastUserAgent() {
      return state.userAgent;
    },
    setLatency(ms: number) {
      latency = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
