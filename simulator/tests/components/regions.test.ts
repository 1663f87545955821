// Regions against theory. A one-way latency between regions is a pure delay paid there and back,
// so users in region B of an M/M/1 station in region A see E[T] = 1/(μ-λ) + 2d, and users in A see
// the M/M/1 time alone; the analytic solver adds the same delay. Geo routing sends each origin's
// requests to its own region's entry, so entries receive the origins' shares: a binomial split.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { expectMatches, scenarioOf } from "../helpers.ts";

const lambda = 70, mu = 100, d = 30; // per second; one-way latency in ms

describe("inter-region latency: M/M/1 in region a, users half in a and half in b (30 ms one way)", () => {
  const s = scenarioOf(`
version: 1
name: regions-mm1
seed: 21
simulation: { duration: 3000s, warmup: 50s, replications: 10 }
regions:
  a: { latency: { b: ${d}ms } }
  b: {}
load: { model: open, rate: ${lambda}/s, regions: { a: 1, b: 1 }, classes: { req: { flow: [q] } } }
components: { q: { kind: station, region: a, servers: 1, service: { dist: exponential, mean: ${1000 / mu}ms } } }
`);
  const r = simulate(s);
  const mm1 = 1000 / (mu - lambda);
  it("users in a: the M/M/1 mean 1/(μ-λ), nothing added", () => expectMatches(r.regions!.a.latencyMs.mean, mm1, { precision: 0.02, label: "a" }));
  it("users in b: 1/(μ-λ) + 2 x 30 ms", () => expectMatches(r.regions!.b.latencyMs.mean, mm1 + 2 * d, { label: "b" }));
  it("no request pays less than the crossing: b's p50 is at least 60 ms", () => expect(r.regions!.b.latencyMs.p50.mean).toBeGreaterThan(2 * d));
  it("the station's own response time is M/M/1 (the delay is outside it)", () => expectMatches(r.components.q.responseMs.mean, mm1, { label: "station" }));
  it("the class mean is the mix, and the analytic solver adds the delay the same way", () => {
    expectMatches(r.classes.req.latencyMs.mean, mm1 + d, { label: "class" });
    expect(Math.abs(solveAnalytic(s).classes.req.latencyMs.mean - (mm1 + d))).toBeLessThan(1e-6 * mm1);
  });
});

describe("geo routing: a 60/40 split of users arrives 60/40 at the regional entries", () => {
  const rate = 200, window = 300, reps = 4;
  const s = scenarioOf(`
version: 1
name: regions-geo
seed: 22
simulation: { duration: ${window + 20}s, warmup: 20s, replications: ${reps} }
regions:
  us: { latency: { eu: { dist: uniform, min: 35ms, max: 45ms } } }
  eu: {}
geo: { api: [lb_us, lb_eu] }
load: { model: open, rate: ${rate}/s, regions: { us: 60, eu: 40 }, classes: { req: { flow: [{ call: api }] } } }
components:
  lb_us: { kind: load_balancer, region: us, backends: svc_us }
  lb_eu: { kind: load_balancer, region: eu, backends: svc_eu }
  svc_us: { kind: service, region: us, replicas: 2, concurrency: 50, service: { dist: exponential, mean: 20ms } }
  svc_eu: { kind: service, region: eu, replicas: 2, concurrency: 50, service: { dist: exponential, mean: 20ms } }
`);
  const r = simulate(s);
  const served = (c: string) => r.components[c].throughput.mean * window * reps;
  const us = served("lb_us"), eu = served("lb_eu"), n = us + eu;
  it("the us entry serves 60% within 4 binomial standard deviations", () => {
    expect(Math.abs(us / n - 0.6)).toBeLessThanOrEqual(4 * Math.sqrt(0.24 / n));
  });
  it("each entry serves exactly its own region's users (nothing failed over, nothing crossed)", () => {
    expect(r.regions!.us.counts.failedOver + r.regions!.eu.counts.failedOver).toBe(0);
    expect(Math.abs(us - r.regions!.us.counts.completed)).toBeLessThan(1e-6 * n);
    expect(r.regions!.eu.latencyMs.mean.mean).toBeLessThan(40); // no 80 ms round trip
  });
  it("origins are drawn 60/40: the us share of arrivals within 4 binomial standard deviations", () => {
    const a = r.regions!.us.counts.arrived, b = r.regions!.eu.counts.arrived;
    expect(Math.abs(a / (a + b) - 0.6)).toBeLessThanOrEqual(4 * Math.sqrt(0.24 / (a + b)));
  });
  it("the analytic solver routes the same way: 120/s and 80/s at the entries", () => {
    const an = solveAnalytic(s);
    expect(an.components.lb_us.throughput).toBeCloseTo(0.6 * rate, 9);
    expect(an.components.lb_eu.throughput).toBeCloseTo(0.4 * rate, 9);
  });
});

