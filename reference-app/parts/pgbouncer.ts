// The model's database `max_connections` as a real gate: at most that many queries run at once on a
// server, the rest wait their turn, first come first served, for as long as it takes (the
// simulator's database node is max_connections servers with an unbounded FIFO queue and no
// timeout). PostgreSQL's own max_connections refuses a connection past it instead of queueing, so
// where the app's processes may run more queries at once than the model allows (plan.ts withGate),
// a PgBouncer in transaction mode stands in front of each server: `pool_size` = max_connections
// server connections, each held for one transaction (the app's queries are single statements in
// autocommit), every other client's query waiting in PgBouncer's queue (`query_wait_timeout = 0`:
// never given up). PgBouncer serves its waiting clients in arrival order (its waiting list is
// walked from the head when a server connection frees).
// Least privilege: it listens on 127.0.0.1 only, no unix socket, and admits only the app's role
// with the run's password (scram-sha-256, from an auth file in a 0700 dir of the run's state,
// removed at the end). That role may read the gate's console statistics (`stats_users`: SHOW
// STATS, SHOW POOLS; no admin commands): each query's wait for a connection and hold of it,
// summed exactly, what app-db-gate.e2e.test.ts compares with the model. It runs as the postgres user when the
// launcher is root (PgBouncer refuses root).
// What it trades away: one more hop per query (PgBouncer is a single-threaded event loop, a few
// tens of microseconds a query); named prepared statements would not survive transaction mode
// (the app sends unnamed ones only, node-pg's default).
import { Effect, Scope } from "effect";
import { chmod, chown, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, restartable, waitReady } from "../resources.ts";

export interface GateConfig {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** The PostgreSQL server behind it (127.0.0.1). */
  readonly serverPort: number;
  readonly database: string;
  readonly user: string;
  /** The model's max_connections: server connections it may hold. */
  readonly size: number;
  /** Client connections it must accept: every connection the app may open to this server. */
  readonly clients: number;
  readonly authFile: string;
}

/** pgbouncer.ini for one server's gate. */
export function pgbouncerIni(c: GateConfig): string {
  return [
    "; Written by the Headroom launcher: the model's max_connections in front of one PostgreSQL server.",
    "[databases]",
    `${c.database} = host=127.0.0.1 port=${c.serverPort} dbname=${c.database}`,
    "",
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${c.port}`,
    // no unix socket: the gate is reached on its port only
    "unix_socket_dir =",
    "auth_type = scram-sha-256",
    `auth_file = ${c.authFile}`,
    "pool_mode = transaction",
    // SHOW STATS / SHOW POOLS on the console database `pgbouncer`; no admin_users
    `stats_users = ${c.user}`,
    // max_connections queries at once on the server, not one more (no reserve pool)
    `default_pool_size = ${c.size}`,
    `min_pool_size = ${c.size}`,
    "reserve_pool_size = 0",
    `max_db_connections = ${c.size}`,
    `max_user_connections = ${c.size}`,
    // every connection the app may open, plus the launcher's readiness check
    `max_client_conn = ${c.clients + 2}`,
    // the model's queue never gives up on a query
    "query_wait_timeout = 0",
    "server_tls_sslmode = disable",
    "ignore_startup_parameters = extra_float_digits",
    "log_connections = 0",
    "log_disconnections = 0",
    "",
  ].join("\n");
}

/** The auth file: the app's role and its per-run password (PgBouncer logs in to the server with it, by SCRAM). */
export function authFileText(user: string, password: string): string {
  return `"${user}" "${password}"\n`;
}

export interface Gate {
  readonly port: number;
  readonly serverPort: number;
}

/**
 * Starts the gate of one server (`label`: primary, replica1, ... of shard `tag`) and waits until a
 * query through it reaches that server (inet_server_port(): another program that took the port
 * between its probe and PgBouncer's bind is not taken for the gate).
 */
export const startGate = (
  opts: {
    readonly label: string;
    readonly tag: string;
    readonly base: string;
    readonly logDir: string;
    readonly pgbouncer: string;
    readonly pgUser?: { readonly uid: number; readonly gid: number };
    readonly serverPort: number;
    readonly database: string;
    readonly user: string;
    readonly password: string;
    readonly size: number;
    readonly clients: number;
  },
): Effect.Effect<Gate, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const dir = join(opts.base, `pgbouncer-${opts.label}`);
    const port = yield* freePort;
    const authFile = join(dir, "userlist.txt");
    const ini = join(dir, "pgbouncer.ini");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dir, { recursive: true });
        await chmod(dir, 0o700);
        await writeFile(authFile, authFileText(opts.user, opts.password), { mode: 0o600 });
        await writeFile(ini, pgbouncerIni({ port, serverPort: opts.serverPort, database: opts.database, user: opts.user, size: opts.size, clients: opts.clients, authFile }), { mode: 0o600 });
        if (opts.pgUser) for (const p of [dir, authFile, ini]) await chown(p, opts.pgUser.uid, opts.pgUser.gid);
      },
      catch: (e) => new StartFailed({ part: `pgbouncer${opts.tag}-${opts.label}`, reason: `cannot prepare ${dir}: ${String(e)}` }),
    });
    const name = `pgbouncer${opts.tag}-${opts.label}`;
    yield* restartable(
      // SIGTERM: immediate shutdown (SIGINT would wait for the clients to leave)
      { name, command: opts.pgbouncer, args: [ini], logDir: opts.logDir, uid: opts.pgUser?.uid, gid: opts.pgUser?.gid, stopSignal: "SIGTERM", graceMs: 5000 },
      (p) =>
        waitReady(name, p, async () => {
          const c = new pg.Client({ host: "127.0.0.1", port, user: opts.user, password: opts.password, database: opts.database, connectionTimeoutMillis: 1000 });
          try {
            await c.connect();
            const r = await c.query<{ port: number }>("SELECT inet_server_port() AS port");
            if (r.rows[0]?.port !== opts.serverPort) throw new Error(`127.0.0.1:${port} reaches a server on port ${r.rows[0]?.port}, not ${opts.serverPort}: another program has the port`);
            return true;
          } finally {
            await c.end().catch(() => {});
          }
        }, 30_000),
    );
    return { port, serverPort: opts.serverPort };
  });
