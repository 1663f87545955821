// The analytic solver against closed-form queueing results (exact where the theory is exact) and
// against the simulator on product-form networks and on bundled scenarios at moderate load.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, type Scenario } from "../index.ts";
import { erlangC as erlangCRef, scenarioOf } from "../tests/helpers.ts";
import { erlangC, mva, quantileOf, solveAnalytic, solveStation, scaleLoad, nominalLoad, analyticBracket } from "./index.ts";

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function bundled(name: string): Scenario {
  return scenarioOf(readFileSync(new URL(`../../scenarios/${name}.yaml`, import.meta.url), "utf8"), name);
}

describe("single stations: exact closed forms", () => {
  it("Erlang C by the Erlang B recursion equals the direct sum, also for 500 servers", () => {
    for (const [c, a] of [[1, 0.5], [8, 6], [32, 20], [100, 95]]) expect(rel(erlangC(c, a), erlangCRef(c, a))).toBeLessThan(1e-9);
    const big = erlangC(500, 480);
    expect(big).toBeGreaterThan(0);
    expect(big).toBeLessThan(1);
  });
  it("M/M/1 wait ρ/(μ-λ) and M/D/1 half of it (Pollaczek-Khinchine)", () => {
    const mm1 = solveStation(1, 80, 0.01, 1);
    expect(rel(mm1.wait.mean, 0.8 / (100 - 80))).toBeLessThan(1e-12);
    const md1 = solveStation(1, 80, 0.01, 0);
    expect(rel(md1.wait.mean, 0.8 / (100 - 80) / 2)).toBeLessThan(1e-12);
  });
  it("the M/M/c response time is exponential-like: the p99 of an M/M/1 sojourn (exponential, rate μ-λ) within 0.5%", () => {
    const mu = 100, lambda = 70;
    const w = solveStation(1, lambda, 1 / mu, 1).wait;
    const t = { mean: w.mean + 1 / mu, variance: w.variance + 1 / mu ** 2 };
    expect(rel(t.mean, 1 / (mu - lambda))).toBeLessThan(1e-12);
    expect(rel(t.variance, 1 / (mu - lambda) ** 2)).toBeLessThan(1e-9);
    expect(rel(quantileOf(t, 0.99), Math.log(100) / (mu - lambda))).toBeLessThan(0.005);
  });
  it("unstable stations report infinite waits, not a capped number", () => {
    const s = solveStation(4, 100, 0.05, 1);
    expect(s.stable).toBe(false);
    expect(s.wait.mean).toBe(Infinity);
  });
});

// 20 users thinking 500 ms between visits to a cpu (20 ms) and a disk (12 ms), both exponential.
const twoStations = `
version: 1
name: mva
load:
  model: closed
  users: 20
  think: { dist: exponential, mean: 500ms }
  classes: { req: { flow: [cpu, disk] } }
components:
  cpu: { kind: station, service: { dist: exponential, mean: 20ms } }
  disk: { kind: station, service: { dist: exponential, mean: 12ms } }
`;

describe("exact MVA", () => {
  it("equals the recursion of simulator/tests/theory/closed-mva.test.ts for N = 1..50", () => {
    const Z = 0.5, D1 = 0.02, D2 = 0.012;
    let q1 = 0, q2 = 0;
    for (let n = 1; n <= 50; n++) {
      const r1 = D1 * (1 + q1), r2 = D2 * (1 + q2);
      const X = n / (Z + r1 + r2);
      q1 = X * r1; q2 = X * r2;
      const m = mva([{ demand: D1, servers: 1 }, { demand: D2, servers: 1 }], n, Z);
      expect(rel(m.throughput, X)).toBeLessThan(1e-12);
    }
  });
  it("a closed scenario of two stations: solveAnalytic is that MVA, and the simulator agrees within 3%", () => {
    const s = scenarioOf(twoStations + "seed: 3\nsimulation: { duration: 400s, warmup: 20s, replications: 3 }\n");
    const a = solveAnalytic(s);
    const m = mva([{ demand: 0.02, servers: 1 }, { demand: 0.012, servers: 1 }], 20, 0.5);
    expect(rel(a.throughput, m.throughput)).toBeLessThan(1e-9);
    expect(rel(a.classes.req.latencyMs.mean / 1000, m.residence[0] + m.residence[1])).toBeLessThan(1e-9);
    const r = simulate(s);
    expect(rel(r.classes.req.throughput.mean, a.throughput)).toBeLessThan(0.03);
    expect(rel(r.classes.req.latencyMs.mean.mean, a.classes.req.latencyMs.mean)).toBeLessThan(0.03);
  });
  it("brackets a closed load: saturation at N* = (Z + D) / D_max users, found without searching to infinity", () => {
    // cpu 20 ms + disk 12 ms, think 500 ms: N* = 532 / 20 = 26.6 users (a closed network never
    // turns unstable, so the bracket must come from the bound, not from 'stable')
    const s = scenarioOf(twoStations + "slo: { latency: { p99: 400ms } }\n");
    const b = analyticBracket(s);
    expect(b.saturation).toBe(26);
    expect(b.bottleneck).toBe("cpu");
    // the SLO edge is a population whose MVA p99 is within the limit while one more user's is not
    const p99 = (n: number) => solveAnalytic(s, { users: n }).classes.req.latencyMs.p99;
    expect(p99(b.slo)).toBeLessThanOrEqual(400);
    expect(p99(b.slo + 1)).toBeGreaterThan(400);
  });
});

