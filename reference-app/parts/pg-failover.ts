// A PostgreSQL failover done for real on the run's private clusters (parts/postgres.ts), as the
// model's `fail_primary` does it (simulator/engine/simulation.ts, fault/recover):
//   1. failPrimary: the shard's primary is killed (SIGKILL to its process group: a crash, nothing
//      flushed or sent after it) and, when the lag is on the wire (parts/wal-delay.ts), the WAL it
//      had not yet sent is dropped with it. The services are told (POST /admin/db primary-down):
//      reads stop going to it as the model's reads skip a node that is down; writes fail on their
//      own (connection refused: 503 database unavailable), as the model fails them (db_unavailable).
//   2. promote (`promote_after` later): the replica that received the most WAL (the model: the first
//      replica up; with equal replicas the same) is promoted with pg_promote(), PostgreSQL's
//      `pg_ctl promote` from SQL, polled until it is out of recovery. With synchronous replication
//      the new primary names the remaining replicas in synchronous_standby_names. Then the
//      services are told (POST /admin/db promoted): their write pools go to the promoted server.
//      Then the remaining replicas follow it (primary_conninfo changed, configuration reloaded; on
//      the wire again through a new delaying forwarder when the lag was), and keep serving reads,
//      as in the model.
// What it trades away: the services learn of the failure and the promotion from the launcher at
// once (no client-side detection delay, as the model assumes); a service process started after the
// failover (a restarted or scaled-out replica) would read the old primary from its config (plan.ts
// refuses auto-scaling with a failover).
import pg from "pg";
import { DATABASE, syncStandbyNames, type PgCluster, type PgServer } from "./postgres.ts";
import { startWalDelay, type WalDelay } from "./wal-delay.ts";

export interface FailoverEvent {
  readonly shard: number;
  /** Date.now() when the primary was dead (its process group killed and reaped). */
  readonly killedMs: number;
  /** Bytes of WAL the wire still held for the replicas when the primary died (discarded: never received). */
  readonly droppedBytes: number;
  /** Date.now() when pg_promote() returned, and when every service had been told. */
  promotedMs?: number;
  repointedMs?: number;
  /** The promoted replica's label and port. */
  promoted?: string;
  port?: number;
}

interface ShardState {
  primary: PgServer | undefined;
  replicas: PgServer[];
  /** Per replica label: its delaying forwarder (lag on the wire), to drop with the primary. */
  wire: Map<string, WalDelay>;
  readonly cluster: PgCluster;
}

/** Where the processes that hold database pools listen (running ones are told about a failover). */
export type Notify = (body: { event: "primary-down" | "promoted"; shard: number; port?: number }) => Promise<void>;

export class PgFailover {
  private readonly shards: ShardState[];
  readonly events: FailoverEvent[] = [];
  private readonly extraWire: WalDelay[] = [];
  private closed = false;

  constructor(clusters: readonly PgCluster[], private readonly notify: Notify, private readonly log: (line: string) => void = () => {}) {
    this.shards = clusters.map((c) => ({
      primary: c.primary,
      replicas: [...c.replicas],
      wire: new Map(c.replicas.flatMap((r, i) => (c.replication.wire?.[i] ? [[r.label, c.replication.wire[i]!] as const] : []))),
      cluster: c,
    }));
  }

  private shard(i: number): ShardState {
    const s = this.shards[i];
    if (!s) throw new RangeError(`no shard ${i}; there are ${this.shards.length} (numbered from 0)`);
    return s;
  }

  /** Every delaying forwarder's port, the first ones and those made for followers (tests check they are released). */
  wirePorts(): number[] {
    return [...this.shards.flatMap((s) => (s.cluster.replication.wire ?? []).map((w) => w.port)), ...this.extraWire.map((w) => w.port)];
  }

  /** The shard's current primary's port (undefined between its failure and a promotion). */
  primaryPort(shard: number): number | undefined {
    return this.shard(shard).primary?.port;
  }

