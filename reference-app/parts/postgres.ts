// The scenario's database as a private PostgreSQL 15 cluster in the run dir: a primary made with
// initdb, streaming replicas made with `pg_basebackup -R`, all on free ports, run as the postgres
// user (PostgreSQL refuses root). Seeds `products` with the YAML's key count and creates the
// `orders` and `processed` tables the service and workers write.
// Least privilege: the cluster is another local user's way in unless closed (with `trust` auth any
// local account was a superuser, and COPY ... TO PROGRAM ran commands as postgres). So it listens on
// 127.0.0.1 only, its unix socket lies in a 0700 directory, and pg_hba.conf admits two roles, each
// with its own per-run random password (scram-sha-256): the superuser `postgres` (the launcher:
// seeding, readiness, replication, the collector) and `headroom_app` (the services and workers:
// SELECT/INSERT/UPDATE on the three tables, nothing else, database `headroom` only).
// What it trades away: a person cannot `psql` in without the passwords (they are in the 0600
// configs of the run's processes, readable by the launcher's user only).
import { Effect, Scope } from "effect";
import { mkdir, chown, chmod, rm, writeFile, readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, waitReady, runToEnd, restartable, type RestartableProc, type SpawnSpec } from "../resources.ts";
import { PG_SUPERUSER_RESERVED, type DbPlan } from "../plan.ts";
import { meanOf } from "../sampler.ts";
import { shardOfKey } from "../shard.ts";
import type { DbEndpoints } from "../config.ts";
import type { Tools } from "../preflight.ts";
import { startWalDelay, type WalDelay } from "./wal-delay.ts";
import { startGate } from "./pgbouncer.ts";

export const DATABASE = "headroom";
/** The role of the services and workers: no superuser, no DDL, only the run's tables. */
export const APP_ROLE = "headroom_app";
const SUPERUSER = "postgres";

/** Who may connect, how: only the run's two roles, only with their password, only over 127.0.0.1 or the private socket. */
export function pgHba(): string {
  return [
    "# Written by the Headroom launcher: only this run's roles, each with its per-run password.",
    "# TYPE  DATABASE     USER            ADDRESS         METHOD",
    `local   all          ${SUPERUSER}                        scram-sha-256`,
    `host    all          ${SUPERUSER}        127.0.0.1/32    scram-sha-256`,
    `host    replication  ${SUPERUSER}        127.0.0.1/32    scram-sha-256`,
    `host    ${DATABASE}     ${APP_ROLE}    127.0.0.1/32    scram-sha-256`,
    "",
  ].join("\n");
}

export interface PgServer {
  readonly label: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops and starts this server again (faults: stop/start a replica). */
  readonly control: RestartableProc;
}

export interface PgCluster {
  /** What the services and workers connect with (the app role and its password). */
  readonly endpoints: DbEndpoints;
  /** The superuser's per-run password (the launcher's own connections: collector, readiness). */
  readonly superuser: { readonly user: string; readonly password: string };
  readonly primary: PgServer;
  readonly replicas: readonly PgServer[];
  /** How the replicas follow the primary (what a failover, parts/pg-failover.ts, needs to know). */
  readonly replication: {
    /** synchronous_standby_names names every replica; commits wait for their apply (remote_apply). */
    readonly synchronous: boolean;
    /** The lag (ms, the YAML's mean) on the wire (`wire`), else as recovery_min_apply_delay (0: none). */
    readonly lagMs: number;
    /** Per replica (same order), its delaying forwarder to the primary, when the lag is on the wire. */
    readonly wire?: readonly WalDelay[];
  };
}

