// A new scenario from a fitted model: classes with their rates and shares, one service per traced
// service (replicas = instances seen) with a handler per class, one cache, database and queue per
// traced one, every time a fitted distribution. What traces cannot tell (slots, pool sizes, cache
// capacity, key counts and popularity, timeouts) gets the format's defaults or a placeholder with a
// `# not determined from traces` comment, and the report lists them. Trades away load balancers and
// CDNs (not instrumented, so absent from traces): classes call their first service directly.
import { Document, isMap, isScalar, isSeq, visit, type Node } from "yaml";
import { distOf, ms } from "./dist-yaml.ts";
import { className, scenarioName, type FittedModel, type FittedOp } from "./model.ts";
import { handlerOf, type ScenarioStep } from "./steps.ts";
import { capacityFor, type KeyEstimate } from "./keys.ts";
import { lruHitRatio } from "../simulator/analytic/index.ts";

export const NOT_DETERMINED = " not determined from traces";

export interface Written {
  readonly yaml: string;
  /** Paths (dotted) given a placeholder, for the report. */
  readonly undetermined: ReadonlyArray<string>;
  /** Per class: spans whose call sequence was merged into a more common one. */
  readonly merged: ReadonlyArray<{ readonly op: string; readonly spans: number }>;
}

/** The scenario component name for an operation key's component (a queue's destination: its last segment). */
export function componentNames(model: FittedModel): (key: string) => string {
  return (key: string) => {
    const op = model.graph.ops.get(key)!;
    const raw = op.role === "publish" || op.role === "consume" ? op.component.split(".").pop()! : op.component;
    return scenarioName(raw, op.role);
  };
}

export function writeScenario(model: FittedModel, name: string, source: string): Written {
  const nameOf = componentNames(model);
  const fitOf = new Map<string, FittedOp>(model.ops.map((o) => [o.node.key, o]));
  const undetermined: string[] = [];
  const merged: Array<{ op: string; spans: number }> = [];
  const timeOf = (key: string | undefined, path: string): unknown => {
    const f = key === undefined ? undefined : fitOf.get(key)?.fit;
    if (!f) {
      undetermined.push(path);
      return "1ms";
    }
    return distOf(f);
  };
  const components: Record<string, Record<string, unknown>> = {};
  const classes: Record<string, unknown> = {};
  const totalCount = model.classes.reduce((k, c) => k + c.count, 0);

  const handlerFor = (entryKey: string, cls: string, seen: Set<string>): void => {
    if (seen.has(entryKey)) return;
    seen.add(entryKey);
    const node = model.graph.ops.get(entryKey)!;
    const svc = nameOf(entryKey);
    const comp = (components[svc] ??= { kind: "service", replicas: Math.max(1, node.instances.size), concurrency: 16, handlers: {} });
    if (node.instances.size === 0) undetermined.push(`components.${svc}.replicas`);
    comp["replicas"] = Math.max(comp["replicas"] as number, node.instances.size);
    const h = handlerOf(model.graph, node, nameOf);
    if (h.merged > 0) merged.push({ op: entryKey, spans: h.merged });
    (comp["handlers"] as Record<string, ScenarioStep[]>)[cls] = [{ service: timeOf(entryKey, `components.${svc}.handlers.${cls}[0].service`) }, ...h.steps];
    for (const child of node.children.keys()) if (model.graph.ops.get(child)?.role === "entry") handlerFor(child, cls, seen);
  };

  for (const c of model.classes) {
    const cls = className(c);
    const svc = nameOf(c.key);
    classes[cls] = {
      weight: Number(((100 * c.count) / Math.max(1, totalCount)).toPrecision(4)),
      ...(c.method !== undefined && c.path !== undefined ? { http: { method: c.method, path: c.path } } : {}),
      // The key space and its popularity, from the keys the requests asked for (fit/keys.ts); a
      // placeholder when the spans' paths do not say them.
      ...(c.path?.includes("{key}") ? { keys: c.keys ? keysOf(c.keys) : { count: "10k", popularity: "uniform" } } : {}),
      flow: [{ call: svc }],
    };
    if (c.path?.includes("{key}") && (!c.keys || c.keys.countIsLowerBound)) undetermined.push(`load.classes.${cls}.keys`);
    handlerFor(c.key, cls, new Set());
  }
  for (const o of model.ops) {
    const n = o.node;
    const comp = nameOf(n.key);
    if (n.role === "cache" && n.op === "get") {
      const capacity = capacityOf(model, n.component);
      components[comp] = { kind: "cache", capacity: capacity ?? "10k", service: timeOf(n.key, `components.${comp}.service`) };
      if (capacity === undefined) undetermined.push(`components.${comp}.capacity`);
    } else if (n.role === "database") {
      const db = (components[comp] ??= { kind: "database", keys: "10k" });
      if (n.op === "read" || n.op === "write") db[n.op] = timeOf(n.key, `components.${comp}.${n.op}`);
    } else if (n.role === "consume") {
      const h = handlerOf(model.graph, n, nameOf);
      components[comp] = {
        kind: "queue", workers: Math.max(1, n.instances.size), service: timeOf(n.key, `components.${comp}.service`),
        ...(h.steps.length ? { handler: h.steps } : {}),
      };
      if (n.instances.size === 0) undetermined.push(`components.${comp}.workers`);
    } else if (n.role === "cache" && !components[comp]) {
      components[comp] = { kind: "cache", capacity: "10k", service: timeOf(n.key, `components.${comp}.service`) };
      undetermined.push(`components.${comp}.capacity`);
    }
  }
  for (const o of model.ops) {
    const comp = nameOf(o.node.key);
    if (o.node.role === "publish" && !components[comp]) {
      components[comp] = { kind: "queue", workers: 1, service: "1ms" }; // its handlings were not traced
      undetermined.push(`components.${comp}.workers`, `components.${comp}.service`);
    }
  }
  for (const [cname, c] of Object.entries(components)) {
    if (c["kind"] === "database") {
      undetermined.push(`components.${cname}.keys`);
      for (const op of ["read", "write"]) if (c[op] === undefined) { c[op] = "1ms"; undetermined.push(`components.${cname}.${op}`); }
    }
    if (c["kind"] === "service") undetermined.push(`components.${cname}.concurrency`);
  }
  const scenario = {
    version: 1,
    name: scenarioName(name, "fitted"),
    description: `Fitted by headroom fit from ${source}`,
    seed: 1,
    simulation: { duration: "60s", warmup: "10s" },
    load: { model: "open", rate: `${Number(model.totalRate.toPrecision(4))}/s`, classes },
    components,
  };
  const doc = new Document(scenario);
  doc.commentBefore = ` ${scenario.name}: fitted by headroom fit from ${source}: times are distributions fitted to the\n traces' own times (see the fit report); values marked "not determined from traces" are placeholders.`;
  flowStyle(doc);
  for (const p of undetermined) {
    const node = doc.getIn(pathOf(p), true) as Node | undefined;
    if (node && (isScalar(node) || isMap(node))) node.comment = NOT_DETERMINED;
  }
  return { yaml: doc.toString({ lineWidth: 0 }), undetermined, merged };
}

