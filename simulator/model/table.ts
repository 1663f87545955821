// A database table's cost model (docs/scenario-format.md, "database", `table:`): what a query costs
// as a function of the rows it has to get through, and when a growing table pushes a read past the
// SLO. Pure numbers, shared by the compiler, the engine, the result and the analytic estimate so the
// formula lives once. What it trades away: one table per database, a read touches one row (or
// scans all), and a B-tree lookup costs b x log2(n) (binary comparisons down the tree), not the
// page-level cost of a real index; `lookup` and `scan` are fitted to a real server, not derived.

/** How a query reaches its rows: no table model, a B-tree lookup (log n), a full scan (n). */
export const QUERY_NONE = 0, QUERY_INDEX = 1, QUERY_SCAN = 2;

/** The primary key: always indexed, what a read queries when its step gives no `by`. */
export const PRIMARY_KEY = "id";

export interface TableCost {
  /** b: seconds per log2(rows) of an index lookup. */
  readonly lookup: number;
  /** c: seconds per row of a full scan. */
  readonly scan: number;
}

/** The row-dependent part of a query's service time, seconds, on a table of `rows` rows. */
export function queryCost(mode: number, rows: number, t: TableCost): number {
  if (mode === QUERY_INDEX) return rows > 1 ? t.lookup * Math.log2(rows) : 0;
  if (mode === QUERY_SCAN) return rows > 0 ? t.scan * rows : 0;
  return 0;
}

/** QUERY_INDEX when `by` (default the primary key) is indexed, else QUERY_SCAN. */
export function queryMode(by: string | undefined, indexes: ReadonlyArray<string>): number {
  const col = by ?? PRIMARY_KEY;
  return col === PRIMARY_KEY || indexes.includes(col) ? QUERY_INDEX : QUERY_SCAN;
}

/**
 * The smallest table at which a query of this mode costs `budget` seconds on top of nothing else
 * (Infinity when it never does: a budget of 0 or less is crossed at once and returns 0).
 */
export function rowsAtCost(mode: number, budget: number, t: TableCost): number {
  if (budget <= 0) return 0;
  if (mode === QUERY_SCAN) return t.scan > 0 ? budget / t.scan : Infinity;
  if (mode === QUERY_INDEX) {
    if (t.lookup <= 0) return Infinity;
    const e = budget / t.lookup;
    return e > 1023 ? Infinity : 2 ** e; // beyond 2^1023 rows: never, in any real sense
  }
  return Infinity;
}

/**
 * When a read crosses a latency limit as the table grows linearly: the table starts at `rows0`
 * and gains `growthRate` rows a second; the read costs `base` (its mean `read` time, plus whatever
 * else the caller counts) plus its row cost. Returns the time (seconds from the start of the run)
 * and the rows then, or null when it never crosses (no growth and under the limit, or a limit the
 * query cannot reach). Time 0 when it is over the limit from the start.
 */
export function crossing(mode: number, rows0: number, growthRate: number, base: number, limit: number, t: TableCost): { at: number; rows: number } | null {
  const rows = rowsAtCost(mode, limit - base, t);
  if (rows <= rows0) return { at: 0, rows: rows0 };
  if (!Number.isFinite(rows) || growthRate <= 0) return null;
  return { at: (rows - rows0) / growthRate, rows };
}

/**
 * The latency a database read is held to for the observed SLO crossing (engine/tables.ts) and the predicted one: the
 * SLO's mean limit, else its tightest percentile limit; Infinity without a latency SLO.
 */
export function tableLimit(slo: { readonly latency?: Readonly<Record<string, number | undefined>> } | undefined): number {
  const l = slo?.latency;
  if (!l) return Infinity;
  if (l.mean !== undefined) return l.mean;
  let m = Infinity;
  for (const v of Object.values(l)) if (v !== undefined && v < m) m = v;
  return m;
}

/**
 * The row cost the analytic estimate adds to a query (analytic/): at the table's starting size,
 * so it holds at the start of a run whose table grows (the estimate has no clock). A write adds
 * rows and pays none; `by` undefined with `op` null is "the slowest read of this database" (a scan
 * when `scans`).
 */
export function startRowCost(table: { readonly rows: number; readonly indexes: ReadonlyArray<string> } & TableCost | undefined, op: "read" | "write", by: string | undefined | null, scans = false): number {
  if (!table || op === "write") return 0;
  const mode = by === null ? (scans ? QUERY_SCAN : QUERY_INDEX) : queryMode(by, table.indexes);
  return queryCost(mode, table.rows, table);
}

type FlowStep = {
  readonly call?: string; readonly op?: string; readonly by?: string;
  readonly hit?: ReadonlyArray<FlowStep>; readonly miss?: ReadonlyArray<FlowStep>;
  readonly branch?: ReadonlyArray<{ readonly flow: ReadonlyArray<FlowStep> }>;
  readonly parallel?: ReadonlyArray<ReadonlyArray<FlowStep>>;
};

/** Whether some read of database `db` (in a class's flow, a handler or a queue's handler) scans its table. */
export function readsScan(
  scenario: { readonly load: { readonly classes: Readonly<Record<string, { readonly flow: ReadonlyArray<unknown> }>> }; readonly components: Readonly<Record<string, unknown>> },
  db: string,
  indexes: ReadonlyArray<string>,
): boolean {
  const walk = (flow: ReadonlyArray<unknown>): boolean => (flow as ReadonlyArray<FlowStep>).some((st) => {
    if (typeof st !== "object" || st === null) return false;
    if (st.call === db && st.op !== "write" && queryMode(st.by, indexes) === QUERY_SCAN) return true;
    return walk(st.hit ?? []) || walk(st.miss ?? []) || (st.branch ?? []).some((b) => walk(b.flow)) || (st.parallel ?? []).some((f) => walk(f));
  });
  for (const c of Object.values(scenario.load.classes)) if (walk(c.flow)) return true;
  for (const c of Object.values(scenario.components) as Array<{ handlers?: Record<string, ReadonlyArray<unknown>>; handler?: ReadonlyArray<unknown> }>) {
    for (const f of Object.values(c.handlers ?? {})) if (walk(f)) return true;
    if (c.handler && walk(c.handler)) return true;
  }
  return false;
}
