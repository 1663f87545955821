// Component behaviours against closed forms, each with tolerances from the replications' confidence
// intervals (expectTheory: a band under 3%, so a model 3% wrong fails): parallel fan-out, stale
// reads behind replication lag, queue overflow policies, partitions, CDN and cache TTLs, service
// timeouts and range sharding.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { hashKey } from "../../engine/hash-key.ts";
import { expectTheory, perRun, QUANTILE_BIAS, scenarioOf, singleRuns } from "../helpers.ts";

/** The x with f(x) = y for an increasing f, by bisection. */
function solve(f: (x: number) => number, y: number, lo: number, hi: number): number {
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < y) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe("parallel fan-out waits for all branches", () => {
  // Two unloaded exponential branches (many servers, so no waiting): the request takes the
  // maximum of Exp(μ1) and Exp(μ2), with E[max] = 1/μ1 + 1/μ2 - 1/(μ1 + μ2) and
  // P(max ≤ t) = (1 - e^{-μ1 t})(1 - e^{-μ2 t}).
  const mu1 = 50, mu2 = 1000 / 30;
  const r = simulate(scenarioOf(`
version: 1
name: fanout
seed: 31
simulation: { duration: 300s, warmup: 5s, replications: 10 }
load: { model: open, rate: 100/s, classes: { req: { flow: [{ parallel: [[a], [b]] }] } } }
components:
  a: { kind: station, servers: 1000, service: { dist: exponential, mean: 20ms } }
  b: { kind: station, servers: 1000, service: { dist: exponential, mean: 30ms } }
`));
  it("mean latency is E[max of the two]", () =>
    expectTheory(r.classes.req.latencyMs.mean, 1000 * (1 / mu1 + 1 / mu2 - 1 / (mu1 + mu2)), { label: "E[max]" }));
  it("p95 latency solves (1 - e^{-μ1 t})(1 - e^{-μ2 t}) = 0.95", () => {
    const t = solve((x) => (1 - Math.exp(-mu1 * x)) * (1 - Math.exp(-mu2 * x)), 0.95, 0, 10);
    expectTheory(r.classes.req.latencyMs.p95, 1000 * t, { bias: QUANTILE_BIAS, precision: 0.0105, label: "p95 of max" });
  });
});

describe.each([
  { lag: "500ms", dist: "constant", stale: (wl: number) => 1 - Math.exp(-wl) },
  { lag: "{ dist: exponential, mean: 500ms }", dist: "exponential", stale: (wl: number) => wl / (1 + wl) },
])("stale reads with $dist replication lag", ({ lag, stale }) => {
  // Writes arrive as a Poisson stream over K uniform keys, so each key is written at w = λ_w / K;
  // with constant write times and no waiting (100 connections per node) the write completions
  // stay Poisson. A replica read sees a lag L drawn per read and is stale when the key's last write
  // is less than L old: P(stale | L) = 1 - e^{-wL}, so 1 - e^{-wL} for a constant L and
  // E[1 - e^{-wL}] = wm / (1 + wm) for an exponential L of mean m.
  const K = 1000, writes = 200, L = 0.5;
  const r = simulate(scenarioOf(`
version: 1
name: stale
seed: 32
simulation: { duration: 300s, warmup: 10s, replications: 10 }
load:
  model: open
  rate: 700/s
  classes:
    write: { weight: ${writes}, keys: { count: ${K} }, flow: [{ call: db, op: write }] }
    read: { weight: ${700 - writes}, keys: { count: ${K} }, flow: [{ call: db, op: read }] }
components:
  db: { kind: database, keys: ${K}, read: 1ms, write: 1ms, replicas: 1, read_from: replicas, replication_lag: ${lag} }
`));
  it("the stale share of replica reads is the chance of a write within the lag", () =>
    expectTheory(r.components.db.staleReadRatio!, stale((writes / K) * L), { label: "stale share" }));
});

