// Building a model by hand on the canvas: each gesture (place a component from the palette, connect
// two nodes, delete a node or an edge, move nodes) is one edit of the scenario's YAML through the
// yaml Document API, so comments, key order and values survive it (the Document may re-space flow
// brackets: [api] becomes [ api ]), and the text stays the one source of truth (the canvas redraws
// from it). What an edge means depends on
// the node it leaves: from the clients it is a step of every class's flow, from a balancer its
// backends, from a service (or function) a call in every class's handler, from a station a route (to another
// station), from a queue a
// step of its handler, from a CDN its origin. Trades away: one edge is one meaning (a call's op,
// hit/miss branches and probabilities are then edited in the text or the node form).
import { isMap, isNode, isScalar, isSeq, parseDocument, type Document, type Node, type YAMLMap, type YAMLSeq } from "yaml";
import { CLIENTS } from "./topology.ts";

export { PALETTE } from "./palette-kinds.ts";

/** A new component of each kind: valid on its own where the kind allows it (a balancer needs its
 * backends and a CDN its origin, which the first edge from it gives). */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  load_balancer: { kind: "load_balancer", algorithm: "round_robin" },
  service: { kind: "service", replicas: 2, concurrency: 8, service: { dist: "exponential", mean: "10ms" } },
  database: { kind: "database", read: { dist: "exponential", mean: "4ms" }, write: { dist: "exponential", mean: "8ms" } },
  cache: { kind: "cache", capacity: "10k" },
  queue: { kind: "queue", workers: 2, service: { dist: "exponential", mean: "20ms" } },
  station: { kind: "station", servers: 2, service: { dist: "exponential", mean: "20ms" } },
  cdn: { kind: "cdn", objects: { count: "1k", popularity: "zipf", s: 0.99 } },
};

const BASE_NAME: Record<string, string> = {
  load_balancer: "lb", service: "api", database: "db", cache: "cache", queue: "queue", station: "station", cdn: "cdn",
};

/** Where nodes are drawn: name -> [x, y] on the canvas. */
export type Positions = Readonly<Record<string, readonly [number, number]>>;

/** What a gesture gives: the new text, or why it was not done (the text unchanged). */
export type Edit = { readonly ok: true; readonly text: string; readonly name?: string } | { readonly ok: false; readonly message: string };

function load(text: string): Document | string {
  const doc = parseDocument(text);
  if (doc.errors.length) return "the YAML has a syntax error: fix it in the editor first";
  if (!isMap(doc.contents)) return "the YAML is not a mapping: fix it in the editor first";
  return doc;
}

function mapAt(doc: Document, path: ReadonlyArray<string>): YAMLMap | undefined {
  const n = doc.getIn(path, true);
  return isMap(n) ? n : undefined;
}

function keysOf(m: YAMLMap | undefined): string[] {
  return (m?.items ?? []).map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
}

/** Nested mappings of a new node written in flow style ({ dist: exponential, mean: 10ms }). */
function flowInside(node: unknown, depth = 0): void {
  if (isMap(node)) {
    if (depth > 0) node.flow = true;
    for (const p of node.items) flowInside(p.value, depth + 1);
  }
}

/** Writes every position given, rounded to whole pixels, under `layout:` (created at the end). */
function writePositions(doc: Document, positions: Positions): void {
  const layout = mapAt(doc, ["layout"]);
  if (!layout) {
    doc.setIn(["layout"], doc.createNode({}));
    (doc.getIn(["layout"], true) as YAMLMap).flow = false;
  }
  for (const [name, [x, y]] of Object.entries(positions)) {
    const seq = doc.createNode([Math.round(x), Math.round(y)]) as YAMLSeq;
    seq.flow = true;
    doc.setIn(["layout", name], seq);
  }
}