  /** One connection as the shard's superuser (each shard's cluster has its own password). */
  private async withAdmin<T>(s: ShardState, port: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const su = s.cluster.superuser;
    const c = new pg.Client({ host: "127.0.0.1", port, user: su.user, password: su.password, database: DATABASE, connectionTimeoutMillis: 5000 });
    c.on("error", () => {});
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end().catch(() => {});
    }
  }

  private sql<T extends pg.QueryResultRow>(s: ShardState, port: number, [text]: [string]): Promise<T[]> {
    return this.withAdmin(s, port, async (c) => (await c.query<T>(text)).rows);
  }

  /** Kills the shard's primary (and the WAL the wire still held for it), then tells the services. */
  async failPrimary(shard: number): Promise<FailoverEvent> {
    if (this.closed) throw new Error("the run is stopping");
    const s = this.shard(shard);
    const primary = s.primary;
    if (!primary) throw new RangeError(`shard ${shard}'s primary is already down`);
    if (s.replicas.length === 0) throw new RangeError(`shard ${shard} has no replica to promote`);
    s.primary = undefined;
    // The machine dies: the process group first, then what it had not sent (the forwarders also
    // discard it on their own as the primary's sockets close).
    const before = [...s.wire.values()].reduce((n, w) => n + w.discarded(), 0);
    await primary.control.kill();
    for (const w of s.wire.values()) w.drop();
    const droppedBytes = [...s.wire.values()].reduce((n, w) => n + w.discarded(), 0) - before;
    const ev: FailoverEvent = { shard, killedMs: Date.now(), droppedBytes };
    this.events.push(ev);
    this.log(`failover: shard ${shard}'s primary (127.0.0.1:${primary.port}) killed; ${droppedBytes} bytes of WAL on the wire dropped`);
    await this.notify({ event: "primary-down", shard }).catch((e) => this.log(`failover: telling the services failed: ${String(e)}`));
    return ev;
  }

  /** Promotes the replica with the most WAL received; the others follow it; the services write to it. */
  async promote(shard: number): Promise<FailoverEvent> {
    if (this.closed) throw new Error("the run is stopping");
    const s = this.shard(shard);
    if (s.primary) throw new RangeError(`shard ${shard}'s primary is up: fail it first`);
    const ev = [...this.events].reverse().find((e) => e.shard === shard && e.promoted === undefined);
    if (!ev) throw new RangeError(`shard ${shard}: no failed primary to replace`);
    // The most advanced replica: the others can then follow it (none is past its timeline's fork).
    // With one replica there is no choice to make (and no connection spent on it).
    let next = s.replicas.length === 1 ? s.replicas[0]! : undefined;
    if (!next) {
      let best: { r: PgServer; lsn: number } | undefined;
      for (const r of s.replicas) {
        try {
          const [row] = await this.sql<{ lsn: number | null }>(s, r.port, ["SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0')::float8 AS lsn"]);
          const lsn = row?.lsn ?? -1;
          if (!best || lsn > best.lsn) best = { r, lsn };
        } catch (e) {
          this.log(`failover: ${r.label} unreachable, not promoted: ${String(e)}`);
        }
      }
      next = best?.r;
    }
    if (!next) throw new Error(`shard ${shard}: no replica answers; nothing to promote`);
    const promoted = next;
    // pg_promote(wait => true) checks every 100 ms; asking without waiting and then polling every
    // 5 ms on the same connection ends the outage as soon as the server is out of recovery.
    await this.withAdmin(s, promoted.port, async (c) => {
      await c.query("SELECT pg_promote(false)");
      const deadline = Date.now() + 60_000;
      while ((await c.query<{ rec: boolean }>("SELECT pg_is_in_recovery() AS rec")).rows[0]?.rec) {
        if (Date.now() > deadline) throw new Error(`shard ${shard}: ${promoted.label} did not finish promoting within 60 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const rest = s.replicas.filter((r) => r !== promoted);
      // Synchronous: the new primary waits for the replicas left (none left: it was never set there).
      if (s.cluster.replication.synchronous && rest.length > 0) {
        await c.query(`ALTER SYSTEM SET synchronous_standby_names = '${syncStandbyNames(rest.map((r) => r.label))}'`);
        await c.query("SELECT pg_reload_conf()");
      }
    });
    ev.promotedMs = Date.now();
    ev.promoted = promoted.label;
    ev.port = promoted.port;
    const rest = s.replicas.filter((r) => r !== promoted);
    s.primary = promoted;
    s.replicas = rest;
    s.wire.get(promoted.label)?.drop();
    s.wire.delete(promoted.label);
    // The services first (writes resume), then the other replicas follow.
    await this.notify({ event: "promoted", shard, port: promoted.port });
    ev.repointedMs = Date.now();
    this.log(`failover: shard ${shard}: ${promoted.label} (127.0.0.1:${promoted.port}) promoted; services repointed`);
    for (const r of rest) {
      // Follow the new primary: through a new delaying forwarder when the lag is on the wire.
      let target = promoted.port;
      const old = s.wire.get(r.label);
      if (old) {
        const w = await startWalDelay(promoted.port, s.cluster.replication.lagMs);
        // The run stopped meanwhile (Ctrl-C mid-failover): close() has run, so this one is closed here.
        if (this.closed) {
          await w.close();
          throw new Error("the run is stopping");
        }
        this.extraWire.push(w);
        s.wire.set(r.label, w);
        target = w.port;
      }
      await this.withAdmin(s, r.port, async (c) => {
        const cur = (await c.query<{ primary_conninfo: string }>("SHOW primary_conninfo")).rows[0];
        const conninfo = (cur?.primary_conninfo ?? "").replace(/\bport=\d+/, `port=${target}`);
        // The conninfo holds the superuser's password: it goes into the 0600 postgresql.auto.conf, not a log.
        await c.query(`ALTER SYSTEM SET primary_conninfo = '${conninfo.replace(/'/g, "''")}'`);
        await c.query("SELECT pg_reload_conf()");
      });
      this.log(`failover: ${r.label} follows ${promoted.label} (127.0.0.1:${target})`);
    }
    return ev;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.extraWire.map((w) => w.close()));
  }
}
