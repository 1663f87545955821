// The geo kind's parts on their own (components/geo): the compiled route and the runtime's choice
// of entry, read as numbers. Three regions us, eu, ap (us-eu 40 ms, us-ap 90 ms, eu-ap 60 ms); a
// route over one service per region, the eu entry behind a balancer. From us the order is us, eu,
// ap (own region, then by latency); the choice skips an entry whose region is down or whose
// service has no replica serving, and -1 means none can serve. Failover counts and latencies
// through whole runs are in regions.test.ts and dynamics/region-outage.test.ts.
import { describe, expect, it } from "vitest";
import { compile } from "../../engine/program.ts";
import { Rng } from "../../engine/rng.ts";
import { OP_CALL, OP_DELAY, OP_GEO, REP_DOWN, REP_SERVING } from "../../engine/codes.ts";
import { KINDS } from "../../components/index.ts";
import { GeoRuntime } from "../../components/geo/index.ts";
import type { RuntimeContext } from "../../components/kind.ts";
import { scenarioOf } from "../helpers.ts";

const s = scenarioOf(`
version: 1
name: geo-parts
regions:
  us: { latency: { eu: 40ms, ap: 90ms } }
  eu: { latency: { ap: 60ms } }
  ap: {}
geo: { api: [svc_ap, lb_eu, svc_us] }
load: { model: open, rate: 10/s, regions: { us: 1, eu: 1, ap: 1 }, classes: { req: { flow: [{ call: api }] } } }
components:
  lb_eu: { kind: load_balancer, region: eu, backends: svc_eu }
  svc_us: { kind: service, region: us, replicas: 2, service: { dist: constant, value: 10ms } }
  svc_eu: { kind: service, region: eu, replicas: 3, service: { dist: constant, value: 10ms } }
  svc_ap: { kind: service, region: ap, replicas: 1, service: { dist: constant, value: 10ms } }
`);
const p = compile(s);
const comp = (n: string) => p.components.findIndex((c) => c.name === n);
const origin = (r: string) => [...p.originRegion].indexOf(p.regions.indexOf(r));

function fresh() {
  const nRep = p.services.reduce((a, sv) => a + sv.slots.length, 0);
  const kernel = {
    busy: new Int32Array(p.resources.length), units: Float64Array.from(p.resources, (r) => r.units),
    replicaState: new Uint8Array(nRep).fill(REP_SERVING), componentDown: new Uint8Array(p.components.length),
    componentStats: [],
  };
  const ctx: RuntimeContext = { stream: (n) => new Rng(1, 0, n), componentNames: p.components.map((c) => c.name), samplers: p.samplers, keySpace: p.keySpace, kernel, faults: p.faults };
  const lb = KINDS.load_balancer.runtime(p.balancers, ctx);
  return { kernel, geo: new GeoRuntime(p.geos, ctx, lb) };
}

describe("geo route compiled: entries, their services and balancers, the order per origin", () => {
  const g = p.geos[0];
  it("targets, balancers and replicas per entry in the file's order", () => {
    expect([...g.targets]).toEqual([comp("svc_ap"), comp("lb_eu"), comp("svc_us")]);
    expect([...g.balancers]).toEqual([-1, 0, -1]);
    expect([...g.serviceComponents]).toEqual([comp("svc_ap"), comp("svc_eu"), comp("svc_us")]);
    expect(g.replicas.map((r) => r.length)).toEqual([1, 3, 2]);
  });
  it("per origin: own region first, then by latency (us: us 0, eu 40, ap 90 ms)", () => {
    expect([...g.order[origin("us")]]).toEqual([2, 1, 0]);
    expect([...g.order[origin("eu")]]).toEqual([1, 2, 0]); // eu, us 40 ms, ap 60 ms
    expect([...g.order[origin("ap")]]).toEqual([0, 1, 2]); // ap, eu 60 ms, us 90 ms
  });
  it("OP_GEO's table points at one arm per entry: the own region's a bare OP_CALL, the others a crossing then OP_CALL", () => {
    const pc = p.classEntry[origin("us")];
    expect(p.op[pc]).toBe(OP_GEO);
    const arms = p.tables[p.argB[pc]];
    expect(arms.length).toBe(3);
    expect([...arms].map((a) => p.op[a])).toEqual([OP_DELAY, OP_DELAY, OP_CALL]);
    expect(p.op[arms[0] + 1]).toBe(OP_CALL);
    expect(p.op[arms[1] + 1]).toBe(OP_CALL);
  });
});

describe("geo runtime: the first entry in the origin's order that can serve", () => {
  const us = origin("us");
  it("all up: position 0, the origin's own entry", () => {
    const { geo } = fresh();
    expect(geo.pick(0, us)).toBe(0);
    expect(geo.entry(0, us, 0)).toBe(2);
  });
  it("us region down: position 1, the eu entry (a failover)", () => {
    const { geo, kernel } = fresh();
    kernel.componentDown[comp("svc_us")] = 1;
    expect(geo.pick(0, us)).toBe(1);
    expect(geo.entry(0, us, 1)).toBe(1);
  });
  it("us replicas all down and eu's service down behind its balancer: ap", () => {
    const { geo, kernel } = fresh();
    for (const g of p.geos[0].replicas[2]) kernel.replicaState[g] = REP_DOWN;
    kernel.componentDown[comp("svc_eu")] = 1;
    expect(geo.entry(0, us, geo.pick(0, us))).toBe(0);
  });
  it("one us replica serving is enough; none anywhere: -1", () => {
    const { geo, kernel } = fresh();
    kernel.replicaState[p.geos[0].replicas[2][0]] = REP_DOWN;
    expect(geo.pick(0, us)).toBe(0);
    kernel.replicaState.fill(REP_DOWN);
    expect(geo.pick(0, us)).toBe(-1);
  });
});
