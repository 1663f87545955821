// The service's PostgreSQL access: the model's pool (one per replica for the whole database: at
// most `pool.size` queries at once across every shard and replica, a FIFO wait of at most
// `pool.timeout` for a place) in front of one pg pool per server (each shard's primary and
// replicas, up to `pool.size` connections each, as a hot shard may take the whole pool), keys routed
// to their shard by the simulator's shardOf, reads as `read_from` says, and the per-operation cost
// injected with pg_sleep so the pool, not the machine's two CPUs, is what saturates.
import pg from "pg";
import type { DbEndpoints } from "../config.ts";
import type { DbPlan } from "../plan.ts";
import { sample, type Rng } from "../sampler.ts";
import type { ServiceMetrics } from "./metrics.ts";
import { shardOfKey } from "../shard.ts";

export class PoolTimeout extends Error {}
/** The server is gone (connection refused or cut: a failed primary): answered 503, as the model's db_unavailable. */
export class DbUnavailable extends Error {}

/** pg-pool's message when connectionTimeoutMillis passed (the pool's wait limit), not a refused connection. */
const isPoolTimeout = (e: unknown) => e instanceof Error && /timeout exceeded when trying to connect/i.test(e.message);

/** An error of the connection rather than of the statement: no SQLSTATE, or class 08 (connection) or 57 (shutdown). */
function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code.startsWith("08") || code.startsWith("57");
}

/**
 * The model's pool of one replica: `size` places for the whole database, taken in FIFO order,
 * a waiter failing after `timeoutMs` (the simulator's MODE_HOLD resource with its timeout).
 */
export class PoolGate {
  private used = 0;
  private readonly waiters: Array<{ grant: () => void; timer?: NodeJS.Timeout }> = [];

  constructor(private readonly size: number, private readonly timeoutMs: number) {}

  get waiting(): number {
    return this.waiters.length;
  }

  acquire(): Promise<void> {
    if (this.used < this.size && this.waiters.length === 0) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const w: { grant: () => void; timer?: NodeJS.Timeout } = { grant: resolve };
      if (this.timeoutMs > 0) {
        w.timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new Error(`no place in the pool of ${this.size} within ${this.timeoutMs} ms`));
        }, this.timeoutMs);
      }
      this.waiters.push(w);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      // the place passes straight to the next waiter
      if (next.timer) clearTimeout(next.timer);
      next.grant();
    } else this.used--;
  }
}

/** Node's timers hold at most 2^31 - 1 ms (24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * pg's connectionTimeoutMillis for a pool timeout in seconds: 0 (pg: none) past what a Node timer
 * holds, where "never in this run" is what the YAML means (a pool it does not set, poolFor).
 */
export function connectTimeoutMs(seconds: number): number {
  const ms = Math.max(1, Math.round(seconds * 1000));
  return ms > MAX_TIMER_MS ? 0 : ms;
}

interface Server {
  readonly label: string;
  readonly pool: pg.Pool;
  readonly port: number;
}

export interface ProductRow {
  readonly id: number;
  readonly name: string;
  readonly price_cents: number;
  readonly version: number;
}

/** One shard's servers: its primary, its streaming replicas and the ones reads go to (a failover changes them). */
interface Shard {
  primary: Server;
  replicas: Server[];
  readers: Server[];
  next: number;
}

export class Db {
  private readonly shards: Shard[];
  private readonly monitor: Array<{ label: string; pool: pg.Pool; port: number }>;
  private lagTimer?: NodeJS.Timeout;
  private readonly gate?: PoolGate;

