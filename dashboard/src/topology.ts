// The scenario as a graph: one node for the load source and one per component (with its kind and
// key parameters), one edge per call path (flow steps, station routing, service handlers, balancer
// backends, queue handlers, CDN origin), laid out in columns by distance from the clients.
// Pure data; Topology.tsx draws it with React Flow.
import type { Component, Dist, Scenario, SimResult } from "../../simulator/index.ts";

export interface TopoNode {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly params: string[];
  readonly x: number;
  readonly y: number;
  /** The component's `region:` (drawn as a group around its members); absent without one. */
  readonly region?: string;
}

export interface TopoEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly label?: string;
}

export const CLIENTS = "clients";

export function fmtSeconds(s: number): string {
  if (s === 0) return "0";
  if (s < 1e-3) return `${+(s * 1e6).toPrecision(3)}µs`;
  if (s < 1) return `${+(s * 1e3).toPrecision(3)}ms`;
  if (s < 120) return `${+s.toPrecision(3)}s`;
  return `${+(s / 60).toPrecision(3)}m`;
}

export function fmtCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return String(+n.toPrecision(4));
}

export function describeDist(d: Dist): string {
  switch (d.dist) {
    case "constant": return fmtSeconds(d.value);
    case "exponential": return `exp ${fmtSeconds(d.mean)}`;
    case "uniform": return `U ${fmtSeconds(d.min)}–${fmtSeconds(d.max)}`;
    case "normal": return `N ${fmtSeconds(d.mean)} sd ${fmtSeconds(d.sd)}`;
    case "lognormal": return `logN ${fmtSeconds(d.mean)} cv ${d.cv}`;
    case "gamma": return `Γ ${fmtSeconds(d.mean)} cv ${d.cv}`;
    case "erlang": return `Erlang-${d.k} ${fmtSeconds(d.mean)}`;
    case "hyperexponential": return `H2 ${fmtSeconds(d.mean)} cv ${d.cv}`;
    case "pareto": return `Pareto α${d.alpha} ${fmtSeconds(d.min)}–${fmtSeconds(d.max)}`;
    case "empirical": return `empirical (${d.samples.length})`;
  }
}

/** The key parameters shown on a component's node. */
export function describeComponent(c: Component): string[] {
  switch (c.kind) {
    case "station": {
      const out = [`${c.servers} server${c.servers === 1 ? "" : "s"} · ${describeDist(c.service)}`];
      if (c.buffer !== undefined) out.push(`buffer ${fmtCount(c.buffer)}`);
      if (c.queue_timeout !== undefined) out.push(`queue timeout ${fmtSeconds(c.queue_timeout)}`);
      return out;
    }
    case "load_balancer":
      return [c.algorithm.replace(/_/g, " "), ...(c.maxconn !== undefined ? [`maxconn ${c.maxconn}`] : [])];
    case "service":
      return [`${c.replicas} replica${c.replicas === 1 ? "" : "s"} × ${c.concurrency} slots`, ...(c.timeout !== undefined ? [`timeout ${fmtSeconds(c.timeout)}`] : [])];
    case "cache":
      return [`${fmtCount(c.capacity)} keys LRU`, ...(c.ttl !== undefined ? [`ttl ${fmtSeconds(c.ttl)}`] : [])];
    case "database":
      return [`read ${describeDist(c.read)} · write ${describeDist(c.write)}`, `${c.replicas} replica${c.replicas === 1 ? "" : "s"}${c.shards ? ` · ${c.shards.count} shards` : ""}`];
    case "queue":
      return [`${c.workers} worker${c.workers === 1 ? "" : "s"} · ${describeDist(c.service)}`, ...(c.max_length !== undefined ? [`max ${fmtCount(c.max_length)}`] : [])];
    case "cdn":
      return [`origin ${c.origin}`, ...(c.ttl !== undefined ? [`ttl ${fmtSeconds(c.ttl)}`] : [])];
    case "function":
      return [`≤ ${fmtCount(c.max_instances)} instances × ${c.concurrency}`, `cold ${describeDist(c.cold_start)} · idle ${fmtSeconds(c.idle_timeout)}`, ...(c.provisioned > 0 ? [`${c.provisioned} provisioned`] : [])];
    case "realtime":
      return [`${c.instances} instance${c.instances === 1 ? "" : "s"} × ${fmtCount(c.max_connections)} connections`, `${fmtCount(c.channels.count)} channel${c.channels.count === 1 ? "" : "s"}${c.backbone ? " · backbone" : ""}`];
  }
}

