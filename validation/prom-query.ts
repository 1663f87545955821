// A client for Prometheus's HTTP API (/api/v1/query, an instant query), for the component rows of
// `headroom validate --target`: the user's YAML maps a component's metric to a PromQL expression,
// evaluated once at the end of the measurement window. `$window` in the expression becomes the
// window's length (e.g. `rate(busy_seconds_total[$window])` averages over exactly the measured
// seconds), like Grafana's $__range. Trades away range queries and series arithmetic on our side:
// the expression must reduce to one number (a scalar or a one-series vector), which PromQL's
// sum/avg do; anything else is an error naming the expression, never a guess.

export class PromQueryError extends Error {
  override readonly name = "PromQueryError";
}

/** The expression with `$window` replaced by the window's length in whole seconds (at least 1 s). */
export function expandWindow(expr: string, windowS: number): string {
  return expr.replace(/\$window\b/g, `${Math.max(1, Math.round(windowS))}s`);
}

interface ApiAnswer {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: unknown };
}

/** The value of a sample pair [time, "value"] as Prometheus writes it (NaN and ±Inf are strings too). */
function sampleValue(pair: unknown, expr: string): number {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[1] !== "string") throw new PromQueryError(`${expr}: the answer's sample is not [time, "value"]`);
  return Number(pair[1]);
}

/**
 * Evaluates `expr` at `atS` (unix seconds) on `server`. Returns the number, or null when the
 * expression selects no series at that time (nothing to measure: the row says so).
 */
export async function queryInstant(server: string, expr: string, atS: number, signal?: AbortSignal): Promise<number | null> {
  const url = new URL("api/v1/query", server.endsWith("/") ? server : server + "/");
  url.searchParams.set("query", expr);
  url.searchParams.set("time", atS.toFixed(3));
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000) });
  } catch (e) {
    throw new PromQueryError(`Prometheus at ${url.origin} did not answer (${(e as Error).message}) for ${expr}`);
  }
  const text = await res.text();
  let body: ApiAnswer;
  try {
    body = JSON.parse(text) as ApiAnswer;
  } catch {
    throw new PromQueryError(`Prometheus at ${url.origin} answered ${res.status} with something that is not its JSON API for ${expr}: ${text.slice(0, 120)}`);
  }
  if (body.status !== "success") throw new PromQueryError(`Prometheus at ${url.origin} rejected ${expr}: ${body.errorType ?? res.status}: ${body.error ?? "no error message"}`);
  const kind = body.data?.resultType;
  const result = body.data?.result;
  if (kind === "scalar") return sampleValue(result, expr);
  if (kind === "vector") {
    if (!Array.isArray(result)) throw new PromQueryError(`${expr}: the answer's vector is not a list`);
    if (result.length === 0) return null;
    if (result.length > 1) throw new PromQueryError(`${expr} returns ${result.length} series; reduce it to one number (e.g. sum(...) or avg(...))`);
    return sampleValue((result[0] as { value?: unknown }).value, expr);
  }
  throw new PromQueryError(`${expr} returns a ${kind ?? "missing"} result; an instant query must give a scalar or a one-series vector`);
}