/** Points a replica's primary_conninfo (written by pg_basebackup -R) at another port on 127.0.0.1. */
export async function repointConninfo(dataDir: string, fromPort: number, toPort: number): Promise<void> {
  const path = join(dataDir, "postgresql.auto.conf");
  const text = await readFile(path, "utf8");
  const out = text.replace(/^(primary_conninfo = '.*\bport=)(\d+)\b/m, (m, head: string, port: string) => (Number(port) === fromPort ? `${head}${toPort}` : m));
  if (out === text) throw new Error(`${path}: no primary_conninfo with port=${fromPort}`);
  await writeFile(path, out);
}

/** The synchronous_standby_names value that makes commits wait for every one of these replicas. */
export function syncStandbyNames(labels: readonly string[]): string {
  return labels.length === 0 ? "" : `FIRST ${labels.length} (${labels.map((l) => `"${l}"`).join(", ")})`;
}

/**
 * True when the server on `port` accepts connections, serves `dataDir` (so it is ours, not another
 * server that took the port between its probe and our bind) and, if asked, is (not) in recovery.
 */
async function canConnect(port: number, password: string, database: string, dataDir: string, wantRecovery?: boolean): Promise<boolean> {
  const c = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, password, database, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    const r = await c.query<{ rec: boolean; dir: string }>("SELECT pg_is_in_recovery() AS rec, current_setting('data_directory') AS dir");
    const row = r.rows[0];
    if (row?.dir !== dataDir) throw new Error(`127.0.0.1:${port} serves ${row?.dir ?? "?"}, not ${dataDir}: another server has the port`);
    return wantRecovery === undefined || row.rec === wantRecovery;
  } finally {
    await c.end().catch(() => {});
  }
}

function serverArgs(dataDir: string, sockDir: string, port: number, plan: DbPlan, extra: string[]): string[] {
  return [
    "-D", dataDir,
    "-p", String(port),
    "-k", sockDir,
    "-c", "listen_addresses=127.0.0.1",
    // The socket is also inside a 0700 directory; this keeps it owner-only should that change.
    "-c", "unix_socket_permissions=0700",
    // the app's connections and the superuser reserve (plan.ts withGate); the model's limit, where it
    // can bind, is the gate's in front (parts/pgbouncer.ts)
    "-c", `max_connections=${plan.serverMaxConnections}`,
    // stated, not left to the default: plan.ts counts the app's connections against the rest
    "-c", `superuser_reserved_connections=${PG_SUPERUSER_RESERVED}`,
    // The run's data is disposable: skip the disk flushes that would make the two CPUs' I/O the bottleneck.
    "-c", "fsync=off",
    "-c", "full_page_writes=off",
    "-c", "shared_buffers=32MB",
    "-c", "hot_standby=on",
    "-c", "max_wal_senders=10",
    "-c", "wal_keep_size=256MB",
    "-c", "log_min_messages=warning",
    ...extra,
  ];
}

/**
 * One shard's cluster (the whole database when it has one shard): its own data dirs, processes,
 * per-run passwords and ports; seeded with the products whose keys route to it (shardOf, as the
 * simulator routes them).
 */
export const startPostgres = (
  plan: DbPlan,
  runPath: string,
  tools: Tools,
  shard = 0,
): Effect.Effect<PgCluster, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const tag = plan.shards > 1 ? `-shard${shard}` : "";
    const base = join(runPath, "state", `pg${tag}`);
    const sockDir = join(base, "sock");
    const logDir = join(runPath, "logs");
    const adminPassword = randomBytes(24).toString("hex");
    const appPassword = randomBytes(24).toString("hex");
    // initdb reads the superuser's password from a file (never argv, which `ps` shows), removed after.
    const pwfile = join(base, "pwfile");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(sockDir, { recursive: true });
        // Only PostgreSQL's user may enter its files and its socket (mkdir's mode is cut by the umask).
        await chmod(base, 0o700);
        await chmod(sockDir, 0o700);
        await writeFile(pwfile, adminPassword + "\n", { mode: 0o600 });
        if (tools.pgUser) {
          for (const p of [base, sockDir, pwfile]) await chown(p, tools.pgUser.uid, tools.pgUser.gid);
        }
      },
      catch: (e) => new StartFailed({ part: "postgres", reason: `cannot prepare ${base}: ${String(e)}` }),
    });
    const asPg = { uid: tools.pgUser?.uid, gid: tools.pgUser?.gid, logDir };
    const primaryDir = join(base, "primary");
    yield* runToEnd({
      ...asPg,
      name: `postgres${tag}-initdb`,
      command: join(tools.pgBin, "initdb"),
      args: ["-D", primaryDir, "-U", SUPERUSER, "--auth=scram-sha-256", `--pwfile=${pwfile}`, "-E", "UTF8", "--no-sync", "--no-instructions"],
    }).pipe(Effect.ensuring(Effect.promise(() => rm(pwfile, { force: true }))));
    // Replicas copy it with pg_basebackup: one file says who may connect to every server of the run.
    yield* Effect.tryPromise({
      try: () => writeFile(join(primaryDir, "pg_hba.conf"), pgHba()),
      catch: (e) => new StartFailed({ part: "postgres", reason: `cannot write pg_hba.conf: ${String(e)}` }),
    });
    const primaryPort = yield* freePort;
    const serverSpec = (label: string, dir: string, port: number, extra: string[]): SpawnSpec => ({
      ...asPg,
      name: `postgres${tag}-${label}`,
      command: join(tools.pgBin, "postgres"),
      args: serverArgs(dir, sockDir, port, plan, extra),
      // SIGINT is PostgreSQL's fast shutdown: it ends client sessions instead of waiting for them.
      stopSignal: "SIGINT",
      stopGroup: false,
      graceMs: 10_000,
    });
    // Synchronous: every session's commit waits for the standbys' apply (once synchronous_standby_names
    // names them, below: seeding and the base backups run before, unwaited).
    const syncArgs = plan.synchronous ? ["-c", "synchronous_commit=remote_apply"] : [];
    const primary = yield* restartable(serverSpec("primary", primaryDir, primaryPort, syncArgs), (p) =>
      waitReady("postgres primary", p, () => canConnect(primaryPort, adminPassword, "postgres", primaryDir), 60_000),
    );
    yield* Effect.tryPromise({
      try: () => seed(primaryPort, adminPassword, appPassword, plan.keys, plan.shards > 1 ? (k) => shardOfKey(plan, k) === shard : undefined, plan.table),
      catch: (e) => new StartFailed({ part: "postgres primary", reason: `seeding failed: ${String(e)}` }),
    });

    const replicas: PgServer[] = [];
    // Replay delay can only be one number per replica: the YAML distribution's mean.
    const lagMs = plan.lag !== undefined ? Math.round(meanOf(plan.lag) * 1000) : 0;
    // A failover with asynchronous replication loses what the replica had not received: the lag
    // goes on the wire then (parts/wal-delay.ts), else it stays PostgreSQL's apply delay.
    const lagOnWire = !plan.synchronous && plan.failovers.length > 0 && lagMs > 0 && plan.replicas > 0;
    const wire: WalDelay[] = [];
    for (let i = 1; i <= plan.replicas; i++) {
      const label = `replica${i}`;
      const dir = join(base, label);
      yield* runToEnd({
        ...asPg,
        name: `postgres${tag}-basebackup-${label}`,
        command: join(tools.pgBin, "pg_basebackup"),
        args: ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", SUPERUSER, "-D", dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"],
        // -R writes it into the replica's primary_conninfo (postgresql.auto.conf, in its 0700 data dir).
        env: { PGPASSWORD: adminPassword },
      });
      const port = yield* freePort;
      if (lagOnWire) {
        const wd = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: async () => {
              const w = await startWalDelay(primaryPort, lagMs);
              await repointConninfo(dir, primaryPort, w.port).catch(async (e) => { await w.close(); throw e; });
              return w;
            },
            catch: (e) => new StartFailed({ part: `postgres ${label}`, reason: `cannot put the replication lag on the wire: ${String(e)}` }),
          }),
          (w) => Effect.promise(() => w.close()),
        );
        wire.push(wd);
      }
      const extra = lagMs > 0 && !lagOnWire ? ["-c", `recovery_min_apply_delay=${lagMs}ms`] : [];
      // Synchronous standbys are named by cluster_name (the walreceiver's application_name).
      if (plan.synchronous) extra.push("-c", `cluster_name=${label}`, ...syncArgs);
      // After a failover a replica follows the promoted one: retry its stream every 200 ms, not 5 s.
      if (plan.failovers.length > 0) extra.push("-c", "wal_retrieve_retry_interval=200ms");
      const control = yield* restartable(serverSpec(label, dir, port, extra), (p) =>
        waitReady(`postgres ${label}`, p, () => canConnect(port, adminPassword, DATABASE, dir, true), 60_000),
      );
      replicas.push({ label, port, dataDir: dir, control });
    }
    // Readiness of replication itself: every replica is streaming before the app reports ready.
    if (plan.replicas > 0) {
      yield* waitReady("postgres replication", undefined, async () => {
        const c = new pg.Client({ host: "127.0.0.1", port: primaryPort, user: SUPERUSER, password: adminPassword, database: DATABASE });
        await c.connect();
        try {
          const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
          return r.rows[0].n >= plan.replicas;
        } finally {
          await c.end();
        }
      }, 60_000);
    }
    if (plan.synchronous && plan.replicas > 0) {
      // From here every commit waits for all replicas; ready once each is a synchronous standby.
      const names = replicas.map((r) => r.label);
      yield* waitReady("postgres synchronous replication", undefined, async () => {
        const c = new pg.Client({ host: "127.0.0.1", port: primaryPort, user: SUPERUSER, password: adminPassword, database: DATABASE });
        await c.connect();
        try {
          await c.query(`ALTER SYSTEM SET synchronous_standby_names = '${syncStandbyNames(names)}'`);
          await c.query("SELECT pg_reload_conf()");
          const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE sync_state = 'sync'");
          return r.rows[0].n >= plan.replicas;
        } finally {
          await c.end();
        }
      }, 60_000);
    }
    // The model's max_connections where it can bind: a gate in front of each server, what the app
    // connects to; the lag monitors keep the servers' own ports.
    let appPorts = { primary: primaryPort, replicas: replicas.map((r) => r.port) };
    if (plan.gate) {
      const gate = plan.gate;
      const gateOf = (label: string, serverPort: number) =>
        startGate({ label, tag, base, logDir, pgbouncer: tools.pgbouncer, pgUser: tools.pgUser, serverPort, database: DATABASE, user: APP_ROLE, password: appPassword, size: gate.size, clients: gate.clients });
      const p = yield* gateOf("primary", primaryPort);
      const rs: number[] = [];
      for (const r of replicas) rs.push((yield* gateOf(r.label, r.port)).port);
      appPorts = { primary: p.port, replicas: rs };
    }
    return {
      endpoints: {
        database: DATABASE, user: APP_ROLE, password: appPassword, primary: appPorts.primary, replicas: appPorts.replicas,
        ...(plan.gate ? { monitorPorts: replicas.map((r) => r.port) } : {}),
      },
      superuser: { user: SUPERUSER, password: adminPassword },
      primary: { label: "primary", port: primaryPort, dataDir: primaryDir, control: primary },
      replicas,
      replication: { synchronous: plan.synchronous, lagMs, wire: lagOnWire ? wire : undefined },
    };
  });

