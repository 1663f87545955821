// Client-side caching (browser_cache on a request class) against its closed form.
//
// One user's browser and one key: each response from the origin (a full fetch or a 304) is fresh
// for T = max_age from when it arrives. When that user's requests for the key form a Poisson
// stream of rate λ, and a fresh hit takes no time, the run is a renewal process whose cycle starts
// at an origin response: the requests in the next T are hits (λT of them on average, by the
// stream's independence of the past), and the first one after T goes to the origin and starts the
// next cycle. By the renewal-reward theorem the share of requests served by the browser is
//     h = λT / (1 + λT)
// (not 1 - e^{-λT}, which is the chance that a given *instant* lies within T of the last request;
// a request at the origin resets the clock, so hits and origin requests alternate in cycles). An
// open load of rate Λ over a population of N users and K equally likely keys gives each (user,
// key) a Poisson stream of rate λ = Λ / (N K) (thinning). The origin's load is Λ (1 - h). The
// origin's own time L shifts each cycle by L (requests in flight meanwhile also go to the origin):
// here L = 1 ms against cycles of about 30 s, a 0.003% effect.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

type BrowserResult = { hitRatio: { mean: number; ci95: number | null }; revalidatedRatio: { mean: number; ci95: number | null }; fetchedRatio: { mean: number; ci95: number | null }; originRequestsPerSecond: { mean: number; ci95: number | null } };
const browserOf = (r: ReturnType<typeof simulate>, cls: string) => (r.classes[cls] as unknown as { browserCache: BrowserResult }).browserCache;

describe("open load over a population: hit ratio λT / (1 + λT)", () => {
  // Λ = 100/s, N = 100 users, K = 10 keys: λ = 0.1/s per (user, key); T = 20 s: λT = 2, h = 2/3.
  const s = scenarioOf(`
version: 1
name: browser-open
seed: 13
simulation: { duration: 600s, warmup: 100s, replications: 10 }
load:
  model: open
  rate: 100/s
  population: 100
  classes:
    page:
      keys: { count: 10, popularity: uniform }
      browser_cache: { max_age: 20s }
      flow: [origin]
components:
  origin: { kind: station, servers: 1000, service: 1ms }
`);
  const r = simulate(s);
  const b = browserOf(r, "page");
  it("the share served by the browser", () => expectTheory(b.hitRatio, 2 / 3, { label: "browser hit ratio" }));
  it("the origin sees Λ (1 - h), the rest revalidations once every pair has been seen", () => {
    expectTheory(b.originRequestsPerSecond, 100 / 3, { label: "origin requests/s" });
    expectTheory(r.components.origin.throughput, 100 / 3, { label: "origin throughput" });
    // first visits in the window: pairs unseen after the 100 s warm-up, e^{-10} of them
    expect(b.fetchedRatio.mean).toBeLessThan(1e-3);
  });
  it("users' mean latency: the origin's 1 ms on the share that reaches it, 0 on hits", () =>
    expectTheory(r.classes.page.latencyMs.mean, 1 / 3, { label: "mean latency ms" }));
  it("the analytic estimate uses the same closed form: the origin at Λ (1 - h), latency (1 - h) x 1 ms", () => {
    const a = solveAnalytic(s);
    expect(Math.abs(a.components.origin.throughput / (100 / 3) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(a.classes.page.latencyMs.mean / (1 / 3) - 1)).toBeLessThan(1e-9);
  });
});

describe("revalidation is the cheaper <class>/revalidate handler; without an ETag it is a full fetch", () => {
  const yaml = (etag: boolean) => `
version: 1
name: browser-revalidate
seed: 4
simulation: { duration: 600s, warmup: 60s, replications: 10 }
load:
  model: open
  rate: 50/s
  population: 20
  classes:
    page:
      keys: { count: 5, popularity: uniform }
      browser_cache: { max_age: 1s, etag: ${etag} }
      flow: [{ call: api }]
components:
  api:
    kind: service
    concurrency: 1000
    handlers:
      page: [{ service: 10ms }]
      ${etag ? "page/revalidate: [{ service: 1ms }]" : ""}
`;
  it("latency is 1 ms per revalidation and 10 ms per full fetch", () => {
    const r = simulate(scenarioOf(yaml(true)));
    const b = browserOf(r, "page");
    // λ = 50 / 100 = 0.5/s, T = 1 s: h = 1/3
    expectTheory(b.hitRatio, 1 / 3, { label: "hit ratio" });
    const want = b.revalidatedRatio.mean * 1 + b.fetchedRatio.mean * 10;
    expect(Math.abs(r.classes.page.latencyMs.mean.mean / want - 1)).toBeLessThan(0.01);
    expect(b.revalidatedRatio.mean).toBeGreaterThan(0.6);
  });
  it("without an ETag every stale request is a full fetch", () => {
    const r = simulate(scenarioOf(yaml(false)));
    const b = browserOf(r, "page");
    expect(b.revalidatedRatio.mean).toBe(0);
    // λ = 0.5/s, T = 1 s, L = 10 ms: requests during a fetch's flight go to the origin too, so the
    // share fetched is (1 + λL) / (1 + λT + λL) (to first order in λL), each taking 10 ms
    const l = 0.5, T = 1, L = 0.01;
    expectTheory(r.classes.page.latencyMs.mean, (10 * (1 + l * L)) / (1 + l * T + l * L), { label: "mean latency, no ETag" });
  });
});

describe("closed users with a constant think time: deterministic cycles", () => {
  // think 1 s, origin 10 ms, max-age 2.5 s: after a response at r the user asks at r + 1 and r + 2
  // (hits, no time) and r + 3 (stale: a revalidation answered at r + 3.01): 2 hits in 3 requests.
  const s = scenarioOf(`
version: 1
name: browser-closed
seed: 9
simulation: { duration: 400s, warmup: 40s, replications: 3 }
load:
  model: closed
  users: 5
  think: 1s
  classes:
    page:
      browser_cache: { max_age: 2.5s }
      flow: [origin]
components:
  origin: { kind: station, servers: 10, service: 10ms }
`);
  const r = simulate(s);
  it("hit ratio 2/3", () => {
    expect(Math.abs(browserOf(r, "page").hitRatio.mean - 2 / 3)).toBeLessThan(0.01);
  });
});
