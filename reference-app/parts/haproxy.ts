// The scenario's load balancer as HAProxy: one frontend on a free port, one backend whose servers
// are the service replicas, with the YAML's algorithm, per-server maxconn, weights, queue timeout
// and HTTP health checks (when the YAML asks for them). `nbthread 1` keeps maxconn exact (two threads can let maxconn + 1 through).
// An auto-scaled pool has one server per place up to its maximum; the places not running at the
// start are `disabled` (maintenance) until the scaler enables them through the stats socket.
// A balancer with the YAML's `tls` terminates TLS on its frontend with the run's certificate
// (parts/tls-cert.ts); without resumption its session cache and tickets are off.
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

/** The HAProxy server name of replica place i (from 1), as the stats socket and `show stat` name it. */
export const serverName = (i: number) => `s${i}`;

export function haproxyConfig(
  plan: LbPlan,
  port: number,
  backends: readonly number[],
  statsSocket: string,
  serviceTimeout: number | undefined,
  enabled: number = backends.length,
  /** The run's certificate + key (one PEM) when the balancer terminates TLS (plan.tls). */
  certPem?: string,
): string {
  if (plan.tls && !certPem) throw new Error(`balancer ${plan.name}: its YAML asks for TLS but no certificate was made`);
  const tls = plan.tls && certPem ? plan.tls : undefined;
  const weights = plan.weights ? haproxyWeights(backends.map((_, i) => plan.weights![i] ?? 1)) : undefined;
  const servers = backends.map((p, i) => {
    // Without the YAML's health_check no server is checked: as in the simulator, a dead replica keeps getting requests (refused).
    const opts = [`server ${serverName(i + 1)} 127.0.0.1:${p}`, ...(plan.health ? ["check"] : [])];
    if (plan.maxconn !== undefined) opts.push(`maxconn ${plan.maxconn}`);
    if (weights) opts.push(`weight ${weights[i]}`);
    if (i >= enabled) opts.push("disabled");
    return `  ${opts.join(" ")}`;
  });
  return [
    "global",
    "  nbthread 1",
    "  maxconn 4096",
    `  stats socket ${statsSocket} mode 600 level admin`,
    // no resumption: no session cache (so no stateful resumption, TLS 1.2 ids or 1.3 PSKs) and no tickets
    ...(tls && !tls.resumption ? ["  tune.ssl.cachesize 0"] : []),
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
    tls ? `  bind 127.0.0.1:${port} ssl crt ${certPem}${tls.resumption ? "" : " no-tls-tickets"} alpn http/1.1` : `  bind 127.0.0.1:${port}`,
    "  maxconn 4096",
    "  default_backend service",
    "",
    "backend service",
    ...BALANCE[plan.algorithm]!.map((l) => `  ${l}`),
    ...(plan.health ? ["  option httpchk GET /healthz", `  default-server inter ${ms(plan.health.interval)} rise ${plan.health.rise} fall ${plan.health.fall}`] : []),
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

/**
 * One HAProxy process of the run, every kind of it (balancer, WebSocket front, geo router): its
 * admin-level stats socket (it can disable servers) in a directory only the launcher's user enters
 * (state/<label>, 0700), its config written from `config(statsSocket)`, then HAProxy in the
 * foreground under the run's scope. Readiness is the caller's: each kind knows its servers.
 */
export const launchHaproxy = (label: string, runPath: string, tools: Tools, config: (statsSocket: string) => string) =>
  Effect.gen(function* () {
    const sockDir = join(runPath, "state", label);
    const statsSocket = join(sockDir, "haproxy.sock");
    const cfgPath = join(runPath, `${label}.cfg`);
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(sockDir, { recursive: true });
        await chmod(sockDir, 0o700);
        await writeFile(cfgPath, config(statsSocket));
      },
      catch: (e) => new StartFailed({ part: label, reason: `cannot prepare ${sockDir}: ${String(e)}` }),
    });
    const p = yield* proc({ name: label, command: tools.haproxy, args: ["-f", cfgPath, "-db"], logDir: join(runPath, "logs") });
    return { statsSocket, p };
  });

