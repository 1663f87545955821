// A region outage. Region b goes down from 100 s to 200 s; a geo route sends b's users to region a
// meanwhile, 30 ms away. The services have slots to spare (no queueing), so they are M/G/∞: the
// number of b's requests in service at the moment of the outage is Poisson with mean λ_b E[S], and
// all of those fail with region_down. Counts are checked within 4 standard deviations.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { parseScenario } from "../../model/index.ts";
import { expectMatches, scenarioOf } from "../helpers.ts";

const rate = 100, shareB = 0.4, es = 0.25, d = 30, reps = 6, duration = 300;

const yaml = (extra = "") => `
version: 1
name: region-outage
seed: 23
simulation: { duration: ${duration}s, warmup: 0s, interval: 1s, replications: ${reps} }
regions:
  a: { latency: { b: ${d}ms } }
  b: {}
geo: { api: [lb_a, lb_b] }
load: { model: open, rate: ${rate}/s, regions: { a: ${1 - shareB}, b: ${shareB} }, classes: { req: { flow: [{ call: api }] } } }
components:
  lb_a: { kind: load_balancer, region: a, algorithm: least_connections, backends: svc_a, health_check: { interval: 2s } }
  lb_b: { kind: load_balancer, region: b, algorithm: least_connections, backends: svc_b, health_check: { interval: 2s } }
  svc_a: { kind: service, region: a, replicas: 2, concurrency: 100, service: { dist: exponential, mean: ${es * 1000}ms } }
  svc_b: { kind: service, region: b, replicas: 2, concurrency: 100, service: { dist: exponential, mean: ${es * 1000}ms } }
failures:
  - { region: b, at: 100s, for: 100s }
${extra}`;

describe("region b down from 100 s to 200 s, failing over to a (30 ms away)", () => {
  const r = simulate(scenarioOf(yaml()));
  const s = r.series!;
  const b = r.regions!.b, a = r.regions!.a;
  it("requests in service in b at the outage fail with region_down: Poisson(λ_b E[S]) per replication", () => {
    const expected = reps * rate * shareB * es;
    const failed = r.accounting.byReason.region_down ?? 0;
    expect(Math.abs(failed - expected)).toBeLessThanOrEqual(4 * Math.sqrt(expected));
    expect(b.counts.byReason.region_down).toBe(failed); // only b's users were in b
    expect(Object.keys(r.accounting.byReason)).toEqual(["region_down"]);
  });
  it("they all fail at the moment of the outage (the interval ending at 100 s of the charted replication), none later", () => {
    const at = (t0: number, t1: number) => s.t.reduce((acc, t, i) => acc + (t > t0 && t <= t1 ? s.classes.req.errors[i] : 0), 0);
    expect(at(99, 100)).toBeGreaterThan(0);
    expect(at(0, 99) + at(100, duration)).toBe(0);
  });
  it("while b is down, and until b's balancer sees its replicas back, b's users are served by a", () => {
    // The route checks b's backends as b's balancer sees them: back after rise = 2 checks, 2 s apart,
    // the first a uniform fraction of an interval after the recovery: 3 s on average (sd 2/√12 s).
    const seconds = 100 + 2 * (2 - 1 + 0.5);
    const expected = reps * rate * shareB * seconds;
    const sd = Math.sqrt(expected + reps * (rate * shareB * 2) ** 2 / 12);
    expect(Math.abs(b.counts.failedOver - expected)).toBeLessThanOrEqual(4 * sd);
    expect(a.counts.failedOver).toBe(0);
    const during = (c: string) => s.components[c].throughput.slice(102, 199);
    expect(Math.max(...during("svc_b"))).toBe(0);
    const meanA = during("svc_a").reduce((x, y) => x + y, 0) / 97;
    expect(Math.abs(meanA - rate)).toBeLessThanOrEqual(4 * Math.sqrt(rate / 97));
  });
  it("and pay the crossing: b's mean is E[S] + 2d times its failed-over share; a's is E[S]", () => {
    expectMatches(b.latencyMs.mean, es * 1000 + 2 * d * (b.counts.failedOver / b.counts.completed), { precision: 0.02, label: "b" });
    expectMatches(a.latencyMs.mean, es * 1000, { precision: 0.02, label: "a" });
  });
  it("b serves its users again after 200 s", () => {
    const after = s.components.svc_b.throughput.slice(210, duration);
    const mean = after.reduce((x, y) => x + y, 0) / after.length;
    expect(Math.abs(mean - rate * shareB)).toBeLessThanOrEqual(4 * Math.sqrt((rate * shareB) / after.length));
  });
  it("every request is accounted for, overall and per region", () => {
    const acc = r.accounting;
    expect(acc.arrived).toBe(acc.completed + acc.dropped + acc.failed + acc.inFlightAtEnd);
    expect(a.counts.arrived + b.counts.arrived).toBe(acc.arrived);
    expect(a.counts.completed + b.counts.completed).toBe(acc.completed);
  });
});