function describeLoad(s: Scenario): string[] {
  const l = s.load;
  const classes = Object.keys(l.classes).length;
  const mix = `${classes} class${classes === 1 ? "" : "es"}`;
  if (l.model === "open") {
    const rate = l.rate !== undefined ? `${fmtCount(l.rate)}/s` : `${l.stages?.length ?? 0} stages`;
    return [`open · ${rate}`, mix];
  }
  const users = l.users !== undefined ? `${fmtCount(l.users)} users` : `${l.stages?.length ?? 0} stages`;
  return [`closed · ${users}`, mix];
}

/** Components a step sends work to, nested branches and fan-outs included. Lenient: it also reads
 * a step of a model that does not check yet (a draft), where anything may be malformed. */
function targets(step: unknown): string[] {
  if (typeof step === "string") return [step];
  if (step === null || typeof step !== "object" || Array.isArray(step)) return [];
  const s = step as Record<string, unknown>;
  const name = (v: unknown) => (typeof v === "string" ? [v] : []);
  if ("visit" in s) return name(s.visit);
  if ("call" in s) return [...name(s.call), ...flowTargets(s.hit), ...flowTargets(s.miss)];
  if ("publish" in s) return name(s.publish);
  if ("branch" in s) return Array.isArray(s.branch) ? s.branch.flatMap((b) => flowTargets((b as { flow?: unknown } | null)?.flow)) : [];
  if ("parallel" in s) return Array.isArray(s.parallel) ? s.parallel.flatMap(flowTargets) : [];
  return [];
}

function flowTargets(flow: unknown): string[] {
  return Array.isArray(flow) ? flow.flatMap(targets) : [];
}

