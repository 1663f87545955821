// The databases' tables over one replication (model/table.ts has the cost model): rows per shard,
// growing by `growth` on every completed write, the row cost a read pays at the size the table has
// when the read reaches its node, and what the result reports: rows at the warm-up and the end,
// read times at the database in the statistics window, and the first interval whose mean read
// time passed the SLO's limit (the observed crossing). Numbers in, numbers out: nothing is
// allocated per query.
import { crossing, queryCost, type TableCost } from "../model/table.ts";
import { estimate, type Estimate } from "./stats.ts";

/** One database's table figures of one replication (ReplicationResult.tables; null: no table). */
export interface TableStats {
  /** Rows (all shards) when the statistics window opened, and at the end of the run. */
  rowsAtWarmup: number;
  rowsAtEnd: number;
  /** Reads with a row cost completed in the window, and their time at the database (wait + query), seconds. */
  reads: number;
  readTime: number;
  /** Start of the first interval whose reads took longer than the limit on average (NaN: none), and the rows then. */
  crossedAt: number;
  crossedRows: number;
}

export interface TableSpecLike extends TableCost {
  readonly rows: number;
  readonly growth: number;
}

export class TableRuntime {
  /** Per database: rows per shard (empty without a table). */
  private readonly rows: Float64Array[];
  private readonly stats: Array<TableStats | null>;
  /** Observed crossing: per database, the current interval's index, read count and summed time. */
  private readonly ivIndex: Float64Array;
  private readonly ivCount: Float64Array;
  private readonly ivSum: Float64Array;

  constructor(
    private readonly specs: ReadonlyArray<{ readonly shards: number; readonly table: TableSpecLike | null }>,
    /** Seconds: a read slower than this on average over an interval crosses (Infinity: no SLO). */
    private readonly limit: number,
    private readonly interval: number,
  ) {
    this.rows = specs.map((d) => (d.table ? new Float64Array(d.shards).fill(d.table.rows / d.shards) : new Float64Array(0)));
    this.stats = specs.map((d) => (d.table ? { rowsAtWarmup: d.table.rows, rowsAtEnd: d.table.rows, reads: 0, readTime: 0, crossedAt: NaN, crossedRows: NaN } : null));
    this.ivIndex = new Float64Array(specs.length);
    this.ivCount = new Float64Array(specs.length);
    this.ivSum = new Float64Array(specs.length);
  }

  /** The row cost of a query of `mode` on shard `shard` of database d now, seconds. */
  cost(d: number, shard: number, mode: number): number {
    return queryCost(mode, this.rows[d][shard], this.specs[d].table!);
  }

  /** A write completed on the shard: the table gains its rows. */
  written(d: number, shard: number): void {
    this.rows[d][shard] += this.specs[d].table!.growth;
  }

  /** A read with a row cost completed at `now` after `time` seconds at the database. */
  read(d: number, now: number, time: number, measuring: boolean): void {
    const st = this.stats[d]!;
    if (measuring) { st.reads++; st.readTime += time; }
    if (this.limit === Infinity || !Number.isNaN(st.crossedAt)) return; // no SLO, or crossed already
    const iv = Math.floor(now / this.interval);
    if (iv !== this.ivIndex[d]) {
      this.closeInterval(d);
      this.ivIndex[d] = iv;
    }
    this.ivCount[d]++;
    this.ivSum[d] += time;
  }

  private closeInterval(d: number): void {
    const st = this.stats[d]!;
    if (this.ivCount[d] > 0 && this.ivSum[d] / this.ivCount[d] > this.limit && Number.isNaN(st.crossedAt)) {
      st.crossedAt = this.ivIndex[d] * this.interval;
      st.crossedRows = this.total(d);
    }
    this.ivCount[d] = 0;
    this.ivSum[d] = 0;
  }

  private total(d: number): number {
    let n = 0;
    for (const r of this.rows[d]) n += r;
    return n;
  }

  atWarmup(): void {
    this.stats.forEach((st, d) => { if (st) st.rowsAtWarmup = this.total(d); });
  }

  /** The figures at the end of the run (the last interval counts if it crossed). */
  finish(): Array<TableStats | null> {
    this.stats.forEach((st, d) => {
      if (!st) return;
      if (this.limit !== Infinity) this.closeInterval(d);
      st.rowsAtEnd = this.total(d);
    });
    return this.stats;
  }
}

/** The `table` section of a database's result (result.ts): rows, read times, the SLO crossing. */
export interface TableResult {
  /** Rows at the start (the YAML's), and over replications when the window opened and at the end. */
  readonly rows: { readonly start: number; readonly atWarmup: Estimate; readonly end: Estimate };
  /** Rows the table gained per second in the window (writes x growth). */
  readonly growthPerSecond: Estimate;
  /** Mean time of a read at the database (node wait + query), ms. */
  readonly readMs: Estimate;
  /** The limit a read is held to (the SLO's mean limit, else its tightest percentile), ms; null without a latency SLO. */
  readonly limitMs: number | null;
  /**
   * When a read crosses the limit. `predicted`: the read's own time without queueing (the mean
   * `read` time plus the row cost of its slowest query, a scan if any read scans) on the table
   * growing at the measured rate, possibly beyond the run; null when it never does. `observed`:
   * the start of the first interval whose reads took longer than the limit on average (node wait
   * included), over the replications where it happened (`replications` of `of`), and the rows then.
   */
  readonly crossing: {
    readonly predicted: { readonly atS: number; readonly rows: number } | null;
    readonly observed: { readonly atS: Estimate; readonly rows: Estimate; readonly replications: number; readonly of: number };
  } | null;
}

export function tableResult(
  spec: { readonly shards: number; readonly table: TableSpecLike | null },
  d: number,
  /** Mean of the database's `read` time, seconds. */
  readMean: number,
  /** The slowest row-cost mode among the reads of this database (QUERY_NONE when none reads it). */
  mode: number,
  limit: number,
  reps: ReadonlyArray<{ readonly window: number; readonly tables: ReadonlyArray<TableStats | null> }>,
): TableResult {
  const t = spec.table!;
  const st = reps.map((r) => r.tables[d]!);
  const growth = estimate(st.map((x, i) => (reps[i].window > 0 ? (x.rowsAtEnd - x.rowsAtWarmup) / reps[i].window : NaN)));
  let predicted: { atS: number; rows: number } | null = null;
  if (limit !== Infinity && mode !== 0) {
    const c = crossing(mode, t.rows / spec.shards, Number.isFinite(growth.mean) ? growth.mean / spec.shards : 0, readMean, limit, t);
    predicted = c ? { atS: c.at, rows: c.rows * spec.shards } : null;
  }
  const crossed = st.filter((x) => Number.isFinite(x.crossedAt));
  return {
    rows: { start: t.rows, atWarmup: estimate(st.map((x) => x.rowsAtWarmup)), end: estimate(st.map((x) => x.rowsAtEnd)) },
    growthPerSecond: growth,
    readMs: estimate(st.map((x) => (x.reads > 0 ? (1000 * x.readTime) / x.reads : NaN))),
    limitMs: limit === Infinity ? null : limit * 1000,
    crossing: limit === Infinity ? null : {
      predicted,
      observed: { atS: estimate(crossed.map((x) => x.crossedAt)), rows: estimate(crossed.map((x) => x.crossedRows)), replications: crossed.length, of: st.length },
    },
  };
}
