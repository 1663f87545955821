// Requests per edge (engine/edge-plan.ts, edge-result.ts) against the hand computation. The
// database is reached three ways: the web service's cache-miss path, its direct write on 20% of
// browses (a branch), and the worker behind a balancer; the review station by a visit of its own
// and by the intake station's routing (40%). Open load, so each class's rate is the rate times its
// weight's share exactly; the cache's miss share is the cache's own counted hit ratio. Each edge's
// mean must lie within 2 of its 95% confidence half-widths (10 replications; the miss share's
// half-width added where it enters) of the computation, and the half-width must be under 3% of it
// (a wrong split of 5% fails). Then flow conservation on every bundled scenario: into each
// component, the requests its inbound edges sent equal its arrivals (throughput plus what it
// dropped or failed), within their confidence half-widths.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { simulate, type Estimate, type SimResult } from "../../index.ts";
import { compile } from "../../engine/program.ts";
import { OP_CALL, OP_DB, OP_SLOT, OP_VISIT } from "../../engine/codes.ts";
import { scenarioOf } from "../helpers.ts";

const RATE = 400;
const s = scenarioOf(`
version: 1
name: two-ways
seed: 11
simulation: { duration: 100s, warmup: 10s, replications: 10 }
load:
  model: open
  rate: ${RATE}/s
  classes:
    browse: { weight: 60, keys: { count: 4000, popularity: uniform }, flow: [{ call: web }] }
    order: { weight: 30, flow: [{ call: lb }] }
    report: { weight: 5, flow: [{ visit: intake }] }
    audit: { weight: 5, flow: [{ visit: review }] }
components:
  web:
    kind: service
    replicas: 2
    concurrency: 64
    handlers:
      browse:
        - call: cache
          op: get
          miss: [{ call: db, op: read }, { call: cache, op: set }]
        - branch:
            - { p: 0.2, flow: [{ call: db, op: write }] }
            - { p: 0.8, flow: [] }
  lb: { kind: load_balancer, algorithm: round_robin, backends: worker }
  worker:
    kind: service
    replicas: 2
    concurrency: 64
    handlers:
      order: [{ service: 1ms }, { call: db, op: write }]
  cache: { kind: cache, capacity: 2000, service: 0.05ms }
  db:
    kind: database
    keys: 4000
    read: { dist: exponential, mean: 1ms }
    write: { dist: exponential, mean: 2ms }
    max_connections: 200
  intake: { kind: station, servers: 8, service: { dist: exponential, mean: 5ms }, routing: [{ to: review, p: 0.4 }, { to: exit, p: 0.6 }] }
  review: { kind: station, servers: 8, service: { dist: exponential, mean: 5ms } }
`);

/** |mean - theory| within 2 half-widths (plus `extra`, the half-width of an estimate the theory uses), the half-width under 3%. */
function near(e: Estimate | undefined, theory: number, label: string, extra = 0): void {
  expect(e, `${label}: no such edge`).toBeDefined();
  const ci = e!.ci95 ?? NaN;
  expect(ci, `${label}: half-width ${ci} too wide for ${theory}`).toBeLessThanOrEqual(0.03 * theory);
  expect(Math.abs(e!.mean - theory), `${label}: simulated ${e!.mean} ± ${ci} vs ${theory}`).toBeLessThanOrEqual(2 * (ci + extra));
}

describe("requests per edge into a component reached several ways equal the hand computation", () => {
  const r = simulate(s);
  const e = r.edges!;
  const browse = RATE * 0.6, order = RATE * 0.3, report = RATE * 0.05, audit = RATE * 0.05;
  const hit = r.components.cache.hitRatio!;
  const miss = 1 - hit.mean;
  it("the users' edges carry each class's rate", () => {
    near(e["users->web"]?.requestsPerSecond, browse, "users->web");
    near(e["users->lb"]?.requestsPerSecond, order, "users->lb");
    near(e["users->intake"]?.requestsPerSecond, report, "users->intake");
    near(e["users->review"]?.requestsPerSecond, audit, "users->review");
  });
  it("a balancer passes every request it takes to its pool", () => {
    near(e["lb->worker"]?.requestsPerSecond, order, "lb->worker");
  });
  it("the database's three ways: the web's misses and 20% writes, the worker's writes", () => {
    near(e["web->db"]?.requestsPerSecond, browse * miss + 0.2 * browse, "web->db", browse * (hit.ci95 ?? NaN));
    near(e["worker->db"]?.requestsPerSecond, order, "worker->db");
  });
  it("the cache: a get per browse, a set per miss", () => {
    near(e["web->cache"]?.requestsPerSecond, browse * (1 + miss), "web->cache", browse * (hit.ci95 ?? NaN));
  });
  it("the review station: its own visits and 40% of the intake's by routing", () => {
    near(e["intake->review"]?.requestsPerSecond, 0.4 * report, "intake->review");
  });
  it("inbound edges add up to each component's throughput (nothing is lost here)", () => conserved(r, "two-ways"));
});