describe("the regional one-million-users scenario runs: 20 s at 300k users", () => {
  const text = readFileSync(join(import.meta.dirname, "../../../scenarios/one-million-users.yaml"), "utf8");
  const r = simulate(scenarioOf(text), { duration: 20, warmup: 2, replications: 1 });
  const east = r.regions!["us-east"], west = r.regions!["us-west"];
  it("users arrive 60/40 by region (4 binomial standard deviations)", () => {
    const n = east.counts.arrived + west.counts.arrived;
    expect(Math.abs(east.counts.arrived / n - 0.6)).toBeLessThanOrEqual(4 * Math.sqrt(0.24 / n));
  });
  it("us-west pays its crossings to the database and queue in us-east: its mean is higher by tens of ms", () => {
    expect(west.latencyMs.mean.mean - east.latencyMs.mean.mean).toBeGreaterThan(15);
    expect(west.counts.failedOver).toBe(0); // no outage in the first 20 s
  });
  it("every request is accounted for", () => {
    const a = r.accounting;
    expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
  });
});

describe("closed users in b, M/M/1 station in a: the crossing is a delay station in exact MVA", () => {
  // MVA for one queueing station (demand D) and a delay of think time Z plus the 2 x 30 ms crossing;
  // a delay station's throughput does not depend on its distribution, so the constant crossing fits.
  const n = 20, D = 0.01, Z = 0.1 + 2 * 0.03;
  let q = 0, x = 0;
  for (let k = 1; k <= n; k++) { const r = D * (1 + q); x = k / (Z + r); q = x * r; }
  const s = scenarioOf(`
version: 1
name: regions-closed
seed: 24
simulation: { duration: 2000s, warmup: 50s, replications: 8 }
regions:
  a: { latency: { b: 30ms } }
  b: {}
load: { model: closed, users: ${n}, think: { dist: exponential, mean: 100ms }, regions: { b: 1 }, classes: { req: { flow: [q] } } }
components: { q: { kind: station, region: a, servers: 1, service: { dist: exponential, mean: 10ms } } }
`);
  const r = simulate(s);
  it(`simulated throughput is MVA's X(${n})`, () => expectMatches(r.classes.req.throughput, x, { precision: 0.005, label: "X" }));
  it("the response time (crossing included) is N/X - Z_think", () => expectMatches(r.classes.req.latencyMs.mean, (n / x - 0.1) * 1000, { label: "R" }));
  it("the analytic solver gives the same throughput", () => expect(Math.abs(solveAnalytic(s).throughput - x) / x).toBeLessThan(1e-6));
});

describe("closed users split 50/50 between a and b: each region's users are their own class in exact multi-class MVA", () => {
  // Class a: 10 users, think 100 ms; class b: 10 users, think 100 ms + the 60 ms crossing; one FCFS
  // exponential station (10 ms, same for both: BCMP product form). Users, not requests, are split,
  // so b's farther users issue fewer requests: X_b < X_a.
  const D = 0.01, Za = 0.1, Zb = 0.16, N = 10;
  const Q: number[][] = Array.from({ length: N + 1 }, () => new Array(N + 1).fill(0));
  let xa = 0, xb = 0;
  for (let na = 0; na <= N; na++) {
    for (let nb = 0; nb <= N; nb++) {
      if (na + nb === 0) continue;
      const ra = na > 0 ? D * (1 + Q[na - 1][nb]) : 0, rb = nb > 0 ? D * (1 + Q[na][nb - 1]) : 0;
      xa = na > 0 ? na / (Za + ra) : 0;
      xb = nb > 0 ? nb / (Zb + rb) : 0;
      Q[na][nb] = xa * ra + xb * rb;
    }
  }
  const text = (think: string) => `
version: 1
name: regions-closed-split
seed: 25
simulation: { duration: 2000s, warmup: 50s, replications: 8 }
regions:
  a: { latency: { b: 30ms } }
  b: {}
load: { model: closed, users: ${2 * N}, think: ${think}, regions: { a: 1, b: 1 }, classes: { req: { flow: [q] } } }
components: { q: { kind: station, region: a, servers: 1, service: { dist: exponential, mean: 10ms } } }
`;
  for (const [label, think] of [["pooled users (exponential think)", "{ dist: exponential, mean: 100ms }"], ["individual users (uniform think)", "{ dist: uniform, min: 50ms, max: 150ms }"]]) {
    const r = simulate(scenarioOf(text(think)));
    // The 0.5% allowance is the closed-model MVA test's (theory/closed-mva.test.ts); with per-request
    // regions instead of per-user ones X_a and X_b would be equal instead of 57/s and 42/s.
    it(`${label}: X_a and X_b are MVA's`, () => {
      expectMatches(r.regions!.a.throughput, xa, { precision: 0.006, bias: 0.005, label: "X_a" });
      expectMatches(r.regions!.b.throughput, xb, { precision: 0.006, bias: 0.005, label: "X_b" });
    });
  }
});
