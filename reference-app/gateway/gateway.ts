// The users' resilience gateway: where the reference app carries out `retries` and `circuit_breaker`
// of the service users enter. The model puts those policies on a service's callers, one budget and
// one breaker per called service shared by all of them (docs/scenario-format.md); for the entry
// service the callers are the users, and a k6 script cannot hold one breaker across its VUs. So a
// proxy on 127.0.0.1 stands in front of the entry (the rate-limit gateway, else HAProxy), as an
// edge proxy with retries (Envoy, an API gateway) would, and sends every user's request through one
// ResilientCaller (service/resilience.ts: cockatiel, the model's backoff, budget and breaker):
// each attempt a new request upstream; a 2xx answer is passed back as it came; a failed call
// answers the last attempt's status and body, 504 after a timeout, 503 when short-circuited
// (x-headroom-failure: circuit_open), 502 when upstream could not be reached.
// Trade-offs: request bodies are held in memory to be sent again (at most MAX_BODY, else 413); one
// more hop, whose cost is stated in docs/reference-app.md rather than modeled. The breaker's windows
// are counted from the first user's request (the load's t = 0, as `app up` counts its failures).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { BrokenCircuitError } from "cockatiel";
import { CallTimeoutError, ResilientCaller, type ResilienceSpec } from "../service/resilience.ts";

/** Largest request body the gateway holds for its retries (bytes). */
export const MAX_BODY = 1 << 20;

export interface GatewayOptions {
  /** Base URL of what the users would reach without the gateway (http only). */
  readonly upstream: string;
  /** The entry service: whose retries and breaker these are (and the name of the jitter's random stream). */
  readonly service: string;
  readonly spec: ResilienceSpec;
  readonly seed: number;
}

/** An answer from upstream, whole. */
interface Answer {
  readonly status: number;
  readonly headers: http.OutgoingHttpHeaders;
  readonly body: Buffer;
}

/** An attempt answered with a failure status: carried so the last one goes back to the user as it came. */
class FailedAnswer extends Error {
  constructor(readonly answer: Answer) {
    super(`HTTP ${answer.status}`);
  }
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer", "content-length"]);

function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

export interface Gateway {
  readonly port: number;
  readonly caller: ResilientCaller;
  /** The counts and the breaker's state as /metrics and /_headroom/gateway show them. */
  snapshot(): GatewaySnapshot;
  close(): Promise<void>;
}

export interface GatewaySnapshot {
  readonly service: string;
  readonly counts: ReturnType<ResilientCaller["counts"]>;
  /** The breaker's state and its changes (Date.now(), state entered); absent without a breaker. */
  readonly breaker?: { readonly state: string; readonly openSeconds: number; readonly changes: ReadonlyArray<{ t: number; state: string }> };
}

export async function startGateway(o: GatewayOptions, port: number): Promise<Gateway> {
  const upstream = new URL(o.upstream);
  if (upstream.protocol !== "http:") throw new Error(`the resilience gateway reaches its upstream in plain HTTP, got ${o.upstream}`);
  const caller = new ResilientCaller(o.service, o.spec, o.seed);
  // Pooled connections upstream, as an edge proxy keeps them.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

  const attempt = (method: string, path: string, headers: http.OutgoingHttpHeaders, body: Buffer) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        { host: upstream.hostname, port: upstream.port, method, path, agent, headers: { ...headers, host: upstream.host, "content-length": body.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const answer = { status: res.statusCode ?? 502, headers: endToEnd(res.headers), body: Buffer.concat(chunks) };
            if (answer.status >= 200 && answer.status < 300) resolve(answer);
            else reject(new FailedAnswer(answer));
          });
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });

  const snapshot = (): GatewaySnapshot => {
    const b = caller.breaker;
    return {
      service: o.service,
      counts: caller.counts(),
      ...(b ? { breaker: { state: b.state, openSeconds: b.openTime() / 1000, changes: b.changes } } : {}),
    };
  };

  let begun = false;
  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    if (req.method === "GET" && url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain", "x-headroom-pid": String(process.pid) }).end("ok\n");
      return;
    }
    if (req.method === "GET" && url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(metricsText(snapshot()));
      return;
    }
    if (req.method === "GET" && url === "/_headroom/gateway") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(snapshot()));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on("end", () => {
      if (tooLarge) {
        res.writeHead(413, { "content-type": "text/plain" }).end(`gateway: request body over ${MAX_BODY} bytes\n`);
        return;
      }
      const body = Buffer.concat(chunks);
      const headers = endToEnd(req.headers);
      // The first user's request is the load's t = 0: the breaker's windows count from it, as the model's from its start.
      if (!begun) {
        begun = true;
        caller.breaker?.restartWindows();
      }
      caller.call(() => attempt(req.method ?? "GET", url, headers, body)).then(
        (a) => res.writeHead(a.status, { ...a.headers, "content-length": a.body.length }).end(a.body),
        (e: unknown) => {
          if (e instanceof FailedAnswer) res.writeHead(e.answer.status, { ...e.answer.headers, "content-length": e.answer.body.length }).end(e.answer.body);
          else if (e instanceof BrokenCircuitError) res.writeHead(503, { "content-type": "text/plain", "x-headroom-failure": "circuit_open" }).end(`gateway: ${o.service}'s circuit is open\n`);
          else if (e instanceof CallTimeoutError) res.writeHead(504, { "content-type": "text/plain", "x-headroom-failure": "timeout" }).end(`gateway: ${e.message}\n`);
          else res.writeHead(502, { "content-type": "text/plain" }).end(`gateway: ${e instanceof Error ? e.message : String(e)}\n`);
        },
      );
    });
    req.on("error", () => res.destroy());
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    caller,
    snapshot,
    close: async () => {
      caller.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      agent.destroy();
    },
  };
}

/** The snapshot in Prometheus' text format: one counter per count, the breaker's state and open seconds. */
export function metricsText(s: GatewaySnapshot): string {
  const l = `service="${s.service}"`;
  const c = s.counts;
  const counts: Array<[string, number]> = [
    ["calls", c.calls], ["attempts", c.attempts], ["retries", c.retries], ["budget_denied", c.budgetDenied],
    ["timeouts", c.timeouts], ["short_circuited", c.shortCircuited], ["breaker_opened", c.breakerOpened], ["failed", c.failed],
  ];
  const lines = [
    "# HELP headroom_gateway_resilience_total The users' calls to the entry service through the resilience gateway, by what happened",
    "# TYPE headroom_gateway_resilience_total counter",
    ...counts.map(([what, n]) => `headroom_gateway_resilience_total{${l},what="${what}"} ${n}`),
  ];
  if (s.breaker) {
    lines.push(
      "# HELP headroom_gateway_breaker_open_seconds_total Seconds the entry service's breaker spent open",
      "# TYPE headroom_gateway_breaker_open_seconds_total counter",
      `headroom_gateway_breaker_open_seconds_total{${l}} ${s.breaker.openSeconds}`,
      "# HELP headroom_gateway_breaker_state 1 for the breaker's current state",
      "# TYPE headroom_gateway_breaker_state gauge",
      ...["closed", "open", "half-open"].map((st) => `headroom_gateway_breaker_state{${l},state="${st}"} ${s.breaker!.state === st ? 1 : 0}`),
    );
  }
  return lines.join("\n") + "\n";
}