describe("edges are resolved at compile time: the instructions that send carry their edge", () => {
  const p = compile(s);
  const edgeAt = (op: number) => [...p.op.keys()].filter((pc) => p.op[pc] === op && p.edges.pcEdge[pc] !== p.edges.none).map((pc) => p.edges.names[p.edges.pcEdge[pc]]);
  it("calls, the balancer's slot, database calls and visits", () => {
    expect(new Set(edgeAt(OP_CALL))).toEqual(new Set(["users->web", "users->lb"]));
    expect(edgeAt(OP_SLOT)).toEqual(["lb->worker"]);
    expect(new Set(edgeAt(OP_DB))).toEqual(new Set(["web->db", "worker->db"]));
    expect(new Set(edgeAt(OP_VISIT))).toEqual(new Set(["users->intake", "users->review"]));
  });
  it("a direct call's slot sends nothing more (counted once, at the call)", () => {
    const slots = [...p.op.keys()].filter((pc) => p.op[pc] === OP_SLOT);
    expect(slots.length).toBe(2);
  });
  it("a class's flow is a chain, as the graph draws it: each step from the one before; nested steps from the same", () => {
    const chain = compile(scenarioOf(`
version: 1
name: chain
load: { model: open, rate: 10/s, classes: { req: { flow: [{ visit: a }, { visit: b }, { call: svc }, { branch: [{ p: 0.5, flow: [{ visit: a }] }, { p: 0.5, flow: [] }] }] } } }
components:
  a: { kind: station, service: { dist: exponential, mean: 1ms } }
  b: { kind: station, service: { dist: exponential, mean: 1ms } }
  svc: { kind: service, replicas: 1, handlers: { req: [{ visit: a }] } }
`));
    const sent = [...chain.op.keys()].filter((pc) => chain.edges.pcEdge[pc] !== chain.edges.none).map((pc) => chain.edges.names[chain.edges.pcEdge[pc]]);
    expect(sent.sort()).toEqual(["a->b", "b->svc", "svc->a", "svc->a", "users->a"]);
  });
  it("a station's routing carries its edges per choice (exit none)", () => {
    const intake = p.stations.find((st) => p.components[st.component].name === "intake")!;
    expect([...intake.routeEdge].map((x) => (x < 0 ? "exit" : p.edges.names[x]))).toEqual(["intake->review", "exit"]);
  });
});

/**
 * Flow conservation: per component with inbound edges, the requests they sent per second equal
 * the component's arrivals: its throughput plus the requests it dropped or failed (the
 * accounting's per-reason counts are whole-run totals, so only components without losses are
 * held to the throughput exactly; with losses the inbound rate must be at least the throughput).
 */
function conserved(r: SimResult, label: string): void {
  const inbound = new Map<string, { mean: number; ci: number }>();
  for (const [name, x] of Object.entries(r.edges ?? {})) {
    const to = name.slice(name.indexOf("->") + 2);
    if (to === "users" || x.requestBytesPerSecond !== undefined && x.requestsPerSecond.mean === 0) continue;
    const acc = inbound.get(to) ?? { mean: 0, ci: 0 };
    acc.mean += x.requestsPerSecond.mean;
    acc.ci += x.requestsPerSecond.ci95 ?? 0;
    inbound.set(to, acc);
  }
  for (const [name, c] of Object.entries(r.components)) {
    if (c.kind === "realtime") continue; // its traffic is connections' messages, not requests over edges
    const into = inbound.get(name);
    expect(into, `${label}: ${name} has no inbound edge`).toBeDefined();
    const through = c.throughput.mean, ci = (c.throughput.ci95 ?? 0) + into!.ci;
    const lost = Object.keys(c.drops).length > 0 || r.accounting.failed + r.accounting.dropped > 0;
    // in flight at the window's ends: at most a few requests per replication, one per unit
    const edge = (c.servers ?? 0) / r.run.durationS;
    if (lost) expect(into!.mean, `${label}: ${name} inbound ${into!.mean} below its throughput ${through}`).toBeGreaterThanOrEqual(through - 2 * ci - edge);
    else expect(Math.abs(into!.mean - through), `${label}: ${name} inbound ${into!.mean} vs throughput ${through} ± ${ci}`).toBeLessThanOrEqual(2 * ci + edge);
  }
}

describe("flow conservation on every bundled scenario", () => {
  const dir = new URL("../../../scenarios/", import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    it(file, () => {
      const sc = scenarioOf(readFileSync(new URL(file, dir), "utf8"));
      // at most 30 s and 2 replications (one-million-users' own 10 minutes x 5 take minutes): the identity holds in any window
      const r = simulate(sc, { duration: Math.min(sc.simulation.duration ?? 30, 30), warmup: Math.min(sc.simulation.warmup ?? 5, 5), replications: 2 });
      conserved(r, file);
    });
  }
});
