// scaledPools / scaledPoolIssues: which services get a scaler and through which balancer; what is
// refused (by field) when a new replica could not join its callers.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { scenarioOf } from "../simulator/testing.ts";
import { scaleSystem } from "../simulator/analytic/index.ts";
import { planApp } from "./plan.ts";
import { scaledPools } from "./scaled-pools.ts";

// web (entry, behind lb) -> back-lb -> back; web -> side (no balancer)
const TIERS = (web: string, back: string, side = "") => `
version: 1
name: t-pools
load:
  model: open
  rate: 10/s
  classes:
    get:
      http: { method: GET, path: "/items/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: web }
  web:
    kind: service
    replicas: 1
    concurrency: 4${web}
    handlers:
      get: [{ service: 1ms }, { call: back-lb }, { call: side }]
  back-lb: { kind: load_balancer, backends: back, maxconn: 8 }
  back:
    kind: service
    replicas: 2
    concurrency: 2${back}
    handlers:
      get: [{ service: 5ms }]
  side:
    kind: service
    replicas: 1
    concurrency: 2${side}
    handlers:
      get: [{ service: 1ms }]
`;
const SCALE = (min: number, max: number) => `\n    autoscaling: { min: ${min}, max: ${max}, target: 0.6, interval: 2s }`;

const pools = (text: string) => {
  const r = planApp(scenarioOf(text, "t.yaml"));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return scaledPools(r.plan).map((p) => [p.service.name, p.balancer.name, p.service.replicas, p.service.places, p.scaling.max]);
};
const refused = (text: string) => {
  const r = planApp(scenarioOf(text, "t.yaml"));
  return r.ok ? [] : r.issues.map((i) => `${i.field}: ${i.reason}`);
};

describe("scaledPools", () => {
  it("none without autoscaling", () => {
    expect(pools(TIERS("", ""))).toEqual([]);
  });

  it("the entry pool alone: its balancer is the entry's (the single-scaler path as before)", () => {
    expect(pools(TIERS(SCALE(1, 3), ""))).toEqual([["web", "lb", 1, 3, 3]]);
  });

  it("a pool behind an inner balancer: back through back-lb, its places up to max", () => {
    expect(pools(TIERS("", SCALE(2, 5)))).toEqual([["back", "back-lb", 2, 5, 5]]);
  });

  it("both: one pool each, the entry first", () => {
    expect(pools(TIERS(SCALE(1, 3), SCALE(2, 4)))).toEqual([["web", "lb", 1, 3, 3], ["back", "back-lb", 2, 4, 4]]);
  });

  it("one-million-users: both regions' API pools, each with its own region's balancer", () => {
    const text = readFileSync(new URL("../scenarios/one-million-users.yaml", import.meta.url), "utf8");
    const r = planApp(scaleSystem(scenarioOf(text, "one-million-users.yaml"), 0.02));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(scaledPools(r.plan).map((p) => [p.service.name, p.balancer.name])).toEqual([["api_east", "lb_east"], ["api_west", "lb_west"]]);
  });
});

describe("scaledPoolIssues (through planApp)", () => {
  it("refuses a pool without a balancer: side is called straight", () => {
    expect(refused(TIERS("", "", SCALE(1, 3)))).toEqual([
      "components.side.autoscaling: auto-scaling needs a load_balancer in front of the service (new replicas join it through HAProxy's runtime API)",
    ]);
  });

  it("refuses a pool behind two balancers", () => {
    const text = TIERS("", SCALE(2, 4)).replace("  back-lb:", "  back-lb2: { kind: load_balancer, backends: back }\n  back-lb:");
    expect(refused(text)).toEqual([
      "components.back.autoscaling: auto-scaling of a service behind several balancers (back-lb2, back-lb) is not realized (the scaler enables a new replica in one HAProxy)",
    ]);
  });

  it("refuses a pool that a caller also reaches straight, past its balancer", () => {
    const text = TIERS("", SCALE(2, 4)).replace("{ call: side }]", "{ call: side }, { call: back }]");
    expect(refused(text)).toEqual([
      "components.back.autoscaling: 'web' calls 'back' straight, not through 'back-lb': a replica the scaler starts would not join its round robin",
    ]);
  });

  it("refuses the entry's autoscaling without a balancer, as before", () => {
    const text = TIERS(SCALE(1, 3), "").replace("flow: [{ call: lb }]", "flow: [{ call: web }]").replace("  lb: { kind: load_balancer, backends: web }\n", "");
    expect(refused(text)).toEqual([
      "components.web.autoscaling: auto-scaling needs a load_balancer in front of the service (new replicas join it through HAProxy's runtime API)",
    ]);
  });
});
