// The per-hop breakdown (simulate(..., { hops: true }), ClassResult.hopsMs): every request's latency
// is the sum of its waits, services, transfers on egress links and network hops, so the hops of a class must add up to its
// mean latency, failed requests or not (their time is not a completed request's); a hop with a
// known mean must show it; work for queue messages (asynchronous) must stay out; and asking for
// hops must not change a single other number of the result.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, type SimResult } from "../../index.ts";
import { expectMatches, scenarioOf } from "../helpers.ts";

const bundled = (name: string) => scenarioOf(readFileSync(new URL(`../../../scenarios/${name}.yaml`, import.meta.url), "utf8"));
const validation = (name: string) => bundled(`validation/${name}`);

/** Per class: the hops' sum and the mean latency, in ms. */
function sums(r: SimResult): Record<string, { hops: number; mean: number }> {
  return Object.fromEntries(Object.entries(r.classes).map(([name, c]) => {
    const h = c.hopsMs!;
    let hops = h.networkMs.mean;
    for (const x of Object.values(h.components)) hops += x.waitMs.mean + x.serviceMs.mean + (x.linkMs?.mean ?? 0);
    return [name, { hops, mean: c.latencyMs.mean.mean }];
  }));
}

/** The result without its hops: what the same run gives without asking for them. */
function withoutHops(r: SimResult): SimResult {
  return { ...r, classes: Object.fromEntries(Object.entries(r.classes).map(([n, c]) => { const { hopsMs: _, ...rest } = c; return [n, rest]; })) };
}

