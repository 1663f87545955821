// Measuring a system Headroom did not start (`headroom validate --target URL`): the same load and
// window statistics as against the reference app (drive-load.ts), but no app, no /metrics scrape
// and no fault injection. Component figures come only from the PromQL the YAML maps per component
// (`metrics:`), asked once at the end of the window; without --prometheus a mapped metric is
// reported as not measured, never estimated. Before any load, a preflight sends one request per
// class so that a wrong base URL or a path the system does not serve (404) is a clear input error
// rather than a level full of failures. Trades away what only the reference app exposes: balancer
// queue sampling, replication lag from pg_stat_replication, injected crashes.
import type { Scenario } from "../simulator/index.ts";
import { checkTarget } from "../k6/harness.ts";
import { driveLoad, MeasureError } from "./drive-load.ts";
import type { ComponentMeasurements, Measured, MeasureOptions } from "./measure.ts";
import { expandWindow, queryInstant, PromQueryError } from "./prom-query.ts";

/** Bad input about the target: unreachable, or a class path it does not serve. */
export class TargetError extends Error {
  override readonly name = "TargetError";
}

export interface TargetSpec {
  /** base URL; each class's http.path is appended (a path prefix is kept) */
  target: string;
  /** default Prometheus server; without it no query is made */
  prometheus?: string;
  /** Prometheus's scrape interval (ms): the queries wait this long past the window's end (default 15 s) */
  scrapeIntervalMs?: number;
}

/** The URL of a class's request, with `{key}` as key 0 (the k6 script's most popular key). */
export function classUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + path.replace(/\{key\}/g, "0");
}

/**
 * Checks the target accepts connections and answers each class's request with something other than
 * 404 (or 405: the method is not served there). Throws TargetError naming the class and the URL.
 */
export async function preflight(scenario: Scenario, spec: TargetSpec, signal?: AbortSignal): Promise<Array<{ name: string; url: string; status: number }>> {
  let base: URL;
  try {
    base = await checkTarget(spec.target);
  } catch (e) {
    throw new TargetError((e as Error).message);
  }
  const prefix = base.origin + base.pathname;
  const out = [];
  for (const [name, c] of Object.entries(scenario.load.classes)) {
    if (!c.http) throw new TargetError(`load.classes.${name} has no http section ({ method, path }); its requests cannot be sent to ${spec.target}`);
    const url = classUrl(prefix, c.http.path);
    const body = c.http.body === undefined ? undefined : (typeof c.http.body === "string" ? c.http.body : JSON.stringify(c.http.body)).replace(/\{key\}/g, "0");
    let status: number;
    try {
      const res = await fetch(url, {
        method: c.http.method,
        body,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        redirect: "manual",
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(10_000)]) : AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer();
    } catch (e) {
      throw new TargetError(`load.classes.${name}: ${c.http.method} ${url} got no answer (${(e as Error).message})`);
    }
    if (status === 404 || status === 405) {
      throw new TargetError(`load.classes.${name}: ${c.http.method} ${url} answered ${status}: the target does not serve this class's path (check --target's base URL and http.path)`);
    }
    out.push({ name, url, status });
  }
  return out;
}

/** Each component's `metrics:` asked at `atS` (unix s) over the window; a reason string where none was asked. */
export async function queryComponents(scenario: Scenario, prometheus: string | undefined, atS: number, windowS: number, log: (s: string) => void, signal?: AbortSignal): Promise<ComponentMeasurements> {
  const out: ComponentMeasurements = {};
  for (const [name, c] of Object.entries(scenario.components)) {
    if (!c.metrics) continue;
    const { server, ...queries } = c.metrics as Record<string, string | undefined>;
    const got: Record<string, number | null | string> = {};
    for (const [key, expr] of Object.entries(queries)) {
      if (expr === undefined) continue;
      if (!prometheus) {
        got[key] = "no --prometheus given";
        continue;
      }
      const q = expandWindow(expr, windowS);
      try {
        got[key] = await queryInstant(server ?? prometheus, q, atS, signal);
        log(`  ${name}.${key}: ${q} = ${got[key] ?? "no series"}`);
      } catch (e) {
        if (!(e instanceof PromQueryError)) throw e;
        got[key] = e.message;
        log(`  ${name}.${key}: not measured: ${e.message}`);
      }
    }
    out[name] = got;
  }
  return out;
}

/** A measureLevel for validateScenario (its `measure` option) that loads the user's system. */
export function targetMeasurer(spec: TargetSpec): (o: MeasureOptions) => Promise<Measured> {
  return async (o) => {
    const log = o.log ?? (() => {});
    log(`  load on ${spec.target} for ${o.durationS}s`);
    const { run, generator, requestsTotal, win } = await driveLoad({ ...o, target: spec.target });
    const windowS = o.durationS - o.warmupS;
    const endS = (win.firstMs + o.durationS * 1000) / 1000;
    // Prometheus holds a sample only after its next scrape: wait one scrape interval past the window
    if (spec.prometheus) await new Promise((r) => setTimeout(r, Math.max(0, endS * 1000 + (spec.scrapeIntervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS) - Date.now())));
    const components = await queryComponents(o.scenario, spec.prometheus, endS, windowS, log, o.signal);
    if (o.signal?.aborted) throw new MeasureError(`${o.file}: interrupted`);
    return { engine: run.engine, requestsTotal, classes: win.classes, arrivals: win.arrivals, components, scrapes: 0, generator };
  };
}

/** Prometheus's default scrape interval: how long after the window's end the queries wait by default. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;