/** A class's `keys:` from its estimate. */
function keysOf(k: KeyEstimate): Record<string, unknown> {
  return k.s > 0 ? { count: k.count, popularity: "zipf", s: k.s } : { count: k.count, popularity: "uniform" };
}

/**
 * A cache's capacity (keys) from its measured hit ratio: the LRU capacity that gives that ratio
 * (Che's approximation, as the simulator's analytic form) under the key space of the one keyed
 * class whose requests reach it. Undefined (a placeholder) when no class, or several, are keyed, the
 * cache saw no gets, or it missed no more than once per key (it never evicted).
 */
function capacityOf(model: FittedModel, cache: string): number | undefined {
  const seen = model.caches.find((c) => c.component === cache);
  if (!seen || seen.gets === 0) return undefined;
  const keyed = model.classes.filter((c) => c.keys && !c.keys.countIsLowerBound && reaches(model, c.key, cache));
  if (keyed.length !== 1) return undefined;
  // a cache that never had to evict (about one miss per distinct key: the cold start's) says only
  // that its capacity is at least the keys seen; the steady-state inverse would be wrong there
  if (seen.misses <= 1.05 * keyed[0]!.keys!.distinct) return undefined;
  return capacityFor(keyed[0]!.keys!, seen.hitRatio, (p, key, capacity) => lruHitRatio(p, key, capacity, 1, Infinity));
}

/** Whether an entry operation's calls (its own and its callees', transitively) reach a cache component. */
function reaches(model: FittedModel, entryKey: string, cache: string, seen = new Set<string>()): boolean {
  if (seen.has(entryKey)) return false;
  seen.add(entryKey);
  const node = model.graph.ops.get(entryKey);
  if (!node) return false;
  for (const child of node.children.keys()) {
    const op = model.graph.ops.get(child);
    if (op?.role === "cache" && op.component === cache) return true;
    if (op && reaches(model, child, cache, seen)) return true;
  }
  return false;
}

/** "components.api.handlers.get[0].service" -> ["components", "api", "handlers", "get", 0, "service"]. */
export function pathOf(dotted: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const part of dotted.split(".")) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part)!;
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Distributions, http and simple steps in flow style, as the bundled scenarios write them. */
export function flowStyle(doc: Document): void {
  visit(doc, {
    Map(_, node) {
      const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ""));
      if (keys.includes("dist") || keys.includes("method") || (keys.length <= 2 && (keys.includes("call") || keys.includes("publish") || keys.includes("service")) && node.items.every((p) => !isSeq(p.value)))) node.flow = true;
    },
    Seq(_, node) {
      if (node.items.every((i) => isScalar(i))) node.flow = true;
    },
  });
}

export { ms };
