// Checks, before anything starts, that every part the plan needs is installed and reachable, and
// says how to install what is missing. Finds the PostgreSQL binaries and the postgres user.
import { Effect } from "effect";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, delimiter, dirname } from "node:path";
import amqp from "amqplib";
import { MissingPart } from "./errors.ts";
import type { AppPlan } from "./plan.ts";
import { wsFrontFiles } from "./parts/haproxy-ws.ts";

export interface Tools {
  readonly pgBin: string;
  /** Set when running as root: PostgreSQL's processes run as this user. */
  readonly pgUser?: { readonly uid: number; readonly gid: number };
  readonly redisServer: string;
  readonly haproxy: string;
  readonly nginx: string;
  /** Makes the run's certificate when the entry balancer terminates TLS (parts/tls-cert.ts); "" otherwise. */
  readonly openssl: string;
  readonly amqpUrl: string;
  /** PgBouncer, the gate of a database whose max_connections can bind (parts/pgbouncer.ts); "" otherwise. */
  readonly pgbouncer: string;
  /** For a per-run vhost and user on the broker; absent: the run shares the URL's vhost. */
  readonly rabbitmqctl?: string;
}

const APT = "sudo apt-get update && sudo apt-get install -y";

/** This process's hard limit of open files (what its children may raise theirs to); Infinity when unknown. */
export function openFilesLimit(): number {
  try {
    const m = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    return m && m[1] !== "unlimited" ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

function which(cmd: string, extraDirs: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...extraDirs];
  for (const d of dirs) {
    const p = join(d, cmd);
    if (d && existsSync(p)) return p;
  }
  return undefined;
}

/** PG_BIN, else the newest /usr/lib/postgresql/<version>/bin with initdb, else initdb on PATH. */
function findPgBin(): string | undefined {
  if (process.env.PG_BIN && existsSync(join(process.env.PG_BIN, "initdb"))) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], "bin");
  }
  const initdb = which("initdb");
  return initdb ? dirname(initdb) : undefined;
}

function userIds(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

const SBIN = ["/usr/sbin", "/sbin", "/usr/local/sbin"];

function defaultFind(cmd: string): string | undefined {
  if (cmd !== "initdb") return which(cmd, SBIN);
  const bin = findPgBin();
  return bin ? join(bin, "initdb") : undefined;
}

/**
 * `find` locates a command (PATH plus the sbin dirs by default); tests pass their own to play a
 * machine where a part is missing.
 */
export const preflight = (
  plan: AppPlan,
  amqpUrl = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672",
  find: (cmd: string) => string | undefined = defaultFind,
  openFiles: number = openFilesLimit(),
): Effect.Effect<Tools, MissingPart> =>
  Effect.gen(function* () {
    const missing = (part: string, pkg: string) => Effect.fail(new MissingPart({ part, install: `${APT} ${pkg}` }));
    // HAProxy holds two files a WebSocket connection and asks for all of them at start.
    if (plan.realtime && wsFrontFiles(plan.realtime) > openFiles) {
      const rt = plan.realtime;
      return yield* Effect.fail(new MissingPart({
        part: `open files for ${rt.instances} x ${rt.maxConnections} WebSocket connections through HAProxy (it asks for ${wsFrontFiles(rt)}, two a connection; the limit here is ${openFiles})`,
        install: `ulimit -n ${wsFrontFiles(rt)} (as root, or raise the hard limit: LimitNOFILE in systemd, nofile in /etc/security/limits.conf), or lower components.${rt.name}.max_connections`,
        limit: true,
      }));
    }
    const haproxy = find("haproxy") ?? "";
    if ((plan.lb || plan.regions) && !haproxy) return yield* missing(plan.lb ? "haproxy (the load balancer)" : "haproxy (the regions' geo routers)", "haproxy");
    if (plan.realtime && !haproxy) return yield* missing("haproxy (the WebSocket front of the realtime servers)", "haproxy");
    const nginx = find("nginx") ?? "";
    if (plan.cdn && !nginx) return yield* missing("nginx (the CDN edge cache)", "nginx");
    if (plan.lb?.rateLimit && !nginx) return yield* missing("nginx (the rate-limit gateway in front of HAProxy)", "nginx");
    const openssl = plan.lb?.tls ? (find("openssl") ?? "") : "";
    if (plan.lb?.tls && !openssl) return yield* missing("openssl (makes the run's certificate for the balancer's TLS)", "openssl");
    const redisServer = find("redis-server") ?? "";
    if (plan.cache && !redisServer) return yield* missing("redis-server (the cache)", "redis-server");
    if (plan.realtime && !redisServer) return yield* missing("redis-server (the realtime servers' pub/sub backbone)", "redis-server");
    let pgBin = "";
    let pgUser: Tools["pgUser"];
    if (plan.db) {
      const initdb = find("initdb");
      pgBin = initdb ? dirname(initdb) : "";
      if (!pgBin) return yield* missing("PostgreSQL server binaries (initdb, postgres, pg_basebackup)", "postgresql");
      if (process.getuid?.() === 0) {
        pgUser = userIds("postgres");
        if (!pgUser) {
          return yield* Effect.fail(new MissingPart({ part: "the 'postgres' user (PostgreSQL refuses to run as root)", install: `${APT} postgresql (it creates the user), or run headroom as a non-root user` }));
        }
      }
    }
    const pgbouncer = plan.db?.gate ? (find("pgbouncer") ?? "") : "";
    if (plan.db?.gate && !pgbouncer) {
      return yield* missing(`pgbouncer (the gate of components.${plan.db.name}.max_connections: ${plan.db.maxConnections} queries at once, the rest queued, where the app may run ${plan.db.gate.clients})`, "pgbouncer");
    }
    if (plan.queues.length > 0) {
      yield* Effect.tryPromise({
        try: async () => {
          const conn = await amqp.connect(amqpUrl, { timeout: 3000 });
          await conn.close();
        },
        catch: (e) =>
          new MissingPart({
            part: `a RabbitMQ broker at ${amqpUrl.replace(/\/\/[^@]*@/, "//")} (${e instanceof Error ? e.message : String(e)})`,
            install: `${APT} rabbitmq-server && sudo rabbitmq-server -detached (or set AMQP_URL)`,
          }),
      });
    }
    const rabbitmqctl = plan.queues.length > 0 ? find("rabbitmqctl") : undefined;
    return { pgBin, pgUser, redisServer, haproxy, nginx, openssl, pgbouncer, amqpUrl, rabbitmqctl };
  });