/** Parses `show stat` CSV into the backend's per-server rows plus the BACKEND row. */
export function parseStat(csv: string, backend = "service"): ServerStat[] {
  const lines = csv.trim().split("\n");
  const header = (lines[0] ?? "").replace(/^# /, "").split(",");
  const col = (name: string) => header.indexOf(name);
  return lines.slice(1).flatMap((line) => {
    const f = line.split(",");
    if (f[col("pxname")] !== backend) return [];
    return [{ name: f[col("svname")]!, status: f[col("status")]!, qcur: Number(f[col("qcur")] || 0), scur: Number(f[col("scur")] || 0), smax: Number(f[col("smax")] || 0) }];
  });
}

/** HAProxy's byte counters so far: the entry frontend's (from and to the clients) and the backend's (to and from the servers). */
export interface HaproxyBytes {
  readonly feIn: number;
  readonly feOut: number;
  readonly beIn: number;
  readonly beOut: number;
}

/** Reads the entry balancer's byte counters (`bin`/`bout` of `entry/FRONTEND` and `<backend>/BACKEND` in `show stat`). */
export async function haproxyBytes(socket: string, backend = "service"): Promise<HaproxyBytes> {
  const csv = await haproxyCommand(socket, "show stat");
  const lines = csv.trim().split("\n");
  const header = (lines[0] ?? "").replace(/^# /, "").split(",");
  const col = (name: string) => header.indexOf(name);
  const row = (px: string, sv: string) => {
    const f = lines.map((l) => l.split(",")).find((r) => r[col("pxname")] === px && r[col("svname")] === sv);
    if (!f) throw new Error(`no ${px}/${sv} in HAProxy's show stat`);
    return { bin: Number(f[col("bin")]), bout: Number(f[col("bout")]) };
  };
  const fe = row("entry", "FRONTEND"), be = row(backend, "BACKEND");
  return { feIn: fe.bin, feOut: fe.bout, beIn: be.bin, beOut: be.bout };
}

export const startHaproxy = (
  plan: LbPlan,
  backends: readonly number[],
  runPath: string,
  tools: Tools,
  serviceTimeout: number | undefined,
  enabled: number = backends.length,
  /** Names its files and process: "haproxy" for the entry balancer, "haproxy-<name>" for one between services. */
  label = "haproxy",
  /** Its port when the caller took it already (services that call through it must know it first). */
  givenPort?: number,
  /** The run's certificate + key PEM when it terminates TLS (plan.tls; parts/tls-cert.ts). */
  certPem?: string,
): Effect.Effect<HaproxyPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const port = givenPort ?? (yield* freePort);
    const { statsSocket, p } = yield* launchHaproxy(label, runPath, tools, (socket) => haproxyConfig(plan, port, backends, socket, serviceTimeout, enabled, certPem));
    // Ready when it listens and its health checks see every running replica up (the standby places
    // of an auto-scaled pool stay in maintenance).
    yield* waitReady(label, p, async () => {
      const stats = parseStat(await haproxyCommand(statsSocket, "show stat"));
      const servers = stats.filter((s) => s.name !== "BACKEND" && s.name !== "FRONTEND");
      return servers.length === backends.length && servers.every((s, i) => (i < enabled ? isUp(s.status) : s.status.startsWith("MAINT")));
    });
    return { port, statsSocket };
  });

// ---------------------------------------------------------------- runtime API (auto-scaling)

/** A server taking traffic: UP (checked, maybe "UP 1/3"), or "no check" (unchecked and not in maintenance). */
export const isUp = (status: string): boolean => status.startsWith("UP") || status === "no check";

async function runtime(socket: string, command: string): Promise<void> {
  const answer = (await haproxyCommand(socket, command)).trim();
  // `set server` answers nothing on success, a sentence on refusal.
  if (answer) throw new Error(`haproxy '${command}': ${answer}`);
}

async function serverStat(socket: string, place: number): Promise<ServerStat | undefined> {
  return parseStat(await haproxyCommand(socket, "show stat")).find((s) => s.name === serverName(place));
}

/**
 * Takes replica place `place` out of maintenance and marks it up (its process already answered
 * /healthz), then waits until `show stat` says UP; the health checks go on as for any server.
 */
export async function enableServer(socket: string, place: number, timeoutMs = 10_000, checked = true): Promise<void> {
  await runtime(socket, `set server service/${serverName(place)} state ready`);
  if (checked) await runtime(socket, `set server service/${serverName(place)} health up`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isUp((await serverStat(socket, place))?.status ?? "")) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`haproxy: server ${serverName(place)} not UP ${timeoutMs} ms after it was enabled`);
}

/**
 * Drains place `place` (no new requests; those in progress and queued for it go on), waits until it
 * has no session and no queued request, or `timeoutMs`, then puts it in maintenance. Returns the
 * milliseconds the drain took.
 */
export async function drainServer(socket: string, place: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  await runtime(socket, `set server service/${serverName(place)} state drain`);
  while (Date.now() - t0 < timeoutMs) {
    const s = await serverStat(socket, place);
    if (!s || (s.scur === 0 && s.qcur === 0)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await runtime(socket, `set server service/${serverName(place)} state maint`);
  return Date.now() - t0;
}