/** A column name of the YAML ([a-z][a-z0-9_-]*) as an SQL identifier. */
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The statements that make the YAML's `table:` (DbPlan.table): `items` with id (the primary key)
 * and one text column per column a read queries by, row g holding '<column>-g'; `rows` rows; a
 * B-tree index per `indexes`; and headroom_insert(n), what a write runs: n more rows, numbered on.
 */
export function tableSql(table: NonNullable<DbPlan["table"]>): string[] {
  const cols = table.columns.map(ident);
  const values = (g: string) => [g, ...table.columns.map((c) => `'${c}-' || ${g}`)].join(", ");
  return [
    `CREATE TABLE items (id bigint PRIMARY KEY${cols.map((c) => `, ${c} text NOT NULL`).join("")})`,
    `INSERT INTO items SELECT ${values("g")} FROM generate_series(0, ${table.rows - 1}) g`,
    ...table.indexes.map((ix) => `CREATE INDEX ON items (${ident(ix)})`),
    `CREATE SEQUENCE items_next START ${Math.max(1, table.rows)}`,
    "CREATE FUNCTION headroom_insert(n integer) RETURNS integer LANGUAGE sql AS " +
      `$$ INSERT INTO items SELECT ${values("x.g")} FROM (SELECT nextval('items_next') AS g FROM generate_series(1, n)) x; SELECT n $$`,
    // Vacuumed as a table in service is: its pages all-visible, so a scan skips per-row visibility checks.
    "VACUUM (ANALYZE) items",
    `GRANT SELECT, INSERT ON items TO ${APP_ROLE}`,
    `GRANT USAGE ON SEQUENCE items_next TO ${APP_ROLE}`,
  ];
}

