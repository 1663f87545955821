// Payloads through a balancer, a service and a database: which edges carry which bytes, what a
// paginated class reads and returns, compression, and that bytes follow the counts they come from.
// Exact relations (a page is page_size x row_size bytes, every walk makes `pages` calls) are
// checked per replication-summed count within rounding; rates against each other, not theory.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { payloadEdges, simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { scenarioOf } from "../helpers.ts";

const yaml = `
version: 1
name: payloads
seed: 5
simulation: { duration: 60s, warmup: 5s, replications: 3 }
load:
  model: open
  rate: 40/s
  classes:
    list:
      weight: 1
      request_size: 500B
      compression: 50%
      pagination: { page_size: 20, row_size: 1KB, pages: 3 }
      flow: [{ call: edge }]
    image:
      weight: 1
      response_size: { dist: lognormal, mean: 200KB, cv: 1 }
      flow: [{ call: edge }]
components:
  edge: { kind: load_balancer, backends: api, bandwidth: 1Gbps }
  api:
    kind: service
    replicas: 2
    concurrency: 8
    handlers:
      list: [{ service: 2ms }, { call: db }]
      image: [{ service: 4ms }]
  db: { kind: database, read: 1ms, write: 2ms }
`;

describe("payloads through a balancer and a paginated database read", () => {
  const r = simulate(scenarioOf(yaml));
  const e = Object.fromEntries(payloadEdges(r.edges));
  it("every edge that carries bytes is reported, each way", () => {
    expect(Object.keys(e).sort()).toEqual(["api->edge", "db->api", "edge->api", "edge->users", "users->edge"]);
  });
  it("a balancer forwards what it receives and returns what its backend sends", () => {
    expect(e["edge->api"].requestBytesPerSecond.mean).toBeCloseTo(e["users->edge"].requestBytesPerSecond.mean, 6);
    expect(e["edge->users"].responseBytesPerSecond.mean).toBeCloseTo(e["api->edge"].responseBytesPerSecond.mean, 6);
  });
  it("a walk of 3 pages makes 3 requests of 500B, each answered by a compressed page", () => {
    const requests = e["users->edge"].sizedRequestsPerSecond.mean;
    expect(e["users->edge"].requestBytesPerSecond.mean).toBeCloseTo(500 * requests, 3);
    // list pages: 20 rows x 1KB = 20KB read from the database, 10KB on the wire after 50% compression
    expect(e["db->api"].responseBytesPerSecond.mean).toBeCloseTo(20e3 * e["db->api"].responsesPerSecond.mean, 3);
    expect(r.components.db.bytes!.rowsReadPerSecond!.mean).toBeCloseTo(20 * r.components.db.reads! / (3 * 55), 1);
    // list requests: 3 per walk, about 20 walks/s
    expect(requests / r.classes.list.throughput.mean).toBeGreaterThan(2.9);
    expect(requests / r.classes.list.throughput.mean).toBeLessThan(3.1);
  });
  it("component bytes in and out add up their edges", () => {
    const sum = (names: string[], k: "requestBytesPerSecond" | "responseBytesPerSecond") => names.reduce((a, n) => a + e[n][k].mean, 0);
    expect(r.components.edge.bytes!.outPerSecond.mean).toBeCloseTo(sum(["edge->api"], "requestBytesPerSecond") + sum(["edge->users"], "responseBytesPerSecond"), 3);
    expect(r.components.api.bytes!.inPerSecond.mean).toBeCloseTo(sum(["edge->api"], "requestBytesPerSecond") + sum(["db->api"], "responseBytesPerSecond"), 3);
  });
  it("the balancer's link carries its out bytes", () => {
    const link = r.components.edge.link!;
    expect(link.bandwidthBitsPerSecond).toBe(1e9);
    expect(link.throughputBitsPerSecond.mean / 8).toBeGreaterThan(0.97 * r.components.edge.bytes!.outPerSecond.mean);
    expect(link.throughputBitsPerSecond.mean / 8).toBeLessThan(1.03 * r.components.edge.bytes!.outPerSecond.mean);
    expect(link.utilization.mean).toBeCloseTo(link.throughputBitsPerSecond.mean / 1e9, 2);
  });
  it("the same seed gives the same bytes", () => {
    expect(JSON.stringify(simulate(scenarioOf(yaml)))).toBe(JSON.stringify(r));
  });
});