// M/M/c/K (Gross et al., Fundamentals of Queueing Theory, sec. 2.5): p_n = p_0 a^n/n! for n < c and
// p_0 a^n/(c! c^{n-c}) for c ≤ n ≤ K. A publish that finds K messages in the system is turned away
// (reject_publish) or pushes out the oldest waiting one (drop_head); either way the number in the
// system follows the same birth-death chain, so by PASTA both lose p_K of the messages, and the
// mean backlog is Σ (n - c) p_n in both. (With the same seed both policies even run the same
// sample path: the same messages are lost.)
function mmck(c: number, K: number, a: number): number[] {
  const terms: number[] = [];
  let fact = 1;
  for (let n = 0; n <= K; n++) {
    if (n > 0 && n <= c) fact *= n;
    terms.push(n < c ? a ** n / fact : a ** n / (fact * c ** (n - c)));
  }
  const sum = terms.reduce((x, y) => x + y, 0);
  return terms.map((t) => t / sum);
}

describe.each(["reject_publish", "drop_head"] as const)("queue overflow %s against M/M/2/6", (overflow) => {
  const c = 2, buffer = 4, lambda = 100, mu = 50;
  const p = mmck(c, c + buffer, lambda / mu);
  const lq = p.reduce((a, pn, n) => a + Math.max(0, n - c) * pn, 0);
  const s = scenarioOf(`
version: 1
name: overflow
seed: 33
simulation: { duration: 600s, warmup: 10s }
load: { model: open, rate: ${lambda}/s, classes: { pub: { flow: [{ publish: q }] } } }
components:
  q: { kind: queue, workers: ${c}, max_length: ${buffer}, overflow: ${overflow}, service: { dist: exponential, mean: ${1000 / mu}ms } }
`);
  // The message counts are totals over replications: one run per seed gives the intervals.
  const runs = singleRuns(s, 20);
  it("the share of messages lost is p_K", () => {
    const lost = perRun(runs, (r) => {
      const q = r.components.q.queue!;
      return overflow === "reject_publish" ? q.rejected / (q.published + q.rejected) : q.droppedHead / q.published;
    });
    expectTheory(lost, p[c + buffer], { label: `${overflow} lost` });
  });
  it("only reject_publish fails the publishing request", () => {
    const q = runs[0].components.q.queue!;
    if (overflow === "reject_publish") {
      expect(q.rejected).toBeGreaterThan(0);
      expect(runs[0].classes.pub.counts.byReason.queue_full).toBe(q.rejected);
      expect(q.droppedHead).toBe(0);
    } else {
      expect(q.droppedHead).toBeGreaterThan(0);
      expect(runs[0].classes.pub.counts.failed + runs[0].classes.pub.counts.dropped).toBe(0);
      expect(q.rejected).toBe(0);
    }
  });
  // (drop_head's backlog read 5% low until the engine integrated the queue length before dropping)
  it("the mean backlog is the waiting room's Σ (n - c) p_n", () =>
    expectTheory(perRun(runs, (r) => r.components.q.queue!.backlog.mean), lq, { label: `${overflow} backlog` }));
});

