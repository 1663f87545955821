// Payloads: which sizes a call carries, read once here by the compiler (engine/program.ts), the
// analytic solver (analytic/) and the checks (check.ts), so the three agree. A class's
// request_size and response_size (response after compression; with pagination page_size x
// row_size per page) apply to the calls its users make (its top-level flow, and a CDN's origin
// fetch for them); a call step's own request_size/response_size apply on that edge wherever it
// is; a database read in a paginated class's request returns page_size rows (uncompressed). Calls
// without a size carry no bytes. Sizes are Dists over bytes (schema.ts, SizeDistSchema).
import type { Component, Dist, RequestClass, Scenario, Step } from "./schema.ts";
import { meanOf } from "./dist-moments.ts";
import { formatBandwidth, formatSize } from "./units.ts";
import { own } from "./own.ts";
import { bandwidthBetween } from "./regions.ts";

/** The distribution of k times a size (compression): every size parameter scaled, shapes kept. */
export function scaleDist(d: Dist, k: number): Dist {
  if (k === 1) return d;
  switch (d.dist) {
    case "constant": return { ...d, value: d.value * k };
    case "uniform": return { ...d, min: d.min * k, max: d.max * k };
    case "normal": return { ...d, mean: d.mean * k, sd: d.sd * k };
    case "pareto": return { ...d, min: d.min * k, max: d.max * k };
    case "empirical": return { ...d, samples: d.samples.map((x) => x * k) as unknown as typeof d.samples };
    default: return { ...d, mean: d.mean * k };
  }
}

export interface ClassPayload {
  /** What the class's users send per call (undefined: no bytes). */
  readonly request: Dist | undefined;
  /** What they get back per call, on the wire (compressed; a page with pagination). */
  readonly response: Dist | undefined;
  /** Pages the client walks per request (1 without pagination). */
  readonly pages: number;
  /** Rows a database read returns (0 without pagination). */
  readonly rows: number;
  /** Bytes of those rows (undefined without pagination). */
  readonly rowBytes: Dist | undefined;
}

export function classPayload(def: RequestClass): ClassPayload {
  const k = def.compression ?? 1;
  const page = def.pagination;
  const pageBytes = page ? page.page_size * page.row_size : 0;
  return {
    request: def.request_size,
    response: page ? { dist: "constant", value: pageBytes * k } : def.response_size ? scaleDist(def.response_size, k) : undefined,
    pages: page?.pages ?? 1,
    rows: page?.page_size ?? 0,
    rowBytes: page ? { dist: "constant", value: pageBytes } : undefined,
  };
}

/** Whether a class or a call step anywhere gives a size: the scenario then has payloads. */
export function classHasPayload(def: RequestClass): boolean {
  return def.request_size !== undefined || def.response_size !== undefined || def.pagination !== undefined;
}

export interface CallSizes {
  readonly request: Dist | undefined;
  readonly response: Dist | undefined;
}

/**
 * The sizes a call step carries: its own, else for a database read in a paginated class the page's
 * rows, else the class's when the call is made by the users (`fromUsers`).
 */
export function callSizes(step: Extract<Step, { call: string }>, target: Component | undefined, fromUsers: boolean, cp: ClassPayload | undefined): CallSizes {
  const dbRead = target?.kind === "database" && step.op !== "write";
  const request = step.request_size ?? (fromUsers && !dbRead ? cp?.request : undefined);
  const response = step.response_size ?? (dbRead && cp?.rowBytes ? cp.rowBytes : fromUsers ? cp?.response : undefined);
  return { request, response };
}

/** A component's egress link capacity in bytes per second (undefined: no link, transfers take no time). */
export function linkBytesPerSecond(c: Component | undefined): number | undefined {
  const b = (c as { bandwidth?: number } | undefined)?.bandwidth;
  return b === undefined ? undefined : b / 8;
}

/** One kind of transfer a scenario makes: who sends it (null: the users), to whom, its size, for which class. */
export interface TransferSite {
  readonly from: string | null;
  readonly to: string | null;
  readonly size: Dist;
  readonly cls: string;
}

/**
 * Every transfer the scenario's flows make, by the rules above (the same the compiler follows):
 * the classes' flows, the handlers they reach, CDN origin fetches, balancers forwarding, queue
 * consumers. Rates are not known here (the analytic solver walks with them).
 */
