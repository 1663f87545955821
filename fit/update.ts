// `--update file.yaml`: the fitted parameters written into an existing scenario, changing nothing
// else. The yaml library's Document API finds each fitted value's place in the text (its source
// range), and only those characters are replaced: comments, key order, flow or block style, spacing
// and blank lines stay byte for byte. Fields: load.rate and class weights, each matched service's replicas and
// its handlers' own-time `service` steps, the cache's `service`, the database's `read` / `write`, a
// queue's `workers` and `service`. A field with nothing fitted is left as it was and listed. Trades
// away structure changes: a call the traces show but the file lacks is reported, not added.
import { isMap, isScalar, parseDocument, type Document, type Node } from "yaml";
import { parseScenario } from "../simulator/model/index.ts";
import type { Scenario } from "../simulator/model/index.ts";
import { distOf } from "./dist-yaml.ts";
import type { FittedModel, FittedOp } from "./model.ts";

export interface Updated {
  readonly yaml: string;
  /** Dotted paths whose values were replaced. */
  readonly changed: ReadonlyArray<string>;
  /** Fields left as they were, with why. */
  readonly kept: ReadonlyArray<string>;
  /** Traced operations that match nothing in the file. */
  readonly unmatched: ReadonlyArray<string>;
}

export class UpdateError extends Error {}

