// A database query's phases on its task row: take a connection from the caller's pool, ask the
// node the runtime (runtime.ts) picks, wait for the replicas' apply on a synchronous write, give the
// connection back and count the read or write (lost writes, stale replica reads, the table's rows).
// A plain function over the replication's state (engine/simulation.ts), called per phase: no
// closure or allocation per query.
import type { Replication } from "../../engine/simulation.ts";
import { C_LOST_WRITES, C_READS, C_REPLICA_READS, C_STALE, C_WRITES, DB_WRITE, EV_RESUME, R_DB_DOWN, R_REGION_DOWN } from "../../engine/codes.ts";
import { shardOf } from "../../engine/hash-key.ts";

/** Phase 0: take a pool connection; 1: query a node; 2: give the connection back and go on. */
export function dbStep(sim: Replication, t: number, pc: number): void {
  const p = sim.p;
  if (sim.tKilled[t] !== 0) { sim.fail(t, sim.tKilled[t]); return; }
  const d = p.argA[pc];
  const db = p.databases[d];
  const phase = sim.tDbPhase[t];
  if (phase === 0) {
    const replica = sim.tReplica[t];
    const pool = replica >= 0 ? db.pools[replica] : -1;
    if (pool >= 0) { sim.request(pool, t); return; }
    sim.tDbPhase[t] = 1;
  }
  if (sim.tDbPhase[t] === 1) {
    if (sim.compDown[db.component] !== 0) { sim.fail(t, R_REGION_DOWN); return; }
    const write = p.argB[pc] === DB_WRITE;
    const shard = shardOf(sim.tKey[t], db.shards, db.byRange, p.keySpace);
    // The node that serves it (components/database: a replica or the primary), -1 when it is down.
    const k = sim.db.node(d, shard, write);
    if (k < 0) { sim.fail(t, R_DB_DOWN); return; }
    sim.tDbNode[t] = k === sim.db.primaryOf(d, shard) ? 0 : 1 + k;
    sim.tSampler[t] = write ? db.writeSampler : db.readSampler;
    if (p.argC[pc] !== 0) sim.tExtra[t] = sim.tables.cost(d, shard, p.argC[pc]);
    sim.request(db.nodes[shard * db.nodesPerShard + k], t);
    return;
  }
  const key = sim.tKey[t];
  if (p.argB[pc] === DB_WRITE && db.synchronous) {
    if (sim.tDbPhase[t] === 2) {
      // Phase 2 of a synchronous write: the primary wrote it; the connection stays held while the
      // replicas apply it (a lag draw), when the shard has a replica up. tDbNode holds the
      // primary's node resource meanwhile (writes do not use it otherwise).
      const shard = shardOf(key, db.shards, db.byRange, p.keySpace);
      const node = sim.db.primaryNode(d, shard);
      if (db.lagSampler >= 0 && sim.db.replicasUp(d, shard) > 0) {
        sim.tDbPhase[t] = 3;
        sim.tDbNode[t] = node;
        sim.cal.pushTime = sim.now + sim.db.lag(d); sim.cal.pushAt(t * 32 + EV_RESUME, 0);
        return;
      }
    } else if (sim.db.isDown(sim.tDbNode[t])) {
      // Phase 3: the primary failed before the replicas acknowledged: the client gets an error.
      sim.fail(t, R_DB_DOWN);
      return;
    }
  }
  // Phase 2 (3 for a synchronous write): the query is done.
  const conn = sim.tPoolConn[t];
  if (conn >= 0) { sim.tPoolConn[t] = -1; sim.releaseUnit(conn, sim.tPoolConnSince, t); }
  const cs = sim.cStats[db.component];
  if (p.argB[pc] === DB_WRITE) {
    sim.db.written(d, key, sim.now);
    if (sim.measuring) {
      cs.counts[C_WRITES]++;
      // An acknowledged write an asynchronous failover's window holds is lost.
      if (sim.db.watched(d)) cs.counts[C_LOST_WRITES] += sim.db.lost(d, shardOf(key, db.shards, db.byRange, p.keySpace), sim.now);
    }
    if (db.table !== null) sim.tables.written(d, shardOf(key, db.shards, db.byRange, p.keySpace));
  } else {
    // tEnqueued: when the query asked its node, so sim is the node's wait plus the query.
    if (p.argC[pc] !== 0) sim.tables.read(d, sim.now, sim.now - sim.tEnqueued[t], sim.measuring);
    if (sim.measuring) cs.counts[C_READS]++;
    if (sim.tDbNode[t] > 0) {
      // A read on a replica is stale when the key's last write has not been applied there yet.
      const lag = sim.db.lag(d);
      if (sim.measuring) {
        cs.counts[C_REPLICA_READS]++;
        cs.latency.record(lag);
        if (sim.db.stale(d, key, sim.now, lag)) cs.counts[C_STALE]++;
      }
    }
  }
  sim.tDbPhase[t] = 0;
  sim.tPc[t] = pc + 1;
  sim.step(t);
}