/** The step a flow moves on from (a visit or a call), if any. */
function stepName(step: unknown): string | undefined {
  if (typeof step === "string") return step;
  if (step === null || typeof step !== "object") return undefined;
  const s = step as Record<string, unknown>;
  const v = "visit" in s ? s.visit : "call" in s ? s.call : undefined;
  return typeof v === "string" ? v : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** What the graph is drawn from: a checked Scenario, or the raw data of a draft read the same way. */
interface GraphSource {
  readonly components: Record<string, Record<string, unknown>>;
  readonly classes: Record<string, unknown>;
  readonly geo?: Record<string, unknown>;
  readonly layout?: Record<string, unknown>;
  /** WebSocket clients (load.connections): realtime components the clients hold connections to. */
  readonly connections?: Record<string, unknown>;
}

function collectEdges(s: GraphSource): TopoEdge[] {
  const edgeSet = new Map<string, TopoEdge>();
  const add = (source: string, target: string, label?: string) => {
    // A geo route (scenario `geo:`) is a name for its regional entries: an edge to each.
    // Own properties only: a name such as "constructor" must not find Object.prototype's.
    const geo = s.geo && Object.hasOwn(s.geo, target) ? s.geo[target] : undefined;
    if (Array.isArray(geo)) {
      for (const entry of geo) if (typeof entry === "string") add(source, entry, "geo");
      return;
    }
    if (!Object.hasOwn(s.components, target) || source === target && !label) return;
    const id = `${source}->${target}`;
    if (!edgeSet.has(id)) edgeSet.set(id, { id, source, target, label });
  };

  // Class flows: a sequence of steps, each reached from the one before it.
  for (const def of Object.values(s.classes)) {
    let prev = CLIENTS;
    const flow = isRecord(def) && Array.isArray(def.flow) ? def.flow : [];
    for (const step of flow) {
      targets(step).forEach((t) => add(prev, t));
      prev = stepName(step) ?? prev;
    }
  }
  // WebSocket clients (load.connections) hold connections to realtime components.
  for (const name of Object.keys(s.connections ?? {})) add(CLIENTS, name, "ws");
  for (const [name, c] of Object.entries(s.components)) {
    if (c.kind === "station" && Array.isArray(c.routing)) for (const r of c.routing) if (isRecord(r) && typeof r.to === "string" && r.to !== "exit") add(name, r.to, `p ${r.p}`);
    if (c.kind === "load_balancer" && typeof c.backends === "string") add(name, c.backends);
    if (c.kind === "cdn" && typeof c.origin === "string") add(name, c.origin);
    if ((c.kind === "service" || c.kind === "function") && isRecord(c.handlers)) for (const flow of Object.values(c.handlers)) flowTargets(flow).forEach((t) => add(name, t));
    if (c.kind === "queue") flowTargets(c.handler).forEach((t) => add(name, t));
  }
  return [...edgeSet.values()];
}

/** Places the nodes: where `layout:` says, else in columns by shortest hop count from the clients
 * (unreachable components in a last column). Breadth-first over an adjacency list: linear in nodes
 * and edges, for any size of model. */
function place(s: GraphSource, edges: TopoEdge[], describe: (name: string) => { kind: string; params: string[]; region?: string }, loadParams: string[]): TopoNode[] {
  const names = Object.keys(s.components);
  const out = new Map<string, string[]>();
  for (const e of edges) { const l = out.get(e.source); if (l) l.push(e.target); else out.set(e.source, [e.target]); }
  const depth = new Map<string, number>([[CLIENTS, 0]]);
  const queue = [CLIENTS];
  let maxDepth = 0;
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q];
    for (const t of out.get(n) ?? []) if (!depth.has(t)) { const d = depth.get(n)! + 1; depth.set(t, d); maxDepth = Math.max(maxDepth, d); queue.push(t); }
  }
  for (const n of names) if (!depth.has(n)) depth.set(n, maxDepth + 1);

  const columns = new Map<number, string[]>();
  for (const n of [CLIENTS, ...names]) {
    const d = depth.get(n)!;
    const col = columns.get(d);
    if (col) col.push(n);
    else columns.set(d, [n]);
  }
  // With regions, each region has a band of rows across all columns (as tall as its most
  // populated column, its members centred in it), and a gap before the next band with room for the
  // group's frame and name (REGION_GAP), so groups never overlap. Without, columns are centred.
  const regionOf = (n: string) => (n === CLIENTS ? undefined : typeof s.components[n]?.region === "string" ? s.components[n].region as string : undefined);
  // the clients and components without a region first, then the regions as they first come
  const bands = new Map<string | undefined, { rows: number; start: number }>([[undefined, { rows: 0, start: 0 }]]);
  for (const n of names) if (!bands.has(regionOf(n))) bands.set(regionOf(n), { rows: 0, start: 0 });
  const COL = 250, ROW = 120, REGION_GAP = 2 * REGION_PAD + REGION_LABEL + 24;
  for (const col of columns.values()) {
    const count = new Map<string | undefined, number>();
    for (const n of col) count.set(regionOf(n), (count.get(regionOf(n)) ?? 0) + 1);
    for (const [r, k] of count) bands.get(r)!.rows = Math.max(bands.get(r)!.rows, k);
  }
  let top = 0;
  for (const b of bands.values()) {
    if (b.rows === 0) continue;
    b.start = top;
    top += b.rows * ROW + (bands.size > 1 ? REGION_GAP : 0);
  }
  const nodes: TopoNode[] = [];
  for (const [d, col] of columns) {
    const count = new Map<string | undefined, number>();
    for (const n of col) count.set(regionOf(n), (count.get(regionOf(n)) ?? 0) + 1);
    const seen = new Map<string | undefined, number>();
    col.forEach((n) => {
      const r = regionOf(n), b = bands.get(r)!, k = seen.get(r) ?? 0;
      seen.set(r, k + 1);
      let x = d * COL;
      let y = b.start + (k + (b.rows - count.get(r)!) / 2) * ROW;
      const at = s.layout && Object.hasOwn(s.layout, n) ? s.layout[n] : undefined;
      if (Array.isArray(at) && Number.isFinite(at[0]) && Number.isFinite(at[1])) [x, y] = [at[0] as number, at[1] as number];
      if (n === CLIENTS) nodes.push({ id: n, kind: "load", title: "clients", params: loadParams, x, y });
      else nodes.push({ id: n, title: n, x, y, ...describe(n) });
    });
  }
  return nodes;
}

