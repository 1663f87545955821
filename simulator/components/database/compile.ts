// A database's compile step: per shard a primary and its replicas, each a server node resource
// of max_connections units; with `pool:`, a connection pool per replica of every service whose
// handlers call it (pool_timeout on the wait); the samplers of a read, a write and the
// replication lag; and the table's cost model. A `call:` to it is OP_DB (operand b: DB_READ or
// DB_WRITE; c: the query's row-cost mode, model/table.ts) between the crossings there and back;
// a paginated class's read returns its page of rows (FlowContext.readRows). The payload sizes
// around the call are the flow compiler's (engine/program.ts).
import type { DatabaseComponent, Step } from "../../model/schema.ts";
import { QUERY_NONE, queryMode } from "../../model/table.ts";
import { DB_READ, DB_WRITE, MODE_HOLD, MODE_SERVICE, OP_DB } from "../../engine/codes.ts";
import type { CallEdge, CompileContext, FlowContext } from "../kind.ts";

export interface DatabaseSpec {
  readonly component: number;
  readonly shards: number;
  readonly byRange: boolean;
  /** Node resources per shard: [primary, replica 1, ...], flattened shard-major. */
  readonly nodes: Int32Array;
  readonly nodesPerShard: number;
  readonly readFrom: number; // 0 primary, 1 replicas, 2 any
  readonly readSampler: number;
  readonly writeSampler: number;
  readonly lagSampler: number;
  /**
   * `replication: synchronous`: a write is acknowledged once the replicas have applied it (a lag
   * draw after the primary's write), so no read of it is stale and no failover loses it.
   */
  readonly synchronous: boolean;
  /** Pool resource per global service replica (-1 when that replica has no pool to this database). */
  readonly pools: Int32Array;
  /**
   * The table's cost model (model/table.ts), null without `table:`: rows at the start (split
   * evenly over the shards), rows each write adds, and b and c of a lookup's and a scan's cost.
   * OP_DB's operand c is the query's mode (QUERY_NONE, QUERY_INDEX, QUERY_SCAN).
   */
  readonly table: { readonly rows: number; readonly growth: number; readonly lookup: number; readonly scan: number } | null;
}

export function compileDatabase(c: DatabaseComponent, component: number, ctx: CompileContext): DatabaseSpec {
  const name = ctx.componentName(component);
  const shards = c.shards?.count ?? 1;
  const per = 1 + c.replicas;
  const nodes = new Int32Array(shards * per);
  for (let s = 0; s < shards; s++) {
    for (let k = 0; k < per; k++) {
      const label = `${name}${shards > 1 ? `.shard${s}` : ""}.${k === 0 ? "primary" : `replica${k}`}`;
      nodes[s * per + k] = ctx.addResource({ name: label, component, units: c.max_connections, mode: MODE_SERVICE, buffer: -1, timeout: Infinity, sampler: -1, main: true });
    }
  }
  const pools = new Int32Array(ctx.replicaCount()).fill(-1);
  if (c.pool) {
    for (const sn of ctx.callers(name)) {
      const svc = ctx.service(sn);
      for (let i = 0; i < svc.slots.length; i++) {
        pools[svc.replicas[i]] = ctx.addResource({
          name: `${name}.pool@${sn}#${i + 1}`, component, units: c.pool.size, mode: MODE_HOLD,
          buffer: -1, timeout: c.pool.timeout, sampler: -1, main: false,
        });
      }
    }
  }
  return {
    component, shards, byRange: c.shards?.by === "range", nodes, nodesPerShard: per,
    readFrom: c.read_from === "primary" ? 0 : c.read_from === "replicas" ? 1 : 2,
    readSampler: ctx.sampler(c.read), writeSampler: ctx.sampler(c.write),
    lagSampler: c.replication_lag ? ctx.sampler(c.replication_lag) : -1, pools,
    synchronous: c.replication === "synchronous",
    table: c.table ? { rows: c.table.rows, growth: c.table.growth, lookup: c.table.lookup, scan: c.table.scan } : null,
  };
}

/** A `call:` to database `database`: the crossing there, OP_DB, a paginated read's rows, the crossing back, the edge's way back. */
export function emitDatabaseCall(step: Extract<Step, { call: string }>, c: DatabaseComponent, database: number, cls: number, region: number, path: string, edge: CallEdge, ctx: FlowContext): void {
  const lat = ctx.latency(region, ctx.regionIndex(c.region));
  if (lat >= 0) ctx.delay(lat, `${path}:lat>`);
  const write = step.op === "write";
  ctx.emit(OP_DB, database, write ? DB_WRITE : DB_READ, c.table && !write ? queryMode(step.by, c.table.indexes) : QUERY_NONE);
  if (!write) ctx.readRows(step.call, cls);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<`);
  if (edge.net) ctx.delay(ctx.sampler(edge.net), `${path}:network<`);
  if (edge.cost) ctx.delay(ctx.sampler(edge.cost), `${path}:call-overhead<`);
}