async function seed(port: number, adminPassword: string, appPassword: string, keys: number, owns?: (key: number) => boolean, table?: DbPlan["table"]): Promise<void> {
  const admin = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, password: adminPassword, database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
    // The password is hex (no quote can occur); statements are not logged (log_min_messages=warning).
    await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD '${appPassword}'`);
  } finally {
    await admin.end();
  }
  const c = new pg.Client({ host: "127.0.0.1", port, user: SUPERUSER, password: adminPassword, database: DATABASE });
  await c.connect();
  try {
    await c.query(`
      CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL, version integer NOT NULL DEFAULT 0);
      CREATE TABLE orders (id uuid PRIMARY KEY, product integer NOT NULL, quantity integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE processed (order_id uuid PRIMARY KEY, queue text NOT NULL, worker integer NOT NULL, attempt integer NOT NULL,
                              published_at timestamptz NOT NULL, processed_at timestamptz NOT NULL DEFAULT clock_timestamp());
    `);
    // A product's price: (g * 7919) % 10000 computed on g % 10000, the same value without the
    // 32-bit overflow of g * 7919 past key 271,181 (one-million-users' 1M keys failed to seed).
    if (owns) {
      // A shard holds the products whose keys route to it.
      const ids: number[] = [];
      for (let k = 0; k < keys; k++) if (owns(k)) ids.push(k);
      await c.query("INSERT INTO products (id, name, price_cents) SELECT g, 'product ' || g, 100 + ((g % 10000) * 7919) % 10000 FROM unnest($1::int[]) g", [ids]);
    } else {
      await c.query(
        "INSERT INTO products (id, name, price_cents) SELECT g, 'product ' || g, 100 + ((g % 10000) * 7919) % 10000 FROM generate_series(0, $1::int - 1) g",
        [keys],
      );
    }
    await c.query("ANALYZE products");
    // What the services and workers do, and no more: read products, write orders, processed and versions.
    await c.query(`GRANT SELECT, INSERT, UPDATE ON products, orders, processed TO ${APP_ROLE}`);
    if (table) for (const sql of tableSql(table)) await c.query(sql);
  } finally {
    await c.end();
  }
}