export function buildTopology(s: Scenario): { nodes: TopoNode[]; edges: TopoEdge[] } {
  const source: GraphSource = {
    components: s.components as unknown as GraphSource["components"],
    classes: s.load.classes,
    geo: s.geo,
    layout: s.layout,
    connections: s.load.connections as Record<string, unknown> | undefined,
  };
  const edges = collectEdges(source);
  const nodes = place(source, edges, (n) => {
    const c = s.components[n];
    const params = describeComponent(c);
    if (c.region !== undefined) params.push(`region ${c.region}`);
    return { kind: c.kind, params, ...(c.region !== undefined ? { region: c.region } : {}) };
  }, describeLoad(s));
  return { nodes, edges };
}

const KINDS = new Set(["station", "load_balancer", "service", "cache", "database", "queue", "cdn", "function"]);

/** The graph of a model that does not check yet (built by hand, half connected): read from the
 * YAML's data as far as it goes, every component drawn with the kind it names. Null when the text
 * is not a YAML mapping with a `components` mapping (or none at all) to draw. */
export function buildDraftTopology(data: unknown): { nodes: TopoNode[]; edges: TopoEdge[] } | null {
  if (!isRecord(data)) return null;
  if (data.components !== undefined && !isRecord(data.components)) return null;
  const components: GraphSource["components"] = Object.create(null);
  for (const [n, c] of Object.entries(data.components ?? {})) components[n] = isRecord(c) ? c : {};
  const load = isRecord(data.load) ? data.load : {};
  const classes = isRecord(load.classes) ? load.classes : {};
  const source: GraphSource = {
    components, classes,
    geo: isRecord(data.geo) ? data.geo : undefined,
    layout: isRecord(data.layout) ? data.layout : undefined,
    connections: isRecord(load.connections) ? load.connections : undefined,
  };
  const edges = collectEdges(source);
  const n = Object.keys(classes).length;
  const nodes = place(source, edges, (name) => {
    const { kind, region } = components[name];
    return { kind: typeof kind === "string" && KINDS.has(kind) ? kind : "unknown", params: ["draft: not runnable yet"], ...(typeof region === "string" ? { region } : {}) };
  }, [typeof load.model === "string" ? `${load.model} load` : "load", `${n} class${n === 1 ? "" : "es"}`]);
  return { nodes, edges };
}

/** Heat color for a utilization in [0, 1]: green under 60%, amber to 85%, red beyond. */
export function utilizationColor(u: number): string {
  if (u < 0.6) return "#3fb950";
  if (u < 0.85) return "#d29922";
  return "#f85149";
}

/** What a node shows after a run: a utilization bar where the component has units to be busy,
 * else (a CDN, an unbounded pool) the requests it answered and its hit ratio; never NaN. */
export interface NodeLoad {
  /** busy share in [0, 1] for the bar and its color; absent when the component has no units */
  readonly utilization?: number;
  readonly text: string;
}

export function nodeLoad(c: SimResult["components"][string] | undefined): NodeLoad | undefined {
  if (!c) return undefined;
  const u = c.utilization.mean;
  if (c.servers !== null && Number.isFinite(u)) return { utilization: u, text: `${(u * 100).toFixed(1)}%` };
  const parts: string[] = [];
  if (Number.isFinite(c.throughput.mean)) parts.push(`${fmtCount(Math.round(c.throughput.mean))} req/s`);
  if (c.hitRatio && Number.isFinite(c.hitRatio.mean)) parts.push(`hit ${(c.hitRatio.mean * 100).toFixed(1)}%`);
  return parts.length ? { text: parts.join(" · ") } : undefined;
}

