// The fitted model: the call graph with a distribution fitted to every operation's times, each
// request class's arrival rate and share, cache hit ratios and the instance counts seen. What the
// scenario writer, the --update editor and the report read. Pure (no I/O). Trades away operations
// with fewer than MIN_SAMPLES samples: their times are reported, not fitted.
import { estimateKeys, type KeyEstimate } from "./keys.ts";
import { fitDurations, type FitResult } from "./fit-dist.ts";
import type { CallGraph, OpNode } from "./graph.ts";

export const MIN_SAMPLES = 5;

export interface FittedOp {
  readonly node: OpNode;
  /** Undefined when the operation has fewer than MIN_SAMPLES samples. */
  readonly fit: FitResult | undefined;
}

export interface FittedClass {
  /** The entry operation's key (service.METHOD path). */
  readonly key: string;
  readonly service: string;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly count: number;
  /** Arrivals per second over the traces' window. */
  readonly rate: number;
  /** Its key space from the keys its requests asked for (fit/keys.ts), when the path has one and enough requests said it. */
  readonly keys?: KeyEstimate;
}

export interface FittedModel {
  readonly graph: CallGraph;
  readonly ops: ReadonlyArray<FittedOp>;
  readonly classes: ReadonlyArray<FittedClass>;
  /** Arrivals per second of all classes together. */
  readonly totalRate: number;
  readonly caches: ReadonlyArray<{ readonly component: string; readonly gets: number; readonly misses: number; readonly hitRatio: number; readonly ci95: number }>;
}

export function fitModel(graph: CallGraph): FittedModel {
  const ops: FittedOp[] = [];
  for (const node of graph.ops.values()) {
    ops.push({ node, fit: node.times.length >= MIN_SAMPLES ? fitDurations(node.times) : undefined });
  }
  const total = [...graph.classes.values()].reduce((k, a) => k + a.length, 0);
  // n arrivals in a window of length W: the rate's estimate is (n - 1) / W between the first and last.
  const totalRate = graph.window > 0 ? (total - 1) / graph.window : 0;
  const classes: FittedClass[] = [...graph.classes].map(([key, arrivals]) => {
    const node = graph.ops.get(key)!;
    const m = /^([A-Z]+) (\/.*)$/.exec(node.op);
    const keys = m?.[2]?.includes("{") ? estimateKeys(graph.keyHits.get(key)?.values() ?? []) : undefined;
    return { key, service: node.component, method: m?.[1], path: m?.[2], count: arrivals.length, rate: total > 0 ? (totalRate * arrivals.length) / total : 0, ...(keys ? { keys } : {}) };
  });
  const caches = [...graph.caches].map(([component, c]) => {
    const p = c.gets > 0 ? 1 - c.misses / c.gets : 0;
    return { component, gets: c.gets, misses: c.misses, hitRatio: p, ci95: c.gets > 0 ? 1.96 * Math.sqrt((p * (1 - p)) / c.gets) : 0 };
  });
  return { graph, ops, classes, totalRate, caches };
}

/** A scenario name from a class, component or file name: [a-z][a-z0-9_-]*. */
export function scenarioName(raw: string, fallback = "x"): string {
  let s = raw.toLowerCase().replace(/\{[^}]*\}/g, "").replace(/[^a-z0-9_-]+/g, "_").replace(/^[^a-z]+/, "").replace(/_+$/g, "").replace(/__+/g, "_");
  if (s === "") s = fallback;
  return s.slice(0, 64);
}

/** A class's name from its method and path: GET /products/{key} -> get_products. */
export function className(c: FittedClass): string {
  return c.method !== undefined && c.path !== undefined ? scenarioName(`${c.method}_${c.path}`, "request") : scenarioName(c.key.split(".").slice(1).join("_"), "request");
}