  constructor(
    private readonly plan: DbPlan & { readonly pool: NonNullable<DbPlan["pool"]>; readonly relayPorts?: Readonly<Record<string, number>> },
    endpoints: DbEndpoints,
    private readonly rng: Rng,
    private readonly metrics: ServiceMetrics,
    /** Per shard (plan.shards > 1): its servers' endpoints, each with its own per-run password. */
    shardEndpoints: readonly DbEndpoints[] = [endpoints],
    /** The YAML sets a pool: gate every server with the model's one pool for the database. */
    modelPool = false,
  ) {
    this.gate = modelPool ? new PoolGate(plan.pool.size, connectTimeoutMs(plan.pool.timeout)) : undefined;
    // A server of another region is reached on the region relay's port (regions/start.ts): every
    // query over a connection pays the crossing there and back, as the model's OP_DB between its
    // two crossings. Its connections are opened before the service serves (warm) and never closed
    // for idleness: the model charges a query its round trip, never a connection's set-up
    // (start-up and SCRAM authentication: several round trips, each one more crossing).
    const reach = (port: number) => plan.relayPorts?.[String(port)] ?? port;
    const pool = (e: DbEndpoints, port: number) =>
      new pg.Pool({
        host: "127.0.0.1",
        port: reach(port),
        user: e.user,
        password: e.password,
        database: e.database,
        max: plan.pool.size,
        connectionTimeoutMillis: connectTimeoutMs(plan.pool.timeout),
        ...(reach(port) !== port ? { idleTimeoutMillis: 0 } : {}),
      });
    // Servers of a sharded database are labelled s<i>.primary, s<i>.replica<j> in the metrics.
    const label = (i: number, what: string) => (shardEndpoints.length > 1 ? `s${i}.${what}` : what);
    this.shards = shardEndpoints.map((e, i) => {
      const primary = { label: label(i, "primary"), pool: pool(e, e.primary), port: e.primary };
      const replicas = e.replicas.map((port, j) => ({ label: label(i, `replica${j + 1}`), pool: pool(e, port), port }));
      return { primary, replicas, readers: this.readersOf(primary, replicas), next: 0 };
    });
    for (const s of this.shards.flatMap((sh) => [sh.primary, ...sh.replicas])) {
      s.pool.on("error", () => { /* a dropped idle client; the next acquire reconnects */ });
      // A connection cut while checked out (its server killed mid-query, as a failover does) emits
      // 'error' on the client besides failing the query; pg-pool listens only while the client is
      // idle, and an unheard 'error' ends the process. The query's rejection reports it (withClient).
      s.pool.on("connect", (c) => c.on("error", () => {}));
    }
    // Lag is read over separate one-connection pools so that monitoring never takes a modeled slot.
    this.monitor = shardEndpoints.flatMap((e, i) =>
      (e.monitorPorts ?? e.replicas).map((port, j) => ({ label: label(i, `replica${j + 1}`), port, pool: new pg.Pool({ host: "127.0.0.1", port: reach(port), user: e.user, password: e.password, database: e.database, max: 1, connectionTimeoutMillis: 1000 }) })),
    );
    for (const m of this.monitor) m.pool.on("error", () => {});
  }

  /**
   * Opens every connection of each pool to a server of another region (the pool's size), so that
   * no request pays a connection's set-up across the relay; nothing for the servers of its own region.
   * The connections stay open (idleTimeoutMillis 0). Rejects, once all were tried, when some could not be opened.
   */
  async warm(): Promise<void> {
    const relayed = new Set(Object.keys(this.plan.relayPorts ?? {}).map(Number));
    const servers = this.shards.flatMap((sh) => [sh.primary, ...sh.replicas]).filter((x) => relayed.has(x.port));
    const opened = await Promise.allSettled(servers.flatMap((x) => Array.from({ length: this.plan.pool.size }, () => x.pool.connect())));
    for (const o of opened) if (o.status === "fulfilled") o.value.release();
    const failed = opened.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    if (failed.length) throw new Error(`${failed.length} of ${opened.length} connections: ${String(failed[0])}`);
  }

  /**
   * Where reads go, as the model picks: `read_from` primary, replicas (the primary when none is
   * left, as after promoting the last one) or any of them.
   */
  private readersOf(primary: Server | undefined, replicas: Server[]): Server[] {
    const p = primary ? [primary] : [];
    if (this.plan.readFrom === "primary") return primary ? [primary] : [];
    if (this.plan.readFrom === "replicas") return replicas.length > 0 ? replicas : p;
    return [...p, ...replicas];
  }

  /**
   * The launcher killed a shard's primary: reads stop going to it (as the model's reads skip a
   * node that is down; with read_from primary they still go there and fail). Its writes fail on
   * their own: the server refuses connections (DbUnavailable).
   */
  primaryDown(shard: number): void {
    const sh = this.shards[shard];
    if (!sh) throw new Error(`no shard ${shard}`);
    if (this.plan.readFrom === "any") sh.readers = sh.replicas.length > 0 ? [...sh.replicas] : sh.readers;
  }