/** A region's group on the canvas: the box around its components, with room for its name on top. */
export interface RegionBox {
  readonly region: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly members: readonly string[];
}

/** Padding around a region's members, and the band above them its name is written in. */
export const REGION_PAD = 16, REGION_LABEL = 20;

/**
 * The boxes of the regions, in the order their first member comes: each the bounding box of its
 * members (at their drawn places and sizes) grown by REGION_PAD, and by REGION_LABEL more on top.
 * Recomputed from the nodes' places, so a group follows its members when they are dragged.
 */
export function regionBoxes(nodes: ReadonlyArray<{ id: string; x: number; y: number; width: number; height: number; region?: string }>): RegionBox[] {
  const boxes = new Map<string, { x0: number; y0: number; x1: number; y1: number; members: string[] }>();
  for (const n of nodes) {
    if (n.region === undefined) continue;
    const b = boxes.get(n.region);
    if (!b) boxes.set(n.region, { x0: n.x, y0: n.y, x1: n.x + n.width, y1: n.y + n.height, members: [n.id] });
    else {
      b.x0 = Math.min(b.x0, n.x); b.y0 = Math.min(b.y0, n.y);
      b.x1 = Math.max(b.x1, n.x + n.width); b.y1 = Math.max(b.y1, n.y + n.height);
      b.members.push(n.id);
    }
  }
  return [...boxes].map(([region, b]) => ({
    region,
    x: b.x0 - REGION_PAD,
    y: b.y0 - REGION_PAD - REGION_LABEL,
    width: b.x1 - b.x0 + 2 * REGION_PAD,
    height: b.y1 - b.y0 + 2 * REGION_PAD + REGION_LABEL,
    members: b.members,
  }));
}

/** An edge's measured rate after a run, and what crosses it. */
export interface EdgeRate {
  readonly perSecond: number;
  /** "req/s": requests the simulator counted on the edge (result.edges); "msg/s": the messages a
   * realtime component's clients send over their WebSocket connections (a "ws" edge). */
  readonly unit: "req/s" | "msg/s";
}

/**
 * Per edge id, what crossed each edge per second after a run: the requests the simulator counted on
 * it (result.edges, every caller -> callee edge of every scenario, "users" for the clients), or
 * for a clients' WebSocket edge the messages they sent. An edge a result has no count for gets no
 * figure: a file written before the simulator counted every edge (headroom.result/v2 counted only
 * where payloads were modelled), or an edge of a draft that did not run.
 */
export function edgeRates(edges: readonly TopoEdge[], result: SimResult | null | undefined): Map<string, EdgeRate> {
  const out = new Map<string, EdgeRate>();
  if (!result) return out;
  for (const e of edges) {
    const key = `${e.source === CLIENTS ? "users" : e.source}->${e.target}`;
    const counted = result.edges && Object.hasOwn(result.edges, key) ? result.edges[key].requestsPerSecond.mean : undefined;
    if (counted !== undefined && Number.isFinite(counted)) {
      out.set(e.id, { perSecond: counted, unit: "req/s" });
      continue;
    }
    const messages = e.label === "ws" ? result.components[e.target]?.realtime?.messagesInPerSecond.mean : undefined;
    if (messages !== undefined && Number.isFinite(messages)) out.set(e.id, { perSecond: messages, unit: "msg/s" });
  }
  return out;
}

/** A rate for an edge's label: three significant figures ("6.54k req/s", "12.3 req/s", "40 msg/s"). */
export function fmtRate(perSecond: number, unit: EdgeRate["unit"] = "req/s"): string {
  return `${perSecond >= 1e3 ? fmtCount(perSecond) : String(+perSecond.toPrecision(3))} ${unit}`;
}