export function payloadTransfers(s: Scenario): TransferSite[] {
  const out: TransferSite[] = [];
  const comps = s.components;
  const done = new Set<string>();
  const classes = Object.keys(s.load.classes);
  const pays = new Map(classes.map((n) => [n, classPayload(own(s.load.classes, n)!)]));
  // depth: a file that failed other checks may route a CDN to itself or a geo route to a geo route
  const call = (name: string, sz: CallSizes, cls: string, caller: string | null, consumer: boolean, depth = 0) => {
    if (depth > 16) return;
    const t = own(comps, name);
    if (!t) { for (const e of own(s.geo, name) ?? []) call(e, sz, cls, caller, consumer, depth + 1); return; }
    const backend = t.kind === "load_balancer" ? t.backends : null;
    if (sz.request) {
      out.push({ from: caller, to: name, size: sz.request, cls });
      if (backend) out.push({ from: name, to: backend, size: sz.request, cls });
    }
    if (sz.response) {
      if (backend) out.push({ from: backend, to: name, size: sz.response, cls });
      out.push({ from: name, to: caller, size: sz.response, cls });
    }
    const svc = backend ?? name;
    const sc = own(comps, svc);
    if (sc?.kind === "service" && !consumer) {
      const h = own(sc.handlers, cls);
      if (h && !done.has(`${svc}|${cls}`)) { done.add(`${svc}|${cls}`); walk(h, cls, svc, false); }
    }
    if (t.kind === "cdn") call(t.origin, sz, cls, name, consumer, depth + 1);
  };
  const walk = (flow: ReadonlyArray<Step>, cls: string, caller: string | null, consumer: boolean) => {
    for (const step of flow) {
      if ("branch" in step) for (const b of step.branch) walk(b.flow, cls, caller, consumer);
      else if ("parallel" in step) for (const f of step.parallel) walk(f, cls, caller, consumer);
      else if ("call" in step) {
        call(step.call, callSizes(step, own(comps, step.call), caller === null, consumer ? undefined : pays.get(cls)), cls, caller, consumer);
        if (step.hit) walk(step.hit, cls, caller, consumer);
        if (step.miss) walk(step.miss, cls, caller, consumer);
      }
    }
  };
  for (const n of classes) walk(own(s.load.classes, n)!.flow, n, null, false);
  for (const [n, c] of Object.entries(comps)) if (c.kind === "queue" && c.handler) walk(c.handler, classes[0] ?? "", n, true);
  return out;
}

/** Payload checks (check.ts): a response size beside pagination, and links too slow for one transfer per second. */
export function payloadProblems(s: Scenario): Array<{ path: ReadonlyArray<PropertyKey>; message: string }> {
  const problems: Array<{ path: ReadonlyArray<PropertyKey>; message: string }> = [];
  for (const [n, def] of Object.entries(s.load.classes)) {
    if (def.pagination && def.response_size) problems.push({ path: ["load", "classes", n, "response_size"], message: "with pagination a response is page_size x row_size bytes; give one of response_size and pagination" });
    if (def.compression !== undefined && !classHasPayload(def)) problems.push({ path: ["load", "classes", n, "compression"], message: "compression applies to the class's response size: add response_size or pagination" });
  }
  const sites = payloadTransfers(s);
  for (const [name, c] of Object.entries(s.components)) {
    const cap = linkBytesPerSecond(c);
    if (cap === undefined) continue;
    let worst: TransferSite | undefined, mean = 0;
    for (const t of sites) if (t.from === name && meanOf(t.size) > mean) { mean = meanOf(t.size); worst = t; }
    if (worst && mean > cap) {
      problems.push({
        path: ["components", name, "bandwidth"],
        message: `bandwidth ${formatBandwidth(cap * 8)} (${formatSize(cap)}/s) is lower than one transfer per second: '${name}' sends ${formatSize(mean)} on average to ${worst.to ?? "the users"} for class '${worst.cls}'`,
      });
    }
  }
  // links between regions: the users are in each of the load's regions
  const users = Object.keys(s.load.regions ?? {});
  const seen = new Set<string>();
  for (const t of sites) {
    const froms = t.from === null ? users : [own(s.components, t.from)?.region];
    const tos = t.to === null ? users : [own(s.components, t.to)?.region];
    for (const a of froms) for (const b of tos) {
      const bits = bandwidthBetween(s, a, b);
      if (bits === undefined || meanOf(t.size) <= bits / 8 || seen.has(`${a}|${b}`) || seen.has(`${b}|${a}`)) continue;
      seen.add(`${a}|${b}`);
      const at = own(own(s.regions, a!)?.bandwidth, b!) !== undefined ? [a!, b!] : [b!, a!];
      problems.push({
        path: ["regions", at[0], "bandwidth", at[1]],
        message: `bandwidth ${formatBandwidth(bits)} (${formatSize(bits / 8)}/s) between ${a} and ${b} is lower than one transfer per second: ${formatSize(meanOf(t.size))} on average from ${t.from ?? "the users"} to ${t.to ?? "the users"} for class '${t.cls}'`,
      });
    }
  }
  return problems;
}