/** A name not used yet: lb, lb2, lb3... */
export function freshName(taken: Iterable<string>, kind: string): string {
  const used = new Set(taken);
  const base = BASE_NAME[kind] ?? (kind.replace(/[^a-z0-9_-]/g, "") || "c");
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`)) return `${base}${i}`;
}

/** Places a new component of `kind` at `at`; `positions` are the other nodes' current places, written
 * with it so that the drawing does not move when the layout starts to be kept. */
export function addComponent(text: string, kind: string, at: readonly [number, number], positions: Positions = {}): Edit {
  const def = DEFAULTS[kind];
  if (!def) return { ok: false, message: `no component kind '${kind}'` };
  const doc = load(text);
  if (typeof doc === "string") return { ok: false, message: doc };
  let components = mapAt(doc, ["components"]);
  if (!components) {
    doc.setIn(["components"], doc.createNode({}));
    components = doc.getIn(["components"], true) as YAMLMap;
  }
  // `components: {}` of an empty model becomes a block mapping as it gets its first component.
  components.flow = false;
  const name = freshName(keysOf(components), kind);
  const node = doc.createNode(def);
  flowInside(node);
  components.set(doc.createNode(name), node);
  writePositions(doc, { ...positions, [name]: at });
  return { ok: true, text: doc.toString(), name };
}

/** Writes the nodes' places (after a move). */
export function moveNodes(text: string, positions: Positions): Edit {
  const doc = load(text);
  if (typeof doc === "string") return { ok: false, message: doc };
  writePositions(doc, positions);
  return { ok: true, text: doc.toString() };
}

function kindOf(doc: Document, name: string): string | undefined {
  const k = doc.getIn(["components", name, "kind"]);
  return typeof k === "string" ? k : undefined;
}

/** The step that sends work to a component of this kind: a station is visited, a queue published
 * to, a database read, a cache asked (a get), anything else called. */
function stepTo(doc: Document, target: string, kind: string | undefined): Node {
  if (kind === "station") return doc.createNode(target) as Node;
  const step = kind === "queue" ? { publish: target } : kind === "database" ? { call: target, op: "read" } : kind === "cache" ? { call: target, op: "get" } : { call: target };
  const n = doc.createNode(step) as YAMLMap;
  n.flow = true;
  return n;
}

/** Does this step send work to `target` itself (not through a nested branch)? */
function stepNames(step: unknown, target: string): boolean {
  if (isScalar(step)) return step.value === target;
  if (!isMap(step)) return false;
  for (const k of ["visit", "call", "publish"]) if (step.get(k) === target) return true;
  return false;
}

function seqNames(seq: unknown, target: string): boolean {
  return isSeq(seq) && seq.items.some((s) => stepNames(s, target));
}

function classNames(doc: Document): string[] {
  return keysOf(mapAt(doc, ["load", "classes"]));
}

/** Connects `source` to `target` (an edge drawn from source's right handle to target's left). */
export function connect(text: string, source: string, target: string): Edit {
  const doc = load(text);
  if (typeof doc === "string") return { ok: false, message: doc };
  if (source === target) return { ok: false, message: "a node cannot be connected to itself" };
  if (target === CLIENTS) return { ok: false, message: "the clients send the load: draw edges from them, not to them" };
  const targetKind = kindOf(doc, target);
  if (!targetKind) return { ok: false, message: `no component '${target}'` };
  const step = () => stepTo(doc, target, targetKind);
  const appendTo = (path: string[]): boolean => {
    const seq = doc.getIn(path, true);
    if (isSeq(seq)) {
      if (seqNames(seq, target)) return false;
      seq.items.push(step());
    } else {
      const s = doc.createNode([]) as YAMLSeq;
      s.flow = true;
      s.items.push(step());
      doc.setIn(path, s);
    }
    return true;
  };
  if (source === CLIENTS) {
    const classes = classNames(doc);
    if (classes.length === 0) return { ok: false, message: "the load has no classes: add one under load.classes first" };
    for (const c of classes) appendTo(["load", "classes", c, "flow"]);
    return { ok: true, text: doc.toString() };
  }
  const kind = kindOf(doc, source);
  const at = ["components", source];
  switch (kind) {
    case "load_balancer":
      doc.setIn([...at, "backends"], target);
      break;
    case "cdn":
      doc.setIn([...at, "origin"], target);
      break;
    case "queue":
      appendTo([...at, "handler"]);
      break;
    case "service":
    case "function": {
      // A class without a handler of its own gets one: the service's own time, then the call.
      const own = doc.getIn([...at, "service"], true);
      for (const c of classNames(doc)) {
        const path = [...at, "handlers", c];
        if (!doc.hasIn(path)) {
          const seq = doc.createNode([]) as YAMLSeq;
          if (isNode(own)) {
            const work = doc.createNode({}) as YAMLMap;
            work.set("service", own.clone());
            work.flow = true;
            seq.items.push(work);
          }
          seq.items.push(step());
          doc.setIn(path, seq);
        } else appendTo(path);
      }
      break;
    }
    case "station": {
      if (targetKind !== "station") return { ok: false, message: `a station routes only to stations ('${target}' is a ${targetKind}): put '${target}' in the classes' flow after it instead` };
      const routing = doc.getIn([...at, "routing"], true);
      const entries: Array<{ to: string; p: number }> = [];
      if (isSeq(routing)) for (const r of routing.items) if (isMap(r)) entries.push({ to: String(r.get("to")), p: Number(r.get("p")) });
      if (entries.some((e) => e.to === target)) return { ok: true, text };
      const exit = entries.find((e) => e.to === "exit");
      const onward = [...entries.filter((e) => e.to !== "exit").map((e) => e.to), target];
      // The share leaving the network stays; the rest is split evenly over the routes.
      const share = 1 - (exit && Number.isFinite(exit.p) ? exit.p : 0);
      const each = Math.floor((share / onward.length) * 1000) / 1000;
      const rows = onward.map((to, i) => ({ to, p: i === onward.length - 1 ? +(share - each * (onward.length - 1)).toFixed(3) : each }));
      if (exit) rows.push({ to: "exit", p: exit.p });
      const seq = doc.createNode(rows) as YAMLSeq;
      for (const r of seq.items) if (isMap(r)) r.flow = true;
      doc.setIn([...at, "routing"], seq);
      break;
    }
    case "cache":
    case "database":
      return { ok: false, message: `a ${kind} calls nothing: draw the edge from what calls it to '${source}'` };
    default:
      return { ok: false, message: `no component '${source}'` };
  }
  return { ok: true, text: doc.toString() };
}