describe("per-hop latency breakdown", () => {
  test("M/M/8 (single-service): wait + service is the mean latency; the service is 20 ms; no network", () => {
    const r = simulate(bundled("single-service"), { duration: 60, replications: 5, hops: true });
    const h = r.classes.get_product.hopsMs!;
    expect(Object.keys(h.components)).toEqual(["api"]);
    // Only completed requests' hops count, as only their latencies do: the same requests.
    const s = sums(r).get_product;
    expect(Math.abs(s.hops - s.mean) / s.mean).toBeLessThan(0.001);
    expectMatches(h.components.api.serviceMs, 20, { precision: 0.012, label: "M/M/8 service" });
    // the station's own wait, as the component table reports it (one class: the same requests)
    const w = r.components.api.waitMs.mean.mean;
    expect(Math.abs(h.components.api.waitMs.mean - w) / w).toBeLessThan(0.01);
    expect(h.networkMs.mean).toBe(0);
  });

  test("cache-aside: balancer queue, service slots and own work, cache, pool and database add up per class", () => {
    const r = simulate(bundled("cache-aside"), { duration: 60, replications: 3, hops: true });
    for (const [name, s] of Object.entries(sums(r))) expect(Math.abs(s.hops - s.mean) / s.mean, name).toBeLessThan(0.01);
    const get = r.classes.get_product.hopsMs!.components;
    // own work in the api's slot: lognormal 2 ms; reads to the database only on a miss
    expectMatches(get.api.serviceMs, 2, { precision: 0.02, label: "api own work" });
    const missRatio = 1 - r.components.cache.hitRatio!.mean;
    expect(get.db.serviceMs.mean / 3).toBeGreaterThan(missRatio * 0.9);
    expect(get.db.serviceMs.mean / 3).toBeLessThan(missRatio * 1.1);
    // orders write: 3 ms of own work, 8 ms writes, no cache
    expect(Object.keys(r.classes.create_order.hopsMs!.components)).toEqual(expect.arrayContaining(["api", "db"]));
    expect(r.classes.create_order.hopsMs!.components.api.serviceMs.mean).toBeCloseTo(3, 2); // a constant 3 ms
    expect(r.classes.create_order.hopsMs!.components.cache).toBeUndefined();
  });

  test("lb-replicas: the balancer's own 0.1 ms (before it takes a backend connection) is its service", () => {
    const r = simulate(bundled("lb-replicas"), { duration: 30, replications: 2, hops: true });
    const h = r.classes.get_product.hopsMs!;
    expect(h.components.lb.serviceMs.mean).toBeCloseTo(0.1, 3);
    const s = sums(r).get_product;
    expect(Math.abs(s.hops - s.mean) / s.mean).toBeLessThan(0.01);
  });

  test("queue-offload: the workers' time on published orders is not in the request's latency", () => {
    const r = simulate(bundled("queue-offload"), { duration: 60, replications: 3, hops: true });
    for (const [name, s] of Object.entries(sums(r))) expect(Math.abs(s.hops - s.mean) / s.mean, name).toBeLessThan(0.01);
    expect(r.classes.create_order.hopsMs!.components.orders).toBeUndefined();
  });

  test("network: a constant 1 ms each way on the api's call to the database is 2 ms per request", () => {
    const s = scenarioOf(`
version: 1
name: net
seed: 5
simulation: { duration: 60s, warmup: 5s, replications: 3 }
load:
  model: open
  rate: 100/s
  classes:
    read: { flow: [{ call: api }] }
components:
  api:
    kind: service
    replicas: 1
    concurrency: 8
    network: { dist: constant, value: 1ms }
    handlers:
      read: [{ service: 2ms }, { call: db, op: read }]
  db:
    kind: database
    read: { dist: exponential, mean: 4ms }
    write: { dist: exponential, mean: 4ms }
`);
    const r = simulate(s, { hops: true });
    const h = r.classes.read.hopsMs!;
    expect(h.networkMs.mean).toBeCloseTo(2, 3);
    expect(h.components.api.serviceMs.mean).toBeCloseTo(2, 3);
    const sum = sums(r).read;
    expect(Math.abs(sum.hops - sum.mean) / sum.mean).toBeLessThan(0.005);
  });

  test("links: a transfer's time on its sender's egress link is that component's linkMs, and the hops add up", () => {
    // A cache's link carries a get's answer on a hit only (20 KB on 2 MB/s, shared): per get, the
    // link's mean transfer x the share of gets answered with a value (Little: transfers in flight
    // over gets per second). Before link hops existed these sums missed the transfers (18.0 ms of
    // latency, 1.1 ms of hops).
    const cache = simulate(validation("cache-link"), { duration: 60, replications: 3, hops: true });
    const meta = cache.components.meta;
    const perGet = (meta.link!.transfersInFlight.mean / meta.throughput.mean) * 1000;
    const get = cache.classes.get_product.hopsMs!.components.meta;
    expect(get.linkMs!.mean).toBeGreaterThan(10);
    expect(Math.abs(get.linkMs!.mean - perGet) / perGet).toBeLessThan(0.02);
    expect(get.serviceMs.mean).toBeCloseTo(0.1, 2); // the cache's own 0.1 ms, its link apart
    expect(cache.classes.get_product.hopsMs!.components.api.linkMs).toBeUndefined(); // no link
    // a balancer's link at the entry and between services, a called service's: every class adds up
    for (const name of ["bandwidth-link", "links-beyond-entry", "db-link"]) {
      const r = simulate(validation(name), { duration: 40, replications: 2, hops: true });
      for (const [cls, x] of Object.entries(sums(r))) expect(Math.abs(x.hops - x.mean) / x.mean, `${name} ${cls}`).toBeLessThan(0.01);
    }
  });

  test("failed requests leave no time on the bars: a service call's timeout and a queue's reneging", () => {
    // Each class 60/s. 1) api (2 ms own work) calls db, 25 ms exponential on one server (rho 1.5):
    // the call times out after 50 ms and the orphaned query runs on, queueing behind the others.
    // 2) front (2 ms) then back, a station at rho 1.5 whose waiters renege after 50 ms: a failed
    // request's time at front was spent, but it is not a completed request's.
    // Either way the hops must be the completed requests' mean, as the latency is: before hop
    // ledgers the failed requests' time was divided by the completed count (sums 2-10x the mean).
    const s = scenarioOf(`
version: 1
name: failing
seed: 11
simulation: { duration: 60s, warmup: 10s, replications: 3 }
load:
  model: open
  rate: 120/s
  classes:
    timeout: { weight: 1, flow: [{ call: api }] }
    renege: { weight: 1, flow: [front, back] }
components:
  api:
    kind: service
    replicas: 1
    concurrency: 64
    timeout: 50ms
    handlers:
      timeout: [{ service: 2ms }, { call: db, op: read }]
  db:
    kind: database
    read: { dist: exponential, mean: 25ms }
    write: { dist: exponential, mean: 25ms }
  front:
    kind: station
    servers: 4
    service: { dist: constant, value: 2ms }
  back:
    kind: station
    servers: 1
    service: { dist: exponential, mean: 25ms }
    queue_timeout: 50ms
`);
    const r = simulate(s, { hops: true });
    for (const name of ["timeout", "renege"]) {
      const c = r.classes[name];
      const failed = c.counts.failed / (c.counts.completed + c.counts.failed + c.counts.dropped);
      expect(failed, `${name} failed share`).toBeGreaterThan(0.1);
      const sum = sums(r)[name];
      expect(Math.abs(sum.hops - sum.mean) / sum.mean, name).toBeLessThan(0.01);
    }
    // front's constant 2 ms is every completed request's, whatever the failed ones did
    expect(r.classes.renege.hopsMs!.components.front.serviceMs.mean).toBeCloseTo(2, 6);
    expect(r.classes.timeout.hopsMs!.components.api.serviceMs.mean).toBeCloseTo(2, 6);
  });

  test("asking for hops changes no other number: the same bytes without them", () => {
    const s = bundled("cache-aside");
    const plain = simulate(s, { duration: 20, replications: 2 });
    const hops = simulate(s, { duration: 20, replications: 2, hops: true });
    expect(Object.values(plain.classes).every((c) => c.hopsMs === undefined)).toBe(true);
    expect(JSON.stringify(withoutHops(hops))).toBe(JSON.stringify(plain));
  });
});
