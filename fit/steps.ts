// An operation's handler (the scenario's list of steps) from the sequences of calls its spans made:
// one sequence -> the calls in order; calls that overlapped -> `parallel`; a cache get -> a `call`
// with the hit flow and the miss flow seen after hits and misses; several sequences -> a `branch`
// with their shares (the MAX_BRANCHES most common; rarer ones are counted into the most common and
// the report says how many). Trades away sequences rarer than the top MAX_BRANCHES.
import type { CallGraph, OpNode, Step } from "./graph.ts";

export const MAX_BRANCHES = 4;

export type ScenarioStep = Record<string, unknown>;

export interface NameOf {
  /** The scenario component an operation key belongs to. */
  (key: string): string;
}

export interface Handler {
  readonly steps: ScenarioStep[];
  /** Spans whose sequence was not among those written (merged into the most common). */
  readonly merged: number;
}

function callStep(graph: CallGraph, key: string, nameOf: NameOf): ScenarioStep {
  const op = graph.ops.get(key)!;
  const component = nameOf(key);
  if (op.role === "publish") return { publish: component };
  if (op.role === "cache" || op.role === "database") {
    return ["get", "set", "delete", "read", "write"].includes(op.op) ? { call: component, op: op.op } : { call: component };
  }
  return { call: component };
}

function toSteps(graph: CallGraph, steps: ReadonlyArray<Step>, nameOf: NameOf): ScenarioStep[] {
  const out: ScenarioStep[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j < steps.length && steps[j]!.group === steps[i]!.group) j++;
    const members = steps.slice(i, j);
    out.push(members.length === 1 ? callStep(graph, members[0]!.key, nameOf) : { parallel: members.map((m) => [callStep(graph, m.key, nameOf)]) });
    i = j;
  }
  return out;
}

const textOf = (steps: ReadonlyArray<Step>) => steps.map((s) => `${s.group}:${s.key}`).join(",");

function mostCommon(items: ReadonlyArray<{ steps: ReadonlyArray<Step>; count: number }>): { steps: ReadonlyArray<Step>; count: number; total: number } {
  const by = new Map<string, { steps: ReadonlyArray<Step>; count: number }>();
  let total = 0;
  for (const it of items) {
    total += it.count;
    const t = textOf(it.steps);
    const e = by.get(t);
    if (e) e.count += it.count;
    else by.set(t, { steps: it.steps, count: it.count });
  }
  let best = { steps: [] as ReadonlyArray<Step>, count: 0 };
  for (const e of by.values()) if (e.count > best.count) best = e;
  return { ...best, total };
}

/** The steps after `service` for an operation (the caller puts the own-time step first). */
export function handlerOf(graph: CallGraph, node: OpNode, nameOf: NameOf): Handler {
  const seqs = [...node.sequences.values()].sort((a, b) => b.count - a.count);
  if (seqs.length === 0) return { steps: [], merged: 0 };
  const isGet = (s: Step | undefined) => s !== undefined && graph.ops.get(s.key)?.role === "cache" && graph.ops.get(s.key)?.op === "get";
  const getAt = (steps: ReadonlyArray<Step>) => steps.findIndex((s, i) => isGet(s) && steps.filter((x) => x.group === s.group).length === 1 && i >= 0);
  const first = seqs[0]!;
  const g = getAt(first.steps);
  if (g >= 0) {
    const getKey = first.steps[g]!.key;
    const withGet = seqs.filter((s) => getAt(s.steps) >= 0 && s.steps[getAt(s.steps)]!.key === getKey);
    const split = withGet.map((s) => {
      const i = getAt(s.steps);
      const tail = s.steps.slice(i + 1);
      const next = tail[0] ? graph.ops.get(tail[0].key) : undefined;
      return { prefix: s.steps.slice(0, i), tail, miss: next?.role === "database" && next.op === "read", count: s.count };
    });
    const prefix = mostCommon(split.map((s) => ({ steps: s.prefix, count: s.count })));
    const hit = mostCommon(split.filter((s) => !s.miss).map((s) => ({ steps: s.tail, count: s.count })));
    const miss = mostCommon(split.filter((s) => s.miss).map((s) => ({ steps: s.tail, count: s.count })));
    const written = split.filter((s) => textOf(s.prefix) === textOf(prefix.steps) && textOf(s.tail) === textOf(s.miss ? miss.steps : hit.steps)).reduce((k, s) => k + s.count, 0);
    const get: ScenarioStep = { ...callStep(graph, getKey, nameOf), hit: toSteps(graph, hit.steps, nameOf), miss: toSteps(graph, miss.steps, nameOf) };
    return { steps: [...toSteps(graph, prefix.steps, nameOf), get], merged: node.count - written };
  }
  if (seqs.length === 1) return { steps: toSteps(graph, first.steps, nameOf), merged: 0 };
  const top = seqs.slice(0, MAX_BRANCHES);
  const counted = top.reduce((k, s) => k + s.count, 0);
  const merged = node.count - counted;
  const shares = top.map((s, i) => (s.count + (i === 0 ? merged : 0)) / node.count);
  // Rounded to 4 decimals; the last takes the remainder so they sum to 1 exactly as written.
  const ps = shares.map((p) => Math.round(p * 1e4) / 1e4);
  ps[ps.length - 1] = Math.round((1 - ps.slice(0, -1).reduce((a, b) => a + b, 0)) * 1e4) / 1e4;
  return { steps: [{ branch: top.map((s, i) => ({ p: ps[i], flow: toSteps(graph, s.steps, nameOf) })) }], merged };
}
