// functionGateways (gateway.ts): a class entering at a function enters at the function's API
// gateway service instead, whose handler is the class's flow; other classes and scenarios without
// such a class are left as they are; the gateway's name never takes a component's.
import { describe, expect, it } from "vitest";
import { scenarioOf } from "../../simulator/testing.ts";
import { functionGateways, GATEWAY_HEADROOM } from "./gateway.ts";

const yaml = (fnExtra = "", more = "") => `version: 1
name: t
load:
  model: open
  rate: 5/s
  classes:
    a: { http: { method: GET, path: /a }, flow: [{ call: f }, { service: 1ms }] }
    b: { http: { method: GET, path: /b }, flow: [{ call: api }] }
components:
  api: { kind: service, service: 1ms }
  f: { kind: function, max_instances: 10, concurrency: 2, cold_start: 100ms, service: 10ms${fnExtra} }
${more}`;

describe("functionGateways", () => {
  it("puts a gateway service in front of the function the class enters at, with the class's flow as its handler", () => {
    const { scenario, gateways } = functionGateways(scenarioOf(yaml()));
    expect([...gateways]).toEqual([["f", "f_gateway"]]);
    expect(scenario.load.classes.a!.flow).toEqual([{ call: "f_gateway" }]);
    expect(scenario.load.classes.b!.flow).toEqual([{ call: "api" }]);
    const g = scenario.components.f_gateway;
    expect(g).toMatchObject({ kind: "service", replicas: 1, concurrency: 20 + GATEWAY_HEADROOM });
    if (g?.kind !== "service") return;
    expect(g.handlers?.a).toEqual([{ call: "f" }, { service: { dist: "constant", value: 0.001 } }]);
    expect(Object.keys(g.handlers ?? {})).toEqual(["a"]);
  });

  it("makes room for a queueing function's queue, and never takes a component's name", () => {
    const { scenario, gateways } = functionGateways(scenarioOf(yaml(", on_throttle: queue, queue: 30", "  f_gateway: { kind: service, service: 1ms }\n")));
    expect(gateways.get("f")).toBe("f_gateway_");
    expect(scenario.components.f_gateway_).toMatchObject({ concurrency: 20 + 30 + GATEWAY_HEADROOM });
  });

  it("leaves a scenario without a class entering at a function as it is", () => {
    const s = scenarioOf(yaml().replace("flow: [{ call: f }, { service: 1ms }]", "flow: [{ call: api }]").replace("service: 1ms }\n  f:", "handlers: { a: [{ call: f }], b: [{ service: 1ms }] } }\n  f:"));
    const r = functionGateways(s);
    expect(r.scenario).toBe(s);
    expect(r.gateways.size).toBe(0);
  });
});