  /**
   * The launcher promoted the replica on `port`: writes go there from now on (its pool was the
   * replica's: connected to the same server, now the primary), the other replicas stay readers
   * (they follow the new primary); the dead primary's pool is closed.
   */
  promoted(shard: number, port: number): void {
    const sh = this.shards[shard];
    if (!sh) throw new Error(`no shard ${shard}`);
    const j = sh.replicas.findIndex((r) => r.port === port);
    if (j < 0) throw new Error(`shard ${shard}: no replica on port ${port}`);
    const old = sh.primary;
    const promoted = sh.replicas[j]!;
    sh.primary = { label: old.label, pool: promoted.pool, port };
    sh.replicas = sh.replicas.filter((_, k) => k !== j);
    sh.readers = this.readersOf(sh.primary, sh.replicas);
    for (let k = this.monitor.length - 1; k >= 0; k--) {
      if (this.monitor[k]!.port === port) void this.monitor.splice(k, 1)[0]!.pool.end().catch(() => {});
    }
    void old.pool.end().catch(() => {});
  }

  /** The shard a key's rows live on: the simulator's own function (shardOf). */
  private shard(key: number): Shard {
    return this.shards[shardOfKey(this.plan, key)]!;
  }

  startLagMonitor(intervalMs = 1000): void {
    const tick = async () => {
      await Promise.all(
        this.monitor.map(async ({ label, pool }) => {
          try {
            const r = await pool.query<{ lag: string | null }>(
              "SELECT CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 " +
                "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END AS lag",
            );
            this.metrics.replicaLag.set({ server: label }, Number(r.rows[0]?.lag ?? 0));
          } catch {
            this.metrics.replicaLag.set({ server: label }, NaN);
          }
        }),
      );
    };
    this.lagTimer = setInterval(() => void tick(), intervalMs);
    this.lagTimer.unref();
  }