describe("partitions with one consumer each are M/M/1 queues fed by their key shares", () => {
  // Messages go to partition hashKey(key) mod P; with 12 uniform keys the four partitions get
  // 3, 2, 5 and 2 keys, so partition j is an M/M/1 at λ_j = λ n_j / 12: utilization λ_j/μ, mean
  // backlog ρ_j²/(1 - ρ_j), and a message's mean publish-to-done time Σ_j (n_j/12) / (μ - λ_j).
  const P = 4, K = 12, lambda = 180, mu = 100;
  const keys = Array.from({ length: P }, () => 0);
  for (let k = 0; k < K; k++) keys[hashKey(k) % P]++;
  const r = simulate(scenarioOf(`
version: 1
name: partitions
seed: 34
simulation: { duration: 2500s, warmup: 10s, replications: 20 }
load: { model: open, rate: ${lambda}/s, classes: { pub: { keys: { count: ${K} }, flow: [{ publish: q }] } } }
components:
  q: { kind: queue, partitions: ${P}, service: { dist: exponential, mean: ${1000 / mu}ms } }
`));
  it("the key shares are uneven (3, 2, 5, 2 of 12), so each partition is checked at its own load", () =>
    expect(keys).toEqual([3, 2, 5, 2]));
  it("each partition's utilization and backlog are its M/M/1's", () => {
    keys.forEach((n, j) => {
      const rho = (lambda * n) / K / mu;
      const part = r.components.q.parts[`q[${j}]`];
      expectTheory(part.utilization, rho, { label: `partition ${j} ρ` });
      expectTheory(part.queueLength, (rho * rho) / (1 - rho), { label: `partition ${j} Lq` });
    });
  });
  it("a message's mean time to done is the share-weighted M/M/1 response time", () => {
    const want = keys.reduce((a, n) => a + n / K / (mu - (lambda * n) / K), 0);
    expectTheory(r.components.q.queue!.asyncLatencyMs.mean, 1000 * want, { label: "async E[T]" });
  });
});