describe("open product-form networks: analytic = theory, simulator within its confidence interval + 2%", () => {
  it("Jackson network with feedback: E[T] = Σ L_i / γ", () => {
    const gamma = 40, pBack = 0.3, muA = 100, muB = 90, lam = gamma / (1 - pBack);
    const s = scenarioOf(`
version: 1
name: jackson
seed: 9
simulation: { duration: 600s, warmup: 20s, replications: 4 }
load: { model: open, rate: ${gamma}/s, classes: { req: { flow: [a] } } }
components:
  a: { kind: station, service: { dist: exponential, mean: ${1000 / muA}ms }, routing: [{ to: b, p: 1 }] }
  b: { kind: station, service: { dist: exponential, mean: ${1000 / muB}ms }, routing: [{ to: a, p: ${pBack} }, { to: exit, p: ${1 - pBack} }] }
`);
    const a = solveAnalytic(s);
    const L = (mu: number) => lam / mu / (1 - lam / mu);
    const theory = (1000 * (L(muA) + L(muB))) / gamma;
    expect(rel(a.classes.req.latencyMs.mean, theory)).toBeLessThan(1e-9);
    expect(rel(a.components.a.throughput, lam)).toBeLessThan(1e-9);
    const r = simulate(s);
    const e = r.classes.req.latencyMs.mean;
    expect(Math.abs(e.mean - theory)).toBeLessThanOrEqual(2 * e.ci95! + 0.02 * theory);
  });
  it("M/M/8 at 75% (scenarios/single-service.yaml): Erlang C mean and, within 5%, the simulated p95 and p99", () => {
    const s = bundled("single-service");
    const a = solveAnalytic(s);
    const C = erlangCRef(8, 6);
    const theory = 1000 * (C / (8 * 50 - 300) + 0.02);
    expect(rel(a.classes.get_product.latencyMs.mean, theory)).toBeLessThan(1e-9);
    const r = simulate(s, { duration: 200, warmup: 10, replications: 3 });
    expect(rel(r.classes.get_product.latencyMs.mean.mean, theory)).toBeLessThan(0.03);
    expect(rel(r.classes.get_product.latencyMs.p95.mean, a.classes.get_product.latencyMs.p95)).toBeLessThan(0.05);
    expect(rel(r.classes.get_product.latencyMs.p99.mean, a.classes.get_product.latencyMs.p99)).toBeLessThan(0.05);
  });
});

describe("components beyond stations, against the simulator at moderate load", () => {
  it("balancer with maxconn = slots as one central M/G/32 queue (lb-replicas): utilization within 2%, mean within 3%", () => {
    const s = bundled("lb-replicas");
    const a = solveAnalytic(s);
    const r = simulate(s, { duration: 40, warmup: 5, replications: 2 });
    expect(rel(r.components.api.utilization.mean, a.components.api.utilization!)).toBeLessThan(0.02);
    expect(rel(r.classes.get_product.latencyMs.mean.mean, a.classes.get_product.latencyMs.mean)).toBeLessThan(0.03);
  });
  it("hash shards under Zipf keys (sharded-db): every node's throughput within 5%, the hot shard named", () => {
    const s = bundled("sharded-db");
    const a = solveAnalytic(s);
    // 10 replications: with 2 the hot Zipf keys make a shard's 95% interval about ±10%, wider than the 5% asked.
    const r = simulate(s, { duration: 40, warmup: 5, replications: 10 });
    for (const [part, x] of Object.entries(a.components.db.parts!)) {
      if (part.includes(".pool@")) continue;
      expect(rel(r.components.db.parts[part].throughput.mean, x.throughput), part).toBeLessThan(0.05);
    }
    const hot = Object.entries(a.components.db.parts!).filter(([p]) => p.endsWith("primary")).sort((x, y) => y[1].throughput - x[1].throughput)[0][0];
    const simHot = Object.entries(r.components.db.parts).filter(([p]) => p.endsWith("primary")).sort((x, y) => y[1].throughput.mean - x[1].throughput.mean)[0][0];
    expect(hot).toBe(simHot);
  });
  it("queue workers holding a database write, with retries (queue-offload): worker utilization within 3%, class means within 3%", () => {
    const s = bundled("queue-offload");
    const a = solveAnalytic(s);
    const r = simulate(s, { duration: 60, warmup: 5, replications: 2 });
    expect(rel(r.components.orders.utilization.mean, a.components.orders.utilization!)).toBeLessThan(0.03);
    for (const c of ["get_product", "create_order"]) expect(rel(r.classes[c].latencyMs.mean.mean, a.classes[c].latencyMs.mean), c).toBeLessThan(0.03);
  });
});

