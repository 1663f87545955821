// The station kind's parts on their own (components/station): the compiled routing and the
// runtime's routing draws, read as numbers. Station a routes 30% to b, 20% back to itself and 50%
// out; b has no routing. Over n draws the share to each target is binomial: each must fall within
// 4 standard deviations sqrt(p(1-p)/n) of its probability. A resource that is no station's (a
// service slot) has no routing. The routed networks against Jackson's theorem are in
// theory/networks.test.ts; the analytic visit counts (lambda = e + lambda P) are checked here too.
import { describe, expect, it } from "vitest";
import { compile } from "../../engine/program.ts";
import { Rng } from "../../engine/rng.ts";
import { OP_VISIT } from "../../engine/codes.ts";
import { KINDS } from "../../components/index.ts";
import { stationVisits } from "../../components/station/index.ts";
import type { RuntimeContext } from "../../components/kind.ts";
import { scenarioOf } from "../helpers.ts";

const s = scenarioOf(`
version: 1
name: station-parts
load: { model: open, rate: 10/s, classes: { req: { flow: [{ visit: a }, { call: svc }] } } }
components:
  a: { kind: station, servers: 2, buffer: 7, queue_timeout: 3s, service: { dist: exponential, mean: 10ms }, routing: [{ to: b, p: 0.3 }, { to: a, p: 0.2 }, { to: exit, p: 0.5 }] }
  b: { kind: station, service: { dist: exponential, mean: 10ms } }
  svc: { kind: service, replicas: 1, service: { dist: constant, value: 1ms } }
`);
const p = compile(s);

describe("station compiled: one service-mode resource with its routing", () => {
  const [a, b] = p.stations;
  it("a's resource has its servers, buffer and timeout", () => {
    const r = p.resources[a.resource];
    expect([r.name, r.units, r.buffer, r.timeout]).toEqual(["a", 2, 7, 3]);
  });
  it("routing: cumulative 0.3, 0.5, then Infinity (rounding never falls off), targets b, a, exit", () => {
    expect([...a.routeCum]).toEqual([0.3, 0.5, Infinity]);
    expect([...a.routeTo]).toEqual([b.resource, a.resource, -1]);
    expect(b.routeCum.length).toBe(0);
  });
  it("visit: a compiles to OP_VISIT on a's resource", () => {
    const pc = p.classEntry[0];
    expect([p.op[pc], p.argA[pc], p.argB[pc]]).toEqual([OP_VISIT, a.resource, -1]);
  });
});

describe("station runtime: routing draws in proportion", () => {
  const kernel = { busy: new Int32Array(p.resources.length), units: new Float64Array(p.resources.length), replicaState: new Uint8Array(1), componentDown: new Uint8Array(3), componentStats: [] };
  const ctx: RuntimeContext = { stream: (n) => new Rng(5, 0, n), componentNames: p.components.map((c) => c.name), samplers: p.samplers, keySpace: 1, kernel, faults: [] };
  const rt = KINDS.station.runtime(p.stations, ctx);
  const [a, b] = p.stations;
  const n = 200_000;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) { const to = rt.route(a.resource); counts.set(to, (counts.get(to) ?? 0) + 1); }
  const within = (x: number, q: number) => expect(Math.abs(x / n - q)).toBeLessThanOrEqual(4 * Math.sqrt((q * (1 - q)) / n));
  it("to b 30%, back to a 20%, out 50% (each within 4 binomial sd)", () => {
    within(counts.get(b.resource) ?? 0, 0.3);
    within(counts.get(a.resource) ?? 0, 0.2);
    within(counts.get(-1) ?? 0, 0.5);
  });
  it("b (no routing) and a service slot: always on along the flow", () => {
    expect(rt.route(b.resource)).toBe(-1);
    expect(rt.route(p.services[0].slots[0])).toBe(-1);
  });
  it("analytic visits per visit to a: a 1/(1-0.2) = 1.25, b 0.3 x 1.25 = 0.375", () => {
    const v = stationVisits(s.components, "a");
    expect(v.a).toBeCloseTo(1.25, 9);
    expect(v.b).toBeCloseTo(0.375, 9);
  });
});
