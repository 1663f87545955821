// The scenario's database as a private PostgreSQL 15 cluster in the run dir: a primary made with
// initdb, streaming replicas made with `pg_basebackup -R`, all on free ports, run as the postgres
// user (PostgreSQL refuses root). Seeds `products` with the YAML's key count and creates the
// `orders` and `processed` tables the service and workers write.
import { Effect, Scope } from "effect";
import { mkdir, chown } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { freePort, waitReady, runToEnd, restartable, type RestartableProc, type SpawnSpec } from "../resources.ts";
import type { DbPlan } from "../plan.ts";
import { meanOf } from "../sampler.ts";
import type { DbEndpoints } from "../config.ts";
import type { Tools } from "../preflight.ts";

export const DATABASE = "headroom";

export interface PgServer {
  readonly label: string;
  readonly port: number;
  readonly dataDir: string;
  /** Stops and starts this server again (faults: stop/start a replica). */
  readonly control: RestartableProc;
}

export interface PgCluster {
  readonly endpoints: DbEndpoints;
  readonly primary: PgServer;
  readonly replicas: readonly PgServer[];
}

/**
 * True when the server on `port` accepts connections, serves `dataDir` (so it is ours, not another
 * server that took the port between its probe and our bind) and, if asked, is (not) in recovery.
 */
async function canConnect(port: number, database: string, dataDir: string, wantRecovery?: boolean): Promise<boolean> {
  const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database, connectionTimeoutMillis: 1000 });
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
    "-c", `max_connections=${plan.maxConnections}`,
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

export const startPostgres = (
  plan: DbPlan,
  runPath: string,
  tools: Tools,
): Effect.Effect<PgCluster, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const base = join(runPath, "state", "pg");
    const sockDir = join(base, "sock");
    const logDir = join(runPath, "logs");
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(sockDir, { recursive: true });
        if (tools.pgUser) {
          await chown(base, tools.pgUser.uid, tools.pgUser.gid);
          await chown(sockDir, tools.pgUser.uid, tools.pgUser.gid);
        }
      },
      catch: (e) => new StartFailed({ part: "postgres", reason: `cannot prepare ${base}: ${String(e)}` }),
    });
    const asPg = { uid: tools.pgUser?.uid, gid: tools.pgUser?.gid, logDir };
    const primaryDir = join(base, "primary");
    yield* runToEnd({
      ...asPg,
      name: "postgres-initdb",
      command: join(tools.pgBin, "initdb"),
      args: ["-D", primaryDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"],
    });
    const primaryPort = yield* freePort;
    const serverSpec = (label: string, dir: string, port: number, extra: string[]): SpawnSpec => ({
      ...asPg,
      name: `postgres-${label}`,
      command: join(tools.pgBin, "postgres"),
      args: serverArgs(dir, sockDir, port, plan, extra),
      // SIGINT is PostgreSQL's fast shutdown: it ends client sessions instead of waiting for them.
      stopSignal: "SIGINT",
      stopGroup: false,
      graceMs: 10_000,
    });
    const primary = yield* restartable(serverSpec("primary", primaryDir, primaryPort, []), (p) =>
      waitReady("postgres primary", p, () => canConnect(primaryPort, "postgres", primaryDir), 60_000),
    );
    yield* Effect.tryPromise({
      try: () => seed(primaryPort, plan.keys),
      catch: (e) => new StartFailed({ part: "postgres primary", reason: `seeding failed: ${String(e)}` }),
    });

    const replicas: PgServer[] = [];
    // Replay delay can only be one number per replica: the YAML distribution's mean.
    const lagMs = plan.lag !== undefined ? Math.round(meanOf(plan.lag) * 1000) : 0;
    for (let i = 1; i <= plan.replicas; i++) {
      const label = `replica${i}`;
      const dir = join(base, label);
      yield* runToEnd({
        ...asPg,
        name: `postgres-basebackup-${label}`,
        command: join(tools.pgBin, "pg_basebackup"),
        args: ["-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", dir, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"],
      });
      const port = yield* freePort;
      const extra = lagMs > 0 ? ["-c", `recovery_min_apply_delay=${lagMs}ms`] : [];
      const control = yield* restartable(serverSpec(label, dir, port, extra), (p) =>
        waitReady(`postgres ${label}`, p, () => canConnect(port, DATABASE, dir, true), 60_000),
      );
      replicas.push({ label, port, dataDir: dir, control });
    }
    // Readiness of replication itself: every replica is streaming before the app reports ready.
    if (plan.replicas > 0) {
      yield* waitReady("postgres replication", undefined, async () => {
        const c = new pg.Client({ host: "127.0.0.1", port: primaryPort, user: "postgres", database: DATABASE });
        await c.connect();
        try {
          const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming'");
          return r.rows[0].n >= plan.replicas;
        } finally {
          await c.end();
        }
      }, 60_000);
    }
    return {
      endpoints: { database: DATABASE, user: "postgres", primary: primaryPort, replicas: replicas.map((r) => r.port) },
      primary: { label: "primary", port: primaryPort, dataDir: primaryDir, control: primary },
      replicas,
    };
  });

async function seed(port: number, keys: number): Promise<void> {
  const admin = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const c = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: DATABASE });
  await c.connect();
  try {
    await c.query(`
      CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price_cents integer NOT NULL, version integer NOT NULL DEFAULT 0);
      CREATE TABLE orders (id uuid PRIMARY KEY, product integer NOT NULL, quantity integer NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE processed (order_id uuid PRIMARY KEY, queue text NOT NULL, worker integer NOT NULL, attempt integer NOT NULL,
                              published_at timestamptz NOT NULL, processed_at timestamptz NOT NULL DEFAULT clock_timestamp());
    `);
    await c.query(
      "INSERT INTO products (id, name, price_cents) SELECT g, 'product ' || g, 100 + (g * 7919) % 10000 FROM generate_series(0, $1::int - 1) g",
      [keys],
    );
    await c.query("ANALYZE products");
  } finally {
    await c.end();
  }
}
