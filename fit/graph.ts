// The call graph of the traces: one node per operation (a service's request class, a cache's
// get/set, a database's read/write, a queue's publish and handling), who calls whom with which
// probability, the order of each operation's calls (its sequences, parallel calls grouped), each
// operation's own times, cache hits and misses (a cache get followed by a database read is a miss)
// and the arrival times of each request class (its root spans). Trades away per-instance detail
// beyond counting instances, and the internal spans' names (folded into their parent's).
import { classify, keyValue, type Op, type Role } from "./classify.ts";
import { ownTimeMicros } from "./own-time.ts";
import type { Notes, Span } from "./span.ts";
import type { TraceNode } from "./traces.ts";

export interface Step {
  readonly key: string;
  /** Calls with the same group ran in parallel (their intervals overlapped). */
  readonly group: number;
}

export interface OpNode {
  readonly key: string;
  readonly role: Role;
  readonly component: string;
  readonly op: string;
  count: number;
  errors: number;
  readonly instances: Set<string>;
  /** Seconds: own time for entries and handlings, duration for cache, database and publish calls. */
  readonly times: number[];
  /** Child operation -> parent spans that called it at least once, and calls in all. */
  readonly children: Map<string, { spansWith: number; calls: number }>;
  /** Sequences of calls, by their text, with how often each occurred. */
  readonly sequences: Map<string, { count: number; steps: ReadonlyArray<Step> }>;
}

export interface CacheCounts { gets: number; misses: number }

export interface CallGraph {
  readonly ops: Map<string, OpNode>;
  /** Request class (its entry operation's key) -> arrival times in seconds since the first arrival. */
  readonly classes: Map<string, number[]>;
  /** Request class -> requests per concrete key (its path parameter), where the entry span's path says it. */
  readonly keyHits: Map<string, Map<string, number>>;
  /** Per cache component: gets and the gets that were followed by a database read. */
  readonly caches: Map<string, CacheCounts>;
  /** Seconds between the first and last root span start. */
  readonly window: number;
}

export const opKey = (o: Pick<Op, "component" | "op">) => `${o.component}.${o.op}`;

interface Effective {
  readonly node: TraceNode;
  readonly op: Op;
  /** For an HTTP call answered by an instrumented service: the callee's server span. */
  readonly callee: TraceNode | undefined;
}

/** classify, with the attributes it missed counted in the notes. */
function classifyNoted(s: Span, notes: Notes): Op {
  const op = classify(s);
  for (const m of op.missing) notes.add(`span without ${m} (classified by its name or path)`, 1, `${s.service} '${s.name}'`);
  return op;
}

/** Children as the model sees them: internal spans folded into their parent, HTTP calls resolved to their callee. */
function effectiveChildren(n: TraceNode, notes: Notes, into: Effective[] = []): Effective[] {
  for (const c of n.children) {
    const op = classifyNoted(c.span, notes);
    if (op.role === "internal") {
      effectiveChildren(c, notes, into);
      continue;
    }
    if (op.role === "http-call") {
      const callee = c.children.find((g) => classify(g.span).role === "entry");
      into.push({ node: c, op: callee ? classify(callee.span) : op, callee });
      continue;
    }
    into.push({ node: c, op, callee: undefined });
  }
  return into.sort((a, b) => a.node.span.start - b.node.span.start);
}

function nodeFor(ops: Map<string, OpNode>, op: Op): OpNode {
  const key = opKey(op);
  let n = ops.get(key);
  if (!n) {
    n = { key, role: op.role, component: op.component, op: op.op, count: 0, errors: 0, instances: new Set(), times: [], children: new Map(), sequences: new Map() };
    ops.set(key, n);
  }
  return n;
}