describe("media-api: the balancer's link is the first limit", () => {
  const text = readFileSync(new URL("../../../scenarios/media-api.yaml", import.meta.url), "utf8");
  const s = scenarioOf(text, "media-api.yaml");
  const r = simulate(s, { duration: 60, warmup: 5, replications: 4 });
  const a = solveAnalytic(s);
  it("simulated and analytic link utilization agree (2 half-widths + 1%), and the link is the bottleneck", () => {
    // heavy-tailed image sizes: the bytes of a 55 s window vary by a few percent between replications
    const { mean: sim, ci95 } = r.components.lb.link!.utilization;
    expect(Math.abs(sim - a.components.lb.link!.utilization)).toBeLessThanOrEqual(2 * ci95! + 0.01 * a.components.lb.link!.utilization);
    expect(ci95!).toBeLessThan(0.05 * sim);
    expect(sim).toBeGreaterThan(r.components.api.utilization.mean);
    expect(r.bottleneck).toBe("lb");
    expect(a.bottleneckPart).toBe("lb.link");
  });
});

// A cache's get answers its value on a hit and nil on a miss (Redis's `$-1`): the get's
// `response_size` crosses the cache's link on hits only, so the link's bytes are hits x size,
// not gets x size; a set's sized request crosses the caller's link every time.
const cacheYaml = `
version: 1
name: cache-bytes
seed: 11
simulation: { duration: 60s, warmup: 5s, replications: 3 }
load:
  model: open
  rate: 50/s
  classes:
    read:
      weight: 1
      keys: { count: 2000, popularity: zipf, s: 0.8 }
      flow: [{ call: api }]
components:
  api:
    kind: service
    replicas: 1
    concurrency: 16
    bandwidth: 1Gbps
    handlers:
      read:
        - service: 1ms
        - call: cache
          op: get
          response_size: 10KB
          miss: [{ service: 2ms }, { call: cache, op: set, request_size: 10KB }]
  cache: { kind: cache, capacity: 400, service: 0.2ms, bandwidth: 100Mbps }
`;

describe("a cache answers its value on hits only", () => {
  const s = scenarioOf(cacheYaml);
  const r = simulate(s);
  const e = Object.fromEntries(payloadEdges(r.edges));
  const h = r.components.cache.hitRatio!.mean;
  it("the cache's answers carry hits x 10KB; every get is answered", () => {
    // about half the gets miss, so counting misses too would be off by a factor of about 2
    expect(h).toBeGreaterThan(0.3);
    expect(h).toBeLessThan(0.8);
    const sized = e["cache->api"].responsesPerSecond.mean;
    const gets = r.classes.read.throughput.mean;
    expect(sized / gets).toBeGreaterThan(h - 0.02);
    expect(sized / gets).toBeLessThan(h + 0.02);
    expect(e["cache->api"].responseBytesPerSecond.mean).toBeCloseTo(10e3 * sized, 3);
  });
  it("a miss's set sends its value every time", () => {
    const sets = e["api->cache"].sizedRequestsPerSecond.mean;
    expect(sets / r.classes.read.throughput.mean).toBeCloseTo(1 - h, 1);
  });
  it("the analytic link load counts hits only, as the simulation", () => {
    const a = solveAnalytic(s);
    const sim = r.components.cache.link!.utilization;
    expect(Math.abs(sim.mean - a.components.cache.link!.utilization)).toBeLessThanOrEqual(3 * sim.ci95! + 0.03 * sim.mean);
  });
});