describe("region input errors name line, field and what is wrong", () => {
  const errors = (text: string) => {
    const p = parseScenario(text, "bad.yaml");
    if (p.ok) throw new Error("expected errors");
    return p.errors;
  };
  const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;
  it("an unknown region on a component and in the load", () => {
    const text = yaml().replace("svc_b: { kind: service, region: b", "svc_b: { kind: service, region: c").replace("regions: { a: 0.6, b: 0.4 }", "regions: { a: 0.6, x: 0.4 }");
    const e = errors(text);
    const comp = e.find((x) => x.path === "components.svc_b.region")!;
    expect(comp.message).toMatch(/no region named 'c' \(regions: a, b\)/);
    expect(comp.line).toBe(lineOf(text, "svc_b: {"));
    const load = e.find((x) => x.path === "load.regions.x")!;
    expect(load.message).toMatch(/no region named 'x'/);
    expect(load.line).toBe(lineOf(text, "regions: { a: 0.6"));
  });
  it("a pair of regions without a latency", () => {
    const text = yaml().replace("a: { latency: { b: 30ms } }", "a: {}\n  c: { latency: { a: 10ms } }");
    const e = errors(text);
    expect(e.map((x) => x.message)).toEqual([expect.stringMatching(/no latency between a and b/), expect.stringMatching(/no latency between c and b/)]);
    expect(e[0]).toMatchObject({ path: "regions.a", line: lineOf(text, "  a: {}") });
  });
  it("a latency given both ways, and a negative one", () => {
    const twice = errors(yaml().replace("b: {}", "b: { latency: { a: 30ms } }"));
    expect(twice[0].path).toBe("regions.b.latency.a");
    expect(twice[0].message).toMatch(/given twice/);
    const neg = errors(yaml().replace("latency: { b: 30ms }", "latency: { b: -30ms }"));
    expect(neg[0].path).toMatch(/^regions\.a\.latency\.b/);
    expect(neg[0].message).toMatch(/must not be negative, got "-30ms"/);
  });
  it("an outage outside the run, and of a region that does not exist", () => {
    const text = yaml().replace("{ region: b, at: 100s, for: 100s }", "{ region: b, at: 400s, for: 10s }\n  - { region: z, at: 10s, for: 10s }");
    const e = errors(text);
    const late = e.find((x) => x.path === "failures[0].at")!;
    expect(late.message).toMatch(/outage at 400s is outside the run \(it ends at 300s\)/);
    expect(late.line).toBe(lineOf(text, "at: 400s"));
    expect(e.find((x) => x.path === "failures[1].region")!.message).toMatch(/no region named 'z'/);
  });
  it("a component without a region, and a geo route to two entries in one region", () => {
    const text = yaml().replace("svc_a: { kind: service, region: a,", "svc_a: { kind: service,").replace("lb_b: { kind: load_balancer, region: b,", "lb_b: { kind: load_balancer, region: a,");
    const e = errors(text);
    expect(e.find((x) => x.path === "components.svc_a")!.message).toMatch(/needs `region:`/);
    expect(e.find((x) => x.path === "geo.api[1]")!.message).toMatch(/both in region a/);
  });
});
