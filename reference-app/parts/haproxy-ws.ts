// The WebSocket front of a realtime component: an HAProxy of its own in `mode http` that passes the
// upgrade to one of the instances and then holds the tunnel (`timeout tunnel`: a session lives as
// long as its user, far past any request timeout). The model's balance rule picks the instance
// (least_connections -> leastconn, which counts open tunnels; round_robin; random), and each
// server's `maxconn` is the model's max_connections, so HAProxy skips a full instance as the
// model's balancer does and, with every instance full, refuses at once (503 after a 1 ms queue
// timeout) as the model refuses. A crashed or out-of-memory instance stops listening: health checks
// with `observe layer4` mark it down on the first refused connection and `option redispatch` sends
// that connection to another instance (the model's balancer sees a failure at once).
import { Effect, Scope } from "effect";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, waitReady } from "../resources.ts";
import type { RealtimePlan } from "../plan.ts";
import type { Tools } from "../preflight.ts";
import { haproxyCommand, isUp, launchHaproxy, parseStat } from "./haproxy.ts";

const BALANCE: Record<RealtimePlan["balance"], string> = {
  least_connections: "leastconn",
  round_robin: "roundrobin",
  random: "random(1)",
};

/** The backend's name in `show stat`. */
export const WS_BACKEND = "realtime";

/** HAProxy's maxconn for the pool: every connection slot plus room for health checks and scrapes. */
export const wsMaxconn = (rt: RealtimePlan): number => rt.instances * rt.maxConnections + 256;

/**
 * The open files HAProxy asks for at start: two a connection (client side and server side) plus
 * its listeners and checks (it refused 40,541 for maxconn 20,256: 2 x maxconn + 29).
 */
export const wsFrontFiles = (rt: RealtimePlan): number => 2 * wsMaxconn(rt) + 64;

export function wsHaproxyConfig(rt: RealtimePlan, port: number, backends: readonly number[], statsSocket: string): string {
  // every connection is a frontend session and a server session: room for all of them plus checks
  const maxconn = wsMaxconn(rt);
  return [
    "global",
    "  nbthread 1",
    `  maxconn ${maxconn}`,
    `  stats socket ${statsSocket} mode 600 level admin`,
    "",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    // an upgraded connection is a tunnel: it lives as long as the session does
    "  timeout tunnel 24h",
    // every instance full: refused at once, as the model refuses
    "  timeout queue 1ms",
    "  retries 3",
    "  option redispatch 1",
    "",
    "frontend ws",
    `  bind 127.0.0.1:${port}`,
    `  maxconn ${maxconn}`,
    `  default_backend ${WS_BACKEND}`,
    "",
    `backend ${WS_BACKEND}`,
    `  balance ${BALANCE[rt.balance]}`,
    "  option httpchk GET /healthz",
    "  default-server inter 500ms fastinter 200ms rise 1 fall 1 observe layer4 error-limit 1 on-error mark-down",
    ...backends.map((p, i) => `  server r${i + 1} 127.0.0.1:${p} check maxconn ${rt.maxConnections}`),
    "",
  ].join("\n");
}

export interface WsHaproxyPart {
  readonly port: number;
  readonly statsSocket: string;
}

export const startWsHaproxy = (rt: RealtimePlan, backends: readonly number[], runPath: string, tools: Tools): Effect.Effect<WsHaproxyPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const label = `haproxy-${rt.name}`;
    const port = yield* freePort;
    const { statsSocket, p } = yield* launchHaproxy(label, runPath, tools, (socket) => wsHaproxyConfig(rt, port, backends, socket));
    // Ready when it listens and its checks see every instance up.
    yield* waitReady(label, p, async () => {
      const servers = parseStat(await haproxyCommand(statsSocket, "show stat"), WS_BACKEND).filter((s) => s.name !== "BACKEND" && s.name !== "FRONTEND");
      return servers.length === backends.length && servers.every((s) => isUp(s.status));
    });
    return { port, statsSocket };
  });