describe("load scaling", () => {
  it("scales rate, stages and users by one factor and keeps the shape", () => {
    const s = scenarioOf(`
version: 1
name: staged
load:
  model: open
  stages: [{ duration: 10s, target: 100/s }, { duration: 10s, target: 300/s, shape: step }]
  classes: { req: { flow: [a] } }
components: { a: { kind: station, service: 1ms } }
`);
    const t = scaleLoad(s, 600);
    expect(nominalLoad(t)).toBe(600);
    if (t.load.model !== "open") throw new Error("open");
    expect(t.load.stages!.map((x) => x.target)).toEqual([200, 600]);
    const c = scaleLoad(bundledClosed(), 50);
    expect(nominalLoad(c)).toBe(50);
  });
});

function bundledClosed(): Scenario {
  return scenarioOf(`
version: 1
name: closed
load: { model: closed, users: 10, think: 1s, classes: { req: { flow: [a] } } }
components: { a: { kind: station, service: 1ms } }
`);
}

describe("cache hit ratio", () => {
  it("is Che's approximation for LRU without TTL (as in simulator/tests/components/cache-che.test.ts)", async () => {
    const { KeySampler } = await import("../engine/zipf.ts");
    const keys = 20_000, s = 0.8, capacity = 2000;
    const p = KeySampler.probabilities(keys, s);
    const filled = (T: number) => p.reduce((a, x) => a + (1 - Math.exp(-x * T)), 0);
    let lo = 0, hi = 1;
    while (filled(hi) < capacity) hi *= 2;
    for (let i = 0; i < 100; i++) { const mid = (lo + hi) / 2; if (filled(mid) < capacity) lo = mid; else hi = mid; }
    const che = p.reduce((a, x) => a + x * (1 - Math.exp(-x * lo)), 0);
    const a = solveAnalytic(scenarioOf(`
version: 1
name: che
load:
  model: open
  rate: 200/s
  classes:
    read:
      keys: { count: ${keys}, popularity: zipf, s: ${s} }
      flow: [{ call: cache, op: get, miss: [{ call: cache, op: set }] }]
components:
  cache: { kind: cache, capacity: ${capacity}, service: 0.01ms }
`));
    expect(Math.abs(a.components.cache.hitRatio! - che)).toBeLessThan(1e-6);
    // gets plus the sets after misses
    expect(a.components.cache.throughput).toBeCloseTo(200 * (2 - che), 6);
  });
});

describe("edges: the flows' request rates per caller -> callee, against the simulator's counts", () => {
  /** Every analytic edge is a simulated one and within 3 of its 95% half-widths; every simulated edge that carried requests is an analytic one. */
  const agrees = (s: Scenario, sim: ReturnType<typeof simulate>) => {
    const a = solveAnalytic(s);
    const simulated = Object.entries(sim.edges ?? {}).filter(([, e]) => e.requestsPerSecond.mean > 0).map(([n]) => n);
    expect(Object.keys(a.edges).sort()).toEqual(simulated.sort());
    for (const [n, e] of Object.entries(a.edges)) {
      const x = sim.edges![n].requestsPerSecond;
      expect(Math.abs(e.requestsPerSecond - x.mean), n).toBeLessThanOrEqual(3 * x.ci95!);
    }
    return a;
  };
  it("Jackson network with feedback: users->a = γ, a->b = γ/(1-p), b->a = p γ/(1-p) exactly", () => {
    const gamma = 40, p = 0.3;
    const s = scenarioOf(`
version: 1
name: jackson-edges
seed: 3
simulation: { duration: 300s, warmup: 10s, replications: 4 }
load: { model: open, rate: ${gamma}/s, classes: { req: { flow: [a] } } }
components:
  a: { kind: station, service: { dist: exponential, mean: 10ms }, routing: [{ to: b, p: 1 }] }
  b: { kind: station, service: { dist: exponential, mean: 11ms }, routing: [{ to: a, p: ${p} }, { to: exit, p: ${1 - p} }] }
`);
    const a = agrees(s, simulate(s));
    expect(rel(a.edges["users->a"].requestsPerSecond, gamma)).toBeLessThan(1e-12);
    expect(rel(a.edges["a->b"].requestsPerSecond, gamma / (1 - p))).toBeLessThan(1e-9);
    expect(rel(a.edges["b->a"].requestsPerSecond, (p * gamma) / (1 - p))).toBeLessThan(1e-9);
  });
  it("queue-offload (balancer, pool, database, a publish, the consumer's calls with retries) and realtime-chat: the same edges, each within 3 CI half-widths", () => {
    for (const name of ["queue-offload", "realtime-chat"]) {
      const s = bundled(name);
      const a = agrees(s, simulate(s, { duration: 200, warmup: 10, replications: 3 }));
      expect(Object.keys(a.edges).length).toBeGreaterThanOrEqual(3);
    }
  });
});
