// The fit report: per operation its samples, chosen distribution, mean, cv and KS statistic (with
// the other families' D and the critical value), the request classes and their rates, the call
// probabilities, cache hit ratios, what was dropped or changed and what could not be determined.
// Text for the terminal and a JSON form (headroom.fit/v1) for tools. Trades away per-instance rows.
import { table } from "../shared/format-table.ts";
import { chosenMoments } from "./fit-dist.ts";
import { className, type FittedModel } from "./model.ts";
import type { Notes } from "./span.ts";

const msOf = (s: number) => `${Number((s * 1000).toPrecision(3))}ms`;
const r3 = (x: number) => Number(x.toPrecision(3)).toString();

export interface ReportInput {
  readonly file: string;
  readonly format: string;
  readonly spansIn: number;
  readonly spansKept: number;
  readonly model: FittedModel;
  readonly notes: Notes;
  readonly undetermined: ReadonlyArray<string>;
  readonly merged: ReadonlyArray<{ readonly op: string; readonly spans: number }>;
}

export function reportText(r: ReportInput): string {
  const m = r.model;
  const out: string[] = [];
  out.push(`${r.file}: ${r.format}, ${r.spansIn} spans read, ${r.spansKept} used, ${m.classes.reduce((k, c) => k + c.count, 0)} requests over ${r3(m.graph.window)} s`);
  out.push("");
  out.push(table(["class", "service", "requests", "rate/s", "share"], m.classes.map((c) => [className(c), c.service, String(c.count), r3(c.rate), `${r3((100 * c.rate) / Math.max(1e-12, m.totalRate))}%`])));
  out.push("");
  const rows = m.ops.map(({ node, fit }) => {
    if (!fit) return [node.key, node.role, String(node.times.length), "too few samples", "-", "-", "-", "-"];
    const { mean, cv } = chosenMoments(fit);
    const chosen = fit.families.find((f) => f.family === fit.chosen);
    const others = fit.families.map((f) => `${f.family.slice(0, 3)} ${r3(f.ks)}`).join(", ");
    return [node.key, node.role, String(fit.n), fit.chosen, msOf(mean), r3(cv), chosen ? r3(chosen.ks) : "-", `${r3(fit.critical)} (${others})`];
  });
  out.push(table(["operation", "role", "samples", "chosen", "mean", "cv", "KS D", "D crit (all D)"], rows));
  out.push("");
  out.push("Times: own time (duration minus the union of its children) for service requests and queue handlings; the span's duration for cache, database and publish calls.");
  out.push("Rule: a family fits when its KS distance D <= max(1.36/sqrt(n), 0.05); exponential if it fits and a likelihood-ratio test keeps gamma's shape at 1 (5%), else the smallest D among those that fit; none fits -> empirical.");
  out.push("");
  out.push("calls (probability that one operation calls another, calls per operation):");
  for (const { node } of m.ops) {
    for (const [child, e] of node.children) out.push(`  ${node.key} -> ${child}: p ${r3(e.spansWith / node.count)}, ${r3(e.calls / node.count)} per call`);
  }
  for (const c of m.caches) out.push(`cache ${c.component}: hit ratio ${r3(100 * c.hitRatio)}% ± ${r3(100 * c.ci95)} (95%), ${c.gets} gets, ${c.misses} followed by a database read`);
  for (const c of m.classes) {
    if (!c.keys) continue;
    const k = c.keys;
    out.push(`keys of ${className(c)}: ${k.samples} requests on ${k.distinct} distinct keys -> ${k.countIsLowerBound ? "at least " : ""}${k.count} keys, ${k.s > 0 ? `Zipf s ${k.s}` : "uniform"} (moments: distinct keys seen and repeated pairs; the cache's capacity is the LRU size giving its hit ratio under them)`);
  }
  const causes = r.notes.causes;
  if (causes.length) {
    out.push("");
    out.push("dropped or changed:");
    for (const c of causes) out.push(`  ${c.cause}: ${c.spans} span(s)${c.events > 1 ? ` in ${c.events} places` : ""}${c.examples.length ? ` (e.g. ${c.examples.join("; ")})` : ""}`);
  }
  for (const g of r.merged) out.push(`  ${g.op}: ${g.spans} span(s) followed rarer call sequences, counted with the most common`);
  if (r.undetermined.length) {
    out.push("");
    out.push(`not determined from traces (placeholders or kept as they were): ${r.undetermined.join(", ")}`);
  }
  return out.join("\n");
}

export function reportJson(r: ReportInput): unknown {
  const m = r.model;
  return {
    schema: "headroom.fit/v1",
    file: r.file,
    format: r.format,
    spans: { read: r.spansIn, used: r.spansKept },
    window_s: m.graph.window,
    total_rate: m.totalRate,
    classes: m.classes.map((c) => ({ name: className(c), key: c.key, service: c.service, method: c.method, path: c.path, requests: c.count, rate: c.rate, ...(c.keys ? { keys: c.keys } : {}) })),
    operations: m.ops.map(({ node, fit }) => ({
      key: node.key, role: node.role, component: node.component, op: node.op, count: node.count, errors: node.errors,
      instances: node.instances.size,
      fit: fit && { n: fit.n, chosen: fit.chosen, ...chosenMoments(fit), sample_mean: fit.sampleMean, sample_cv: fit.sampleCv, critical: fit.critical, families: fit.families },
      calls: Object.fromEntries([...node.children].map(([k, e]) => [k, { p: e.spansWith / node.count, per_call: e.calls / node.count }])),
      sequences: [...node.sequences].map(([text, s]) => ({ text, count: s.count })),
    })),
    caches: m.caches,
    dropped: r.notes.causes,
    merged: r.merged,
    undetermined: r.undetermined,
  };
}
