// The scenario's load balancer as HAProxy: one frontend on a free port, one backend whose servers
// are the service replicas, with the YAML's algorithm, per-server maxconn, weights, queue timeout
// and HTTP health checks. `nbthread 1` keeps maxconn exact (two threads can let maxconn + 1 through).
import { Effect, Scope } from "effect";
import { mkdir, chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import net from "node:net";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, proc, waitReady } from "../resources.ts";
import type { LbPlan } from "../plan.ts";
import type { Tools } from "../preflight.ts";

export interface HaproxyPart {
  readonly port: number;
  readonly statsSocket: string;
}

const BALANCE: Record<string, string[]> = {
  round_robin: ["balance roundrobin"],
  random: ["balance random(1)"],
  least_connections: ["balance leastconn"],
  power_of_two: ["balance random(2)"],
  consistent_hash: ["balance uri", "hash-type consistent"],
};

const ms = (seconds: number) => `${Math.max(1, Math.round(seconds * 1000))}ms`;

/** HAProxy's largest server weight. */
export const HAPROXY_MAX_WEIGHT = 256;

/**
 * The YAML's weights as HAProxy's integer weights: scaled so the largest is 256, which keeps their
 * ratios to within 1/256 (rounding each to an integer as it stood made [0.5, 1] into 1:1).
 */
export function haproxyWeights(weights: readonly number[]): number[] {
  const top = Math.max(...weights);
  return weights.map((w) => Math.max(1, Math.round((w / top) * HAPROXY_MAX_WEIGHT)));
}

export function haproxyConfig(plan: LbPlan, port: number, backends: readonly number[], statsSocket: string, serviceTimeout: number | undefined): string {
  const weights = plan.weights ? haproxyWeights(backends.map((_, i) => plan.weights![i] ?? 1)) : undefined;
  const servers = backends.map((p, i) => {
    const opts = [`server s${i + 1} 127.0.0.1:${p}`, "check"];
    if (plan.maxconn !== undefined) opts.push(`maxconn ${plan.maxconn}`);
    if (weights) opts.push(`weight ${weights[i]}`);
    return `  ${opts.join(" ")}`;
  });
  return [
    "global",
    "  nbthread 1",
    "  maxconn 4096",
    `  stats socket ${statsSocket} mode 600 level admin`,
    "",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    // Past the service's own timeout, so that the service answers 504 first; a day when it has none.
    `  timeout client ${serviceTimeout !== undefined ? ms(serviceTimeout + 30) : "24h"}`,
    `  timeout server ${serviceTimeout !== undefined ? ms(serviceTimeout + 5) : "24h"}`,
    `  timeout queue ${ms(plan.queueTimeout)}`,
    // the simulator's connect_retries: refused connections retried 1 s apart (min(timeout connect, 1 s))
    `  retries ${plan.connectRetries}`,
    "  option http-keep-alive",
    "",
    "frontend entry",
    `  bind 127.0.0.1:${port}`,
    "  maxconn 4096",
    "  default_backend service",
    "",
    "backend service",
    ...BALANCE[plan.algorithm]!.map((l) => `  ${l}`),
    "  option httpchk GET /healthz",
    `  default-server inter ${ms(plan.health.interval)} rise ${plan.health.rise} fall ${plan.health.fall}`,
    ...servers,
    "",
  ].join("\n");
}

/** Sends one command to HAProxy's runtime socket and returns its answer. */
export function haproxyCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    let out = "";
    s.setEncoding("utf8");
    s.on("data", (d) => (out += d));
    s.on("end", () => resolve(out));
    s.on("error", reject);
    s.setTimeout(2000, () => s.destroy(new Error("haproxy stats socket timed out")));
    s.write(command + "\n");
  });
}

export interface ServerStat {
  readonly name: string;
  readonly status: string;
  /** Requests queued at the balancer for this server. */
  readonly qcur: number;
  /** Sessions in progress on this server. */
  readonly scur: number;
  /** Most sessions ever in progress at once (what maxconn bounds). */
  readonly smax: number;
}

/** Parses `show stat` CSV into the backend's per-server rows plus the BACKEND row. */
export function parseStat(csv: string): ServerStat[] {
  const lines = csv.trim().split("\n");
  const header = (lines[0] ?? "").replace(/^# /, "").split(",");
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).flatMap((line) => {
    const f = line.split(",");
    if (f[col("pxname")] !== "service") return [];
    return [{ name: f[col("svname")]!, status: f[col("status")]!, qcur: Number(f[col("qcur")] || 0), scur: Number(f[col("scur")] || 0), smax: Number(f[col("smax")] || 0) }];
  });
}

export const startHaproxy = (
  plan: LbPlan,
  backends: readonly number[],
  runPath: string,
  tools: Tools,
  serviceTimeout: number | undefined,
): Effect.Effect<HaproxyPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const port = yield* freePort;
    // The admin-level stats socket (it can disable servers) in a dir only the launcher's user enters.
    const sockDir = join(runPath, "state", "haproxy");
    const statsSocket = join(sockDir, "haproxy.sock");
    const cfgPath = join(runPath, "haproxy.cfg");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(sockDir, { recursive: true });
        await chmod(sockDir, 0o700);
        await writeFile(cfgPath, haproxyConfig(plan, port, backends, statsSocket, serviceTimeout));
      },
      catch: (e) => new StartFailed({ part: "haproxy", reason: `cannot prepare ${sockDir}: ${String(e)}` }),
    });
    const p = yield* proc({ name: "haproxy", command: tools.haproxy, args: ["-f", cfgPath, "-db"], logDir: join(runPath, "logs") });
    // Ready when it listens and its health checks see every replica up.
    yield* waitReady("haproxy", p, async () => {
      const stats = parseStat(await haproxyCommand(statsSocket, "show stat"));
      const servers = stats.filter((s) => s.name !== "BACKEND" && s.name !== "FRONTEND");
      return servers.length === backends.length && servers.every((s) => s.status.startsWith("UP"));
    });
    return { port, statsSocket };
  });