/** Removes, from a flow, the steps that send work to `target`, nested branches and outcomes too. */
function dropSteps(seq: unknown, target: string): void {
  if (!isSeq(seq)) return;
  seq.items = seq.items.filter((s) => !stepNames(s, target));
  for (const s of seq.items) {
    if (!isMap(s)) continue;
    dropSteps(s.get("hit", true), target);
    dropSteps(s.get("miss", true), target);
    const branch = s.get("branch", true);
    if (isSeq(branch)) for (const b of branch.items) if (isMap(b)) dropSteps(b.get("flow", true), target);
    const parallel = s.get("parallel", true);
    if (isSeq(parallel)) for (const f of parallel.items) dropSteps(f, target);
  }
}

function disconnectIn(doc: Document, source: string, target: string): void {
  if (source === CLIENTS) {
    for (const c of classNames(doc)) dropSteps(doc.getIn(["load", "classes", c, "flow"], true), target);
    return;
  }
  const at = ["components", source];
  const kind = kindOf(doc, source);
  if (kind === "load_balancer" && doc.getIn([...at, "backends"]) === target) doc.deleteIn([...at, "backends"]);
  if (kind === "cdn" && doc.getIn([...at, "origin"]) === target) doc.deleteIn([...at, "origin"]);
  if (kind === "queue") dropSteps(doc.getIn([...at, "handler"], true), target);
  if (kind === "service" || kind === "function") for (const c of keysOf(mapAt(doc, [...at, "handlers"]))) dropSteps(doc.getIn([...at, "handlers", c], true), target);
  if (kind === "station") {
    const routing = doc.getIn([...at, "routing"], true);
    if (isSeq(routing)) {
      routing.items = routing.items.filter((r) => !(isMap(r) && r.get("to") === target));
      // Only the way out left (or nothing): no routing at all.
      if (routing.items.every((r) => isMap(r) && r.get("to") === "exit")) doc.deleteIn([...at, "routing"]);
    }
  }
}

/** Deletes the edge source -> target: the step, backend, route or origin it stands for. */
export function disconnect(text: string, source: string, target: string): Edit {
  const doc = load(text);
  if (typeof doc === "string") return { ok: false, message: doc };
  disconnectIn(doc, source, target);
  return { ok: true, text: doc.toString() };
}

/** Deletes a component, every edge to it and its place on the canvas. */
export function removeComponent(text: string, name: string): Edit {
  if (name === CLIENTS) return { ok: false, message: "the clients are the load: edit load: in the text to change it" };
  const doc = load(text);
  if (typeof doc === "string") return { ok: false, message: doc };
  if (!doc.hasIn(["components", name])) return { ok: false, message: `no component '${name}'` };
  for (const other of [CLIENTS, ...keysOf(mapAt(doc, ["components"]))]) if (other !== name) disconnectIn(doc, other, name);
  doc.deleteIn(["components", name]);
  if (doc.hasIn(["layout", name])) doc.deleteIn(["layout", name]);
  return { ok: true, text: doc.toString() };
}
