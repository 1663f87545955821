// Spans to trees: grouped by trace id, linked to their parents, with what cannot be linked dropped
// and counted (duplicate ids, orphans whose parent is not in the file, parent cycles), clock skew
// between services corrected by shifting a child (and its descendants) into its parent, and a mix of
// systems (services never linked to each other by any trace) reduced to the largest one. Trades away
// the spans of the dropped parts: an orphan's subtree could be placed by name, but not reliably.
import type { Notes, Span } from "./span.ts";

export interface TraceNode {
  readonly span: Span;
  readonly children: TraceNode[];
}

export interface Assembled {
  /** One tree per root span that survived, in the order roots were read. */
  readonly roots: ReadonlyArray<TraceNode>;
  /** The services kept (of the largest system). */
  readonly services: ReadonlyArray<string>;
  readonly spansIn: number;
  readonly spansKept: number;
}

function size(n: TraceNode): number {
  let k = 1;
  for (const c of n.children) k += size(c);
  return k;
}

function shift(n: TraceNode, delta: number): void {
  n.span.start += delta;
  n.span.end += delta;
  for (const c of n.children) shift(c, delta);
}

/** Moves cross-service children that lie outside their parent back inside it (clock skew). */
function fixSkew(n: TraceNode, notes: Notes): void {
  const p = n.span;
  for (const c of n.children) {
    const s = c.span;
    if (s.service !== p.service) {
      let delta = 0;
      if (s.kind === "consumer") {
        if (s.start < p.start) delta = p.start - s.start; // a message handled before it was sent
      } else if (s.start < p.start || s.end > p.end) {
        const d = s.end - s.start;
        if (d <= p.end - p.start) delta = s.start < p.start ? p.start - s.start : p.end - s.end;
        else delta = p.start - s.start; // longer than its parent: align the starts, the rest is noted by own time
      }
      if (delta !== 0) {
        const k = size(c);
        notes.add("clock skew: a span of another service outside its parent (shifted into the parent with its descendants)", k, `${p.service}→${s.service} by ${(Math.abs(delta) / 1000).toFixed(3)} ms`);
        shift(c, delta);
      }
    }
    fixSkew(c, notes);
  }
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) {
      p = this.find(p);
      this.parent.set(x, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

function linkServices(n: TraceNode, uf: UnionFind): void {
  uf.find(n.span.service);
  for (const c of n.children) {
    uf.union(n.span.service, c.span.service);
    linkServices(c, uf);
  }
}

function servicesOf(n: TraceNode, into: Set<string>): void {
  into.add(n.span.service);
  for (const c of n.children) servicesOf(c, into);
}

export function assemble(spans: ReadonlyArray<Span>, notes: Notes): Assembled {
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) {
    let list = byTrace.get(s.traceId);
    if (!list) byTrace.set(s.traceId, (list = []));
    list.push(s);
  }
  const roots: TraceNode[] = [];
  for (const [traceId, list] of byTrace) {
    const nodes = new Map<string, TraceNode>();
    for (const s of list) {
      if (nodes.has(s.spanId)) {
        notes.add("duplicate span id in a trace (second copy dropped)", 1, `trace ${traceId} span ${s.spanId}`);
        continue;
      }
      nodes.set(s.spanId, { span: s, children: [] });
    }
    const orphans: TraceNode[] = [];
    const traceRoots: TraceNode[] = [];
    for (const n of nodes.values()) {
      const pid = n.span.parentId;
      if (pid === undefined) traceRoots.push(n);
      else {
        const parent = nodes.get(pid);
        if (parent) parent.children.push(n);
        else orphans.push(n);
      }
    }
    for (const n of nodes.values()) n.children.sort((a, b) => a.span.start - b.span.start);
    for (const o of orphans) {
      notes.add("orphan span: its parent is not in the input (dropped with its descendants)", size(o), `trace ${traceId}: ${o.span.service} '${o.span.name}', parent ${o.span.parentId}`);
    }
    const reached = traceRoots.reduce((k, r) => k + size(r), 0) + orphans.reduce((k, o) => k + size(o), 0);
    if (reached < nodes.size) notes.add("spans whose parents form a cycle (dropped)", nodes.size - reached, `trace ${traceId}`);
    roots.push(...traceRoots);
  }
  roots.sort((a, b) => a.span.start - b.span.start);
  for (const r of roots) fixSkew(r, notes);

  // Systems: services linked through any trace are one system; keep the largest.
  const uf = new UnionFind();
  for (const r of roots) linkServices(r, uf);
  const spansBySystem = new Map<string, number>();
  for (const r of roots) {
    const sys = uf.find(r.span.service);
    spansBySystem.set(sys, (spansBySystem.get(sys) ?? 0) + size(r));
  }
  let keep: string | undefined;
  for (const [sys, n] of spansBySystem) if (keep === undefined || n > spansBySystem.get(keep)!) keep = sys;
  const kept: TraceNode[] = [];
  const dropped = new Map<string, { spans: number; services: Set<string> }>();
  for (const r of roots) {
    const sys = uf.find(r.span.service);
    if (sys === keep) kept.push(r);
    else {
      let d = dropped.get(sys);
      if (!d) dropped.set(sys, (d = { spans: 0, services: new Set() }));
      d.spans += size(r);
      servicesOf(r, d.services);
    }
  }
  for (const d of dropped.values()) {
    notes.add("traces of another system (no trace links its services to the largest system's; dropped)", d.spans, `services ${[...d.services].sort().join(", ")}`);
  }
  const services = new Set<string>();
  for (const r of kept) servicesOf(r, services);
  return { roots: kept, services: [...services].sort(), spansIn: spans.length, spansKept: kept.reduce((k, r) => k + size(r), 0) };
}