  private async withClient<T>(server: Server, op: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const gate = this.gate;
    const waiting = () => (gate ? gate.waiting : server.pool.waitingCount);
    this.metrics.poolWaiting.set({ server: server.label }, waiting() + 1);
    let client: pg.PoolClient;
    try {
      if (gate) await gate.acquire();
      try {
        client = await server.pool.connect();
      } catch (e) {
        gate?.release();
        throw e;
      }
    } catch (e) {
      if (!isPoolTimeout(e)) throw new DbUnavailable(`${server.label}: ${e instanceof Error ? e.message : String(e)}`);
      this.metrics.poolTimeouts.inc({ server: server.label });
      throw new PoolTimeout(`${server.label} pool: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.metrics.poolWaiting.set({ server: server.label }, waiting());
    }
    const t1 = performance.now();
    this.metrics.poolWait.observe({ server: server.label }, (t1 - t0) / 1000);
    try {
      const result = await fn(client);
      client.release();
      this.metrics.callTime.observe({ kind: "database", op }, (performance.now() - t1) / 1000);
      this.metrics.dbQueries.inc({ server: server.label, op });
      return result;
    } catch (e) {
      client.release(e instanceof Error ? e : true);
      if (isConnectionError(e)) throw new DbUnavailable(`${server.label}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    } finally {
      gate?.release();
    }
  }

  private reader(key: number): Server {
    const sh = this.shard(key);
    return sh.readers[sh.next++ % sh.readers.length]!;
  }

  /**
   * @param respond the call step's response_size as drawn: the answer's row then carries a `pad`
   *   column that makes its values exactly that many bytes (the model's response on the
   *   database's link, parts/pg-framer.ts counting the values), dropped from the product returned
   */
  async readProduct(key: number, respond?: number): Promise<ProductRow | undefined> {
    const cost = sample(this.plan.read, this.rng);
    return this.withClient(this.reader(key), "read", async (c) => {
      if (respond !== undefined) {
        const r = await c.query<ProductRow & { pad: string }>(PADDED_READ_SQL, [key, cost, respond]);
        const row = r.rows[0];
        return row ? { id: row.id, name: row.name, price_cents: row.price_cents, version: row.version } : undefined;
      }
      const r = await c.query<ProductRow>(
        "SELECT id, name, price_cents, version FROM products, pg_sleep($2) WHERE id = $1",
        [key, cost],
      );
      return r.rows[0];
    });
  }

  async writeOrder(order: { id: string; product: number; quantity: number }): Promise<void> {
    const cost = sample(this.plan.write, this.rng);
    // An order lives on its product's shard.
    await this.withClient(this.shard(order.product).primary, "write", (c) =>
      c.query("INSERT INTO orders (id, product, quantity) SELECT $1, $2, $3 FROM pg_sleep($4)", [
        order.id,
        order.product,
        order.quantity,
        cost,
      ]),
    );
  }

  async writeProduct(key: number): Promise<void> {
    const cost = sample(this.plan.write, this.rng);
    await this.withClient(this.shard(key).primary, "write", (c) =>
      c.query("UPDATE products SET version = version + 1 FROM pg_sleep($2) WHERE id = $1", [key, cost]),
    );
  }

  /** Whether the YAML gives the database a `table:`: reads and writes then go to `items` (readRow, insertRows). */
  get hasTable(): boolean {
    return this.plan.table !== undefined;
  }

  /**
   * A read of the YAML's table by column `by` (id when undefined) for the request's key: the
   * injected `read` time, then the lookup, in one statement. The scalar subquery has no LIMIT, so
   * without an index PostgreSQL reads every row (the model's full scan, c x n) and with one it
   * descends the B-tree (b x log n); EXPLAIN ANALYZE shows which (tableReadSql).
   */
  async readRow(by: string | undefined, key: number): Promise<void> {
    const cost = sample(this.plan.read, this.rng);
    await this.withClient(this.reader(key), "read", (c) => c.query(tableReadSql(by), [tableValue(by, key), cost]));
  }

  /** A write to the YAML's table: the injected `write` time, then `growth` new rows. */
  async insertRows(): Promise<void> {
    const cost = sample(this.plan.write, this.rng);
    await this.withClient(this.shards[0]!.primary, "write", (c) => c.query("SELECT pg_sleep($1), headroom_insert($2)", [cost, this.plan.table!.growth]));
  }

  /**
   * One page of a paginated class (service/pages.ts): the injected `read` time, then the `pageSize`
   * rows after row id `after` in key order (the YAML's table, else products), each carrying
   * `rowBytes` bytes of data. Its first row as a product (products only), for the cache's set.
   */
  async readPage(key: number, after: number, pageSize: number, rowBytes: number): Promise<{ rows: number; last?: number; first?: ProductRow }> {
    const cost = sample(this.plan.read, this.rng);
    const r = await this.withClient(this.reader(key), "read", (c) => c.query<ProductRow & { data: string }>(pageReadSql(this.hasTable), [after, pageSize, Math.round(rowBytes), cost]));
    const head = r.rows[0];
    const first = head && !this.hasTable ? { id: head.id, name: head.name, price_cents: head.price_cents, version: head.version } : undefined;
    return { rows: r.rows.length, last: r.rows[r.rows.length - 1]?.id, first };
  }

  async ping(): Promise<void> {
    await this.shards[0]!.primary.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    // After a failover the old primary's pool is already ended; ending a pool twice only rejects.
    await Promise.allSettled(this.shards.flatMap((sh) => [sh.primary, ...sh.replicas]).map((s) => s.pool.end()));
    await Promise.allSettled(this.monitor.map((m) => m.pool.end()));
  }
}

/** The statement of a table read by column `by` ($1 the value, $2 the injected seconds); id when undefined. */
/** A product read whose row's values (as text: the protocol's) come to $3 bytes with the pad, when they are not already longer. */
export const PADDED_READ_SQL =
  "SELECT id, name, price_cents, version, repeat('x', greatest(0, $3::int - octet_length(id::text) - octet_length(name) - octet_length(price_cents::text) - octet_length(version::text))) AS pad FROM products, pg_sleep($2) WHERE id = $1";

export function tableReadSql(by: string | undefined): string {
  const col = by === undefined || by === "id" ? "id" : `"${by.replace(/"/g, '""')}"`;
  return `SELECT pg_sleep($2), (SELECT id FROM items WHERE ${col} = $1) AS id`;
}

/** The value row `key` holds in column `by` (parts/postgres.ts tableSql: '<column>-<row>', id the row). */
export function tableValue(by: string | undefined, key: number): string | number {
  return by === undefined || by === "id" ? key : `${by}-${key}`;
}

/**
 * The statement of one page (service/pages.ts): $1 the row id it starts after, $2 the page size,
 * $3 each row's bytes of data, $4 the injected seconds; on the YAML's table, else products.
 */
export function pageReadSql(hasTable: boolean): string {
  return hasTable
    ? "SELECT id::int AS id, repeat('x', $3) AS data FROM items, pg_sleep($4) WHERE id > $1 ORDER BY id LIMIT $2"
    : "SELECT id, name, price_cents, version, repeat('x', $3) AS data FROM products, pg_sleep($4) WHERE id > $1 ORDER BY id LIMIT $2";
}
