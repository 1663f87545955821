// A bandwidth link against M/G/1 processor sharing (Kleinrock vol. 2, sec. 4.4): transfers of x
// bytes arriving as a Poisson stream at rate λ on a link of C bytes/s, ρ = λ E[x] / C, each
// sharing the link equally with the others in flight, take on average
//   E[T | x] = x / (C (1 - ρ)),   so E[T] = E[x] / (C (1 - ρ)),
// whatever the size distribution (insensitivity): exponential and constant sizes give the same
// mean, and a small and a large class keep the ratio of their sizes. The service in front does no
// work (service: 0ms), so a request's latency is its response's time on the link. Bands from the
// replications' confidence intervals (expectTheory: a model wrong by 3% fails).
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

// 80 Mbit/s = 10 MB/s; 10 KB responses take 1 ms alone; 500/s is ρ = 0.5.
const C = 10e6;
// Durations: the shortest that keep each comparison's band under 3% (HEADROOM_TEST_BANDS=1 prints them).
const scenario = (seed: number, classes: string, rate = "500/s", duration = "100s") => scenarioOf(`
version: 1
name: ps-link
seed: ${seed}
simulation: { duration: ${duration}, warmup: 10s, replications: 12 }
load:
  model: open
  rate: ${rate}
  classes:
${classes}
components:
  api: { kind: service, concurrency: 100000, service: 0ms, bandwidth: 80Mbps }
`);
const psMean = (x: number, rho: number) => (1000 * x) / (C * (1 - rho));

describe("M/M/1-PS: exponential sizes (mean 10KB) at ρ = 0.5", () => {
  const r = simulate(scenario(41, `    get: { response_size: { dist: exponential, mean: 10KB }, flow: [{ call: api }] }`, "500/s", "170s"));
  it("mean transfer time is E[x] / (C (1 - ρ))", () => expectTheory(r.classes.get.latencyMs.mean, psMean(10e3, 0.5), { label: "M/M/1-PS E[T]" }));
  it("the link's utilization is ρ and its throughput λ E[x]", () => {
    expectTheory(r.components.api.link!.utilization, 0.5, { label: "PS utilization" });
    expectTheory(r.components.api.link!.throughputBitsPerSecond, 500 * 10e3 * 8, { label: "PS bits/s" });
    expectTheory(r.edges!["api->users"].responseBytesPerSecond!, 500 * 10e3, { label: "edge bytes/s" });
  });
  it("mean transfers in flight is ρ / (1 - ρ)", () => expectTheory(r.components.api.link!.transfersInFlight, 1, { label: "PS E[N]" }));
});

describe("M/D/1-PS: constant sizes (10KB) at ρ = 0.5: the same mean (insensitivity)", () => {
  const r = simulate(scenario(42, `    get: { response_size: 10KB, flow: [{ call: api }] }`, "500/s", "60s"));
  it("mean transfer time is E[x] / (C (1 - ρ)), as with exponential sizes", () => expectTheory(r.classes.get.latencyMs.mean, psMean(10e3, 0.5), { label: "M/D/1-PS E[T]" }));
});

describe("two sizes sharing a link at ρ = 0.6: E[T | x] proportional to x", () => {
  // 300/s of 4KB and 300/s of 16KB: ρ = 600 x 10KB / 10MB/s = 0.6
  const classes = [
    `    small: { response_size: 4KB, flow: [{ call: api }] }`,
    `    large: { response_size: 16KB, flow: [{ call: api }] }`,
  ].join("\n");
  const r = simulate(scenario(43, classes, "600/s"));
  it("each class takes its size / (C (1 - ρ))", () => {
    expectTheory(r.classes.small.latencyMs.mean, psMean(4e3, 0.6), { label: "PS small" });
    expectTheory(r.classes.large.latencyMs.mean, psMean(16e3, 0.6), { label: "PS large" });
  });
  it("the analytic solver gives the same M/G/1-PS means", () => {
    const a = solveAnalytic(scenario(43, classes, "600/s"));
    expect(a.components.api.link!.utilization).toBeCloseTo(0.6, 9);
    expect(a.classes.small.latencyMs.mean).toBeCloseTo(psMean(4e3, 0.6), 6);
    expect(a.classes.large.latencyMs.mean).toBeCloseTo(psMean(16e3, 0.6), 6);
    expect(a.bottleneckPart).toBe("api.link");
  });
});

describe("a link between regions at ρ = 0.5: the same M/M/1-PS", () => {
  // users in `near`, the service in `far` (no latency, no egress link): responses cross far -> near
  const s = scenarioOf(`
version: 1
name: ps-region-link
seed: 44
simulation: { duration: 110s, warmup: 10s, replications: 12 }
regions:
  near: { latency: { far: 0ms }, bandwidth: { far: 80Mbps } }
  far: {}
load:
  model: open
  rate: 500/s
  regions: { near: 1 }
  classes:
    get: { response_size: { dist: exponential, mean: 10KB }, flow: [{ call: api }] }
components:
  api: { kind: service, region: far, concurrency: 100000, service: 0ms }
`);
  const r = simulate(s);
  it("mean crossing time is E[x] / (C (1 - ρ)); the link each way is apart", () => {
    expectTheory(r.classes.get.latencyMs.mean, psMean(10e3, 0.5), { label: "region PS E[T]" });
    expectTheory(r.regionLinks!["far->near"].utilization, 0.5, { label: "region PS utilization" });
    expect(r.regionLinks!["near->far"]).toBeUndefined(); // no request sizes: nothing crosses that way
  });
  it("the analytic solver reads the same link", () => {
    const a = solveAnalytic(s);
    expect(a.regionLinks!["far->near"].utilization).toBeCloseTo(0.5, 9);
    expect(a.classes.get.latencyMs.mean).toBeCloseTo(psMean(10e3, 0.5), 6);
  });
});
