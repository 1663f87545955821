// A database's result section: reads and writes, the share of replica reads that missed a write
// (stale), the replication lag drawn for replica reads, the pools' wait (with `pool:`), the
// acknowledged writes a failover lost (only when a failover strikes it, so older results keep
// their bytes) and, with `table:`, the table's growth and read times (engine/tables.ts).
import { C_LOST_WRITES, C_READS, C_REPLICA_READS, C_STALE, C_WRITES, OP_DB } from "../../engine/codes.ts";
import { Histogram } from "../../engine/histogram.ts";
import { estimate, latencyMs } from "../../engine/stats.ts";
import { tableResult } from "../../engine/tables.ts";
import { tableLimit } from "../../model/table.ts";
import type { ResultContext } from "../kind.ts";

export function databaseResult({ reps, component: ci, program: p }: ResultContext): Record<string, unknown> {
  const count = (i: number) => reps.reduce((a, rep) => a + rep.components[ci].counts[i], 0);
  const out: Record<string, unknown> = {
    reads: count(C_READS),
    writes: count(C_WRITES),
    staleReadRatio: estimate(reps.map((rep) => {
      const d = 0 + rep.components[ci].counts[C_REPLICA_READS];
      return d > 0 ? rep.components[ci].counts[C_STALE] / d : NaN;
    })),
    replicationLagMs: latencyMs(reps.map((rep) => rep.components[ci].latency)),
  };
  const pools = p.components[ci].resources.filter((r) => !p.resources[r].main);
  if (pools.length > 0) {
    out.poolWaitMs = latencyMs(reps.map((rep) => Histogram.ofParts(pools.map((r) => rep.resources[r].wait))));
  }
  // Acknowledged writes the promoted replica lacked, per replication (0 with synchronous replication).
  if (p.faults.some((f) => f.kind === "fail_primary" && p.databases[f.database].component === ci)) {
    out.lostWrites = estimate(reps.map((rep) => rep.components[ci].counts[C_LOST_WRITES]));
  }
  const d = p.databases.findIndex((db) => db.component === ci);
  if (p.databases[d].table !== null) {
    // The slowest row-cost mode among the reads of this database.
    let mode = 0;
    for (let pc = 0; pc < p.op.length; pc++) if (p.op[pc] === OP_DB && p.argA[pc] === d && p.argC[pc] > mode) mode = p.argC[pc];
    out.table = tableResult(p.databases[d], d, p.samplers[p.databases[d].readSampler].mean, mode, tableLimit(p.report.slo), reps);
  }
  return out;
}