/** A value as one line of flow YAML: `{ dist: gamma, mean: 2ms, cv: 0.5 }`, `[1ms, 2ms]`, `40/s`. */
export function flowText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(flowText).join(", ")}]`;
  if (v !== null && typeof v === "object") return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flowText(x)}`).join(", ")} }`;
  return String(v);
}

interface Edit { readonly from: number; readonly to: number; readonly text: string }

/**
 * The edit that gives `path` the value `value` in the original text: the value's own characters are
 * replaced (its comments and everything around stay byte for byte), or, for a key the mapping lacks,
 * a line `key: value` is added after the mapping's last entry at its indentation.
 */
function editFor(doc: Document, text: string, path: ReadonlyArray<string | number>, value: unknown): Edit | undefined {
  const old = doc.getIn(path, true) as Node | undefined;
  if (old?.range) return { from: old.range[0], to: old.range[1], text: flowText(value) };
  const parent = doc.getIn(path.slice(0, -1), true) as Node | undefined;
  if (!isMap(parent) || !parent.range || parent.items.length === 0) return undefined;
  const last = parent.items[parent.items.length - 1]!;
  const end = (last.value as Node | null)?.range?.[1] ?? (last.key as Node).range![1];
  const key = (parent.items[0]!.key as Node).range![0];
  const lineStart = text.lastIndexOf("\n", key - 1) + 1;
  if (parent.flow) return { from: end, to: end, text: `, ${String(path[path.length - 1])}: ${flowText(value)}` };
  return { from: end, to: end, text: `\n${" ".repeat(key - lineStart)}${String(path[path.length - 1])}: ${flowText(value)}` };
}

export function updateScenario(text: string, file: string, model: FittedModel): Updated {
  const parsed = parseScenario(text, file);
  if (!parsed.ok) throw new UpdateError(parsed.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`).join("\n"));
  const sc: Scenario = parsed.scenario;
  const doc = parseDocument(text, { uniqueKeys: false, keepSourceTokens: true });
  const edits: Edit[] = [];
  const changed: string[] = [];
  const kept: string[] = [];
  const used = new Set<string>();
  const fits = new Map<string, FittedOp>(model.ops.map((o) => [o.node.key, o]));
  const set = (path: Array<string | number>, value: unknown) => {
    const e = editFor(doc, text, path, value);
    if (!e) {
      kept.push(`${path.join(".")} (no place for it in the file's layout)`);
      return;
    }
    edits.push(e);
    changed.push(path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(".").replace(/\.\[/g, "["));
  };
  const fitted = (key: string | undefined) => (key === undefined ? undefined : fits.get(key)?.fit);
  const components = sc.components as Record<string, { kind: string; handlers?: Record<string, ReadonlyArray<Record<string, unknown>>> }>;
  const ofKind = (k: string) => Object.keys(components).filter((n) => components[n]!.kind === k);
  const pick = <T extends { component: string }>(name: string, kind: string, items: T[], rename: (c: string) => string = (c) => c): T | undefined =>
    items.find((i) => rename(i.component) === name) ?? (ofKind(kind).length === 1 && items.length === 1 ? items[0] : undefined);

  // Classes, by method and path.
  const classes = sc.load.classes as Record<string, { http?: { method: string; path: string } }>;
  const classOf = new Map<string, string>(); // fitted entry key -> scenario class
  for (const [name, c] of Object.entries(classes)) {
    const f = model.classes.find((x) => c.http && x.method === c.http.method.toUpperCase() && x.path === c.http.path);
    if (f) classOf.set(f.key, name);
    else kept.push(`load.classes.${name}.weight (no traced requests of ${c.http ? `${c.http.method} ${c.http.path}` : "this class"})`);
  }
  if (sc.load.model === "open" && isScalar(doc.getIn(["load", "rate"], true)) && model.totalRate > 0) {
    set(["load", "rate"], `${Number(model.totalRate.toPrecision(4))}/s`);
    const total = model.classes.filter((c) => classOf.has(c.key)).reduce((k, c) => k + c.count, 0);
    for (const c of model.classes) {
      const name = classOf.get(c.key);
      if (name && doc.hasIn(["load", "classes", name, "weight"])) set(["load", "classes", name, "weight"], Number(((100 * c.count) / total).toPrecision(4)));
    }
  } else kept.push("load.rate (not an open load with one rate)");

  // Services: replicas and each class's first own-time step.
  const entries = model.ops.filter((o) => o.node.role === "entry").map((o) => ({ component: o.node.component, o }));
  for (const svc of ofKind("service")) {
    const mine = entries.filter((e) => e.component === svc);
    const list = mine.length ? mine : ofKind("service").length === 1 && new Set(entries.map((e) => e.component)).size === 1 ? entries : [];
    if (!list.length) {
      kept.push(`components.${svc} (no traced service of that name)`);
      continue;
    }
    const instances = Math.max(...list.map((e) => e.o.node.instances.size));
    if (instances > 0) set(["components", svc, "replicas"], instances);
    for (const e of list) {
      used.add(e.o.node.key);
      const cls = classOf.get(e.o.node.key);
      const steps = cls ? components[svc]!.handlers?.[cls] : undefined;
      const i = steps ? steps.findIndex((s) => "service" in s && !("visit" in s)) : -1;
      const f = fitted(e.o.node.key);
      if (cls && i >= 0 && f) set(["components", svc, "handlers", cls, i, "service"], distOf(f));
      else if (cls) kept.push(`components.${svc}.handlers.${cls} (${f ? "no service step to set" : "too few samples"})`);
    }
  }
  // Cache, database, queue.
  const caches = model.ops.filter((o) => o.node.role === "cache").map((o) => ({ component: o.node.component, o }));
  for (const c of ofKind("cache")) {
    const get = pick(c, "cache", caches.filter((x) => x.o.node.op === "get"));
    const f = fitted(get?.o.node.key);
    if (f) set(["components", c, "service"], distOf(f));
    else kept.push(`components.${c}.service (no traced cache gets)`);
    for (const x of caches) if (x.component === get?.component) used.add(x.o.node.key);
  }
  const dbs = model.ops.filter((o) => o.node.role === "database").map((o) => ({ component: o.node.component, o }));
  for (const d of ofKind("database")) {
    for (const op of ["read", "write"] as const) {
      const x = pick(d, "database", dbs.filter((y) => y.o.node.op === op));
      const f = fitted(x?.o.node.key);
      if (x) used.add(x.o.node.key);
      if (f) set(["components", d, op], distOf(f));
      else kept.push(`components.${d}.${op} (${x ? "too few samples" : `no traced ${op}s`})`);
    }
  }
  const consumers = model.ops.filter((o) => o.node.role === "consume").map((o) => ({ component: o.node.component, o }));
  const lastSegment = (c: string) => c.split(".").pop()!;
  for (const q of ofKind("queue")) {
    const x = pick(q, "queue", consumers, lastSegment);
    const f = fitted(x?.o.node.key);
    if (x) used.add(x.o.node.key);
    if (f) set(["components", q, "service"], distOf(f));
    else kept.push(`components.${q}.service (${x ? "too few samples" : "no traced handlings"})`);
    if (x && x.o.node.instances.size > 0) set(["components", q, "workers"], x.o.node.instances.size);
  }
  for (const o of model.ops) if (o.node.role === "publish" || o.node.role === "wait") used.add(o.node.key);
  const unmatched = model.ops.filter((o) => !used.has(o.node.key)).map((o) => o.node.key);
  // Applied from the end, so earlier offsets stay valid.
  let yaml = text;
  for (const e of [...edits].sort((a, b) => b.from - a.from)) yaml = yaml.slice(0, e.from) + e.text + yaml.slice(e.to);
  const check = parseScenario(yaml, file);
  if (!check.ok) throw new UpdateError(`the updated ${file} does not load: ` + check.errors.map((e) => `${e.line}:${e.column}: ${e.path}: ${e.message}`).join("; "));
  return { yaml, changed, kept, unmatched };
}
