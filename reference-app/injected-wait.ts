// The reference app's database work is an injected pg_sleep; its traced query spans also hold the
// stack's own round trip. Marking each span with the wait it was told to take lets a test measure
// that round trip in the same spans (fit/fit-loop.e2e.test.ts) instead of guessing an allowance.
// Kept apart from tracing.ts, which starts the SDK when imported.

/** Span attribute: seconds of pg_sleep the query carried (the reference app's injected cost). */
export const INJECTED_WAIT_ATTR = "headroom.injected_wait_s";

/** A pg instrumentation request hook: sets INJECTED_WAIT_ATTR from the query's `pg_sleep($N)` parameter. */
export function markInjectedWait(span: { setAttribute(k: string, v: number): unknown }, info: { query: { text: string; values?: unknown[] } }): void {
  const m = /pg_sleep\(\$(\d+)\)/.exec(info.query.text);
  const v = m ? Number(info.query.values?.[Number(m[1]) - 1]) : NaN;
  if (Number.isFinite(v)) span.setAttribute(INJECTED_WAIT_ATTR, v);
}