export function buildGraph(roots: ReadonlyArray<TraceNode>, notes: Notes): CallGraph {
  const ops = new Map<string, OpNode>();
  const classes = new Map<string, number[]>();
  const caches = new Map<string, CacheCounts>();
  const keyHits = new Map<string, Map<string, number>>();
  const recordKey = (cls: string, entry: Span): void => {
    const k = keyValue(entry);
    if (k === undefined) return;
    let m = keyHits.get(cls);
    if (!m) keyHits.set(cls, (m = new Map()));
    m.set(k, (m.get(k) ?? 0) + 1);
  };
  const t0 = roots.length ? roots[0]!.span.start : 0;
  let tLast = t0;

  const visit = (n: TraceNode, op: Op): void => {
    const s: Span = n.span;
    const node = nodeFor(ops, op);
    node.count++;
    if (s.error) node.errors++;
    if (s.instance !== undefined && (op.role === "entry" || op.role === "consume")) node.instances.add(s.instance);
    const kids = effectiveChildren(n, notes);
    const seconds = (op.role === "entry" || op.role === "consume")
      ? ownTimeMicros(s.start, s.end, kids.map((k) => [k.node.span.start, k.node.span.end] as const)) / 1e6
      : (s.end - s.start) / 1e6;
    node.times.push(seconds);

    const calls = kids.filter((k) => k.op.role !== "wait" && k.op.role !== "consume");
    const steps: Step[] = [];
    // Parallel: a call that starts before the previous ones end, by more than half of the shorter
    // one's duration (a sequential call can start a few microseconds before the span of the call
    // it awaited is closed).
    let group = -1, groupEnd = -Infinity, groupShortest = Infinity;
    for (const k of calls) {
      const { start, end } = k.node.span;
      if (groupEnd - start > 0.5 * Math.min(groupShortest, end - start)) {
        groupEnd = Math.max(groupEnd, end);
        groupShortest = Math.min(groupShortest, end - start);
      } else {
        group++;
        groupEnd = end;
        groupShortest = end - start;
      }
      steps.push({ key: opKey(k.op), group });
    }
    const text = steps.map((st, i) => (i > 0 && steps[i - 1]!.group === st.group ? " | " : i > 0 ? " > " : "") + st.key).join("");
    const seq = node.sequences.get(text);
    if (seq) seq.count++;
    else node.sequences.set(text, { count: 1, steps });

    const seen = new Set<string>();
    for (const k of kids) {
      if (k.op.role === "wait") continue;
      const key = opKey(k.op);
      let e = node.children.get(key);
      if (!e) node.children.set(key, (e = { spansWith: 0, calls: 0 }));
      e.calls++;
      if (!seen.has(key)) {
        e.spansWith++;
        seen.add(key);
      }
    }
    for (let i = 0; i < calls.length; i++) {
      const k = calls[i]!;
      if (k.op.role === "cache" && k.op.op === "get") {
        let c = caches.get(k.op.component);
        if (!c) caches.set(k.op.component, (c = { gets: 0, misses: 0 }));
        c.gets++;
        const next = calls[i + 1];
        if (next && next.op.role === "database" && next.op.op === "read") c.misses++;
      }
    }
    for (const k of kids) {
      if (k.op.role === "wait") continue;
      if (k.callee) visit(k.callee, k.op);
      else visit(k.node, k.op);
    }
  };

  for (const r of roots) {
    const op = classifyNoted(r.span, notes);
    if (op.role === "http-call") {
      const callee = r.children.find((g) => classify(g.span).role === "entry");
      if (!callee) continue;
      visit(callee, classify(callee.span));
      recordArrival(classes, opKey(classify(callee.span)), (r.span.start - t0) / 1e6);
      recordKey(opKey(classify(callee.span)), callee.span);
    } else {
      visit(r, op);
      if (op.role === "entry") {
        recordArrival(classes, opKey(op), (r.span.start - t0) / 1e6);
        recordKey(opKey(op), r.span);
      }
    }
    tLast = Math.max(tLast, r.span.start);
  }
  return { ops, classes, keyHits, caches, window: (tLast - t0) / 1e6 };
}

function recordArrival(classes: Map<string, number[]>, key: string, t: number): void {
  let a = classes.get(key);
  if (!a) classes.set(key, (a = []));
  a.push(t);
}

/** Probability that an operation calls another at least once, per call of the first. */
export function callProbability(graph: CallGraph, from: string, to: string): number {
  const n = graph.ops.get(from);
  return n && n.count > 0 ? (n.children.get(to)?.spansWith ?? 0) / n.count : 0;
}