/** Zipf(s) probabilities over n keys, key 0 the most popular: p_i ∝ (i + 1)^{-s}. */
function zipf(n: number, s: number): number[] {
  const w = Array.from({ length: n }, (_, i) => (i + 1) ** -s);
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

/**
 * TTL caching with the TTL counted from the miss that fills the entry, hits not renewing it: for
 * Poisson requests at λ_i to object i, each miss starts a window of T in which the λ_i T expected
 * requests all hit, so its hit ratio is λ_i T / (1 + λ_i T) (renewal reward), and the overall
 * ratio is Σ_i p_i λ_i T / (1 + λ_i T) with λ_i = λ p_i.
 */
function ttlHitRatio(lambda: number, T: number, p: number[]): number {
  return p.reduce((a, pi) => a + (pi * lambda * pi * T) / (1 + lambda * pi * T), 0);
}

describe.each([
  { ttl: 0.2, popularity: "zipf", s: 1 },
  { ttl: 2, popularity: "zipf", s: 1 },
  { ttl: 2, popularity: "uniform", s: 0 },
])("CDN hit ratio with ttl $ttl s over 1000 $popularity objects", ({ ttl, popularity, s }) => {
  // The origin answers at once (0 ms), so an object is fetched at the instant of its miss and the
  // engine's rule (a hit when the object was fetched less than ttl ago) is TTL-from-miss exactly;
  // the constant edge latency shifts every request alike.
  const lambda = 300, n = 1000;
  const r = simulate(scenarioOf(`
version: 1
name: cdn
seed: 35
simulation: { duration: 300s, warmup: 30s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { get: { flow: [{ call: cdn }] } } }
components:
  cdn: { kind: cdn, origin: origin, ttl: ${ttl * 1000}ms, objects: { count: ${n}, popularity: ${popularity}${popularity === "zipf" ? `, s: ${s}` : ""} } }
  origin: { kind: service, concurrency: 1000, service: 0ms }
`));
  it("hit ratio is Σ p_i λ_i T / (1 + λ_i T)", () =>
    expectTheory(r.components.cdn.hitRatio!, ttlHitRatio(lambda, ttl, zipf(n, s)), { label: `cdn ttl ${ttl} ${popularity}` }));
});

describe("cache TTL expiry (capacity above the key count, so only the TTL ends entries)", () => {
  // Cache-aside with a 0 ms cache: a miss sets the key at the instant of the miss, and an entry
  // older than ttl is expired at the next get; hits do not renew it. So the same TTL-from-miss
  // formula holds per key.
  const lambda = 400, keys = 2000, ttl = 1;
  const r = simulate(scenarioOf(`
version: 1
name: cache-ttl
seed: 36
simulation: { duration: 300s, warmup: 30s, replications: 10 }
load:
  model: open
  rate: ${lambda}/s
  classes: { get: { keys: { count: ${keys}, popularity: zipf, s: 0.8 }, flow: [{ call: cache, op: get, hit: [], miss: [{ call: cache, op: set }] }] } }
components:
  cache: { kind: cache, capacity: ${keys}, ttl: ${ttl * 1000}ms, service: 0ms }
`));
  it("hit ratio is Σ p_i λ_i T / (1 + λ_i T)", () =>
    expectTheory(r.components.cache.hitRatio!, ttlHitRatio(lambda, ttl, zipf(keys, 0.8)), { label: "cache ttl" }));
});

describe("service timeout on an unloaded service with exponential work", () => {
  // 1000 slots, so no request waits: a call times out when its Exp(mean m) work exceeds the
  // timeout T, P = e^{-T/m}; the calls that finish take E[S | S < T] = m - T e^{-T/m} / (1 - e^{-T/m}).
  const m = 0.02, T = 0.03;
  const r = simulate(scenarioOf(`
version: 1
name: timeout
seed: 37
simulation: { duration: 300s, warmup: 5s, replications: 10 }
load: { model: open, rate: 200/s, classes: { req: { flow: [{ call: api }] } } }
components:
  api: { kind: service, concurrency: 1000, timeout: ${T * 1000}ms, service: { dist: exponential, mean: ${m * 1000}ms } }
`));
  const p = Math.exp(-T / m);
  it("the share of calls that time out is e^{-T/m}", () => {
    expectTheory(r.classes.req.errorRate, p, { label: "P(timeout)" });
    expect(Object.keys(r.classes.req.counts.byReason)).toEqual(["service_timeout"]);
    expect(r.components.api.timeouts).toBe(r.classes.req.counts.failed);
  });
  it("the calls that finish take E[S | S < T]", () =>
    expectTheory(r.classes.req.latencyMs.mean, 1000 * (m - (T * p) / (1 - p)), { label: "E[S | S < T]" }));
});

describe("range sharding splits the key space evenly by key order", () => {
  // Shard of key k = floor(k x shards / keys): with 10 uniform keys over 3 shards, keys 0-3, 4-6
  // and 7-9, so the shards get 40%, 30% and 30% of the queries (hashing would not give this split).
  const keys = 10, lambda = 500;
  const r = simulate(scenarioOf(`
version: 1
name: range
seed: 38
simulation: { duration: 300s, warmup: 5s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { read: { keys: { count: ${keys} }, flow: [{ call: db, op: read }] } } }
components:
  db: { kind: database, keys: ${keys}, read: 1ms, write: 1ms, shards: { count: 3, by: range } }
`));
  it("each shard's query rate is λ times its key-range share", () => {
    [0.4, 0.3, 0.3].forEach((share, i) =>
      expectTheory(r.components.db.parts[`db.shard${i}.primary`].throughput, lambda * share, { label: `shard ${i}` }));
  });
});

describe("network latency on each edge, there and back", () => {
  // Constant times on an unloaded system: a call through an edge of one-way latency d takes the
  // callee's time plus 2d. The service's `network` is the default for its edges; a step's own
  // `network` replaces it for that edge alone. Simulator and analytic solver agree exactly.
  const s = scenarioOf(`
version: 1
name: net
seed: 33
simulation: { duration: 20s, warmup: 1s, replications: 2 }
load:
  model: open
  rate: 20/s
  classes:
    dflt: { weight: 1, flow: [{ call: api }] }
    own: { weight: 1, flow: [{ call: api }] }
    pub: { weight: 1, flow: [{ call: api }] }
components:
  api:
    kind: service
    replicas: 1
    concurrency: 100
    network: 5ms
    handlers:
      dflt: [{ call: db, op: read }]
      own: [{ call: db, op: read, network: 1ms }]
      pub: [{ publish: jobs, network: 2ms }]
  db: { kind: database, keys: 10, read: 10ms, write: 10ms, pool: { size: 100 }, max_connections: 200 }
  jobs: { kind: queue, workers: 1, service: 1ms }
`);
  const r = simulate(s);
  const a = solveAnalytic(s);
  it.each([
    ["dflt", 10 + 2 * 5],
    ["own", 10 + 2 * 1],
    ["pub", 2 * 2],
  ])("%s takes %d ms", (cls, ms) => {
    expect(r.classes[cls].latencyMs.mean.mean).toBeCloseTo(ms, 6);
    expect(a.classes[cls].latencyMs.mean).toBeCloseTo(ms, 6);
  });
});

describe("call_overhead: the client side of each call, each way, beside network", () => {
  // The same unloaded system with the service's call_overhead c: every call and publish takes its
  // edge's network and c there and back (a step's own network replaces the network, never c), and
  // a cache's hit and miss flows carry it on to their calls. Simulator and analytic agree exactly.
  const s = scenarioOf(`
version: 1
name: cost
seed: 34
simulation: { duration: 20s, warmup: 1s, replications: 2 }
load:
  model: open
  rate: 20/s
  classes:
    dflt: { weight: 1, flow: [{ call: api }] }
    own: { weight: 1, flow: [{ call: api }] }
    pub: { weight: 1, flow: [{ call: api }] }
    miss: { weight: 1, keys: { count: 1000000, popularity: uniform }, flow: [{ call: api }] }
components:
  api:
    kind: service
    replicas: 1
    concurrency: 100
    network: 5ms
    call_overhead: 0.5ms
    handlers:
      dflt: [{ call: db, op: read }]
      own: [{ call: db, op: read, network: 1ms }]
      pub: [{ publish: jobs, network: 2ms }]
      miss: [{ call: cache, op: get, miss: [{ call: db, op: read }] }]
  cache: { kind: cache, capacity: 10, service: 1ms }
  db: { kind: database, keys: 10, read: 10ms, write: 10ms, pool: { size: 100 }, max_connections: 200 }
  jobs: { kind: queue, workers: 1, service: 1ms }
`);
  const r = simulate(s);
  const a = solveAnalytic(s);
  it.each([
    ["dflt", 10 + 2 * (5 + 0.5)],
    ["own", 10 + 2 * (1 + 0.5)],
    ["pub", 2 * (2 + 0.5)],
  ])("%s takes %d ms", (cls, ms) => {
    expect(r.classes[cls].latencyMs.mean.mean).toBeCloseTo(ms, 6);
    expect(a.classes[cls].latencyMs.mean).toBeCloseTo(ms, 6);
  });
  it("the hop breakdown counts it as the calling service's own work, and the hops add up to the latency", () => {
    const h = simulate(s, { hops: true }).classes.dflt.hopsMs!;
    // db read 10 ms (its service), network 2 x 5 ms, call_overhead 2 x 0.5 ms in api's slot; the
    // breakdown is the window's seconds over its completions, so requests straddling the window's
    // edges move each by up to about 1% here
    const near = (x: number, want: number) => expect(Math.abs(x - want) / want).toBeLessThan(0.02);
    near(h.networkMs.mean, 10);
    near(h.components.api.serviceMs.mean, 1);
    near(h.components.db.serviceMs.mean, 10);
  });
  it("a cache miss's database call pays it too: (1 + 2 x 5.5) + (10 + 2 x 5.5) ms, all but the rare hits", () => {
    const hit = r.components.cache.hitRatio!.mean;
    expect(hit).toBeLessThan(0.001);
    const expected = 12 + (1 - hit) * 21;
    expect(r.classes.miss.latencyMs.mean.mean).toBeCloseTo(expected, 2);
  });
});
