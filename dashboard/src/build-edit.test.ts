// Build by hand: each canvas gesture is one YAML edit that keeps comments and the rest of the text,
// and a topology drawn by gestures from the empty canvas parses, checks and runs.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { parseScenario, simulate, type Scenario } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { addComponent, connect, disconnect, freshName, moveNodes, removeComponent, type Edit } from "./build-edit.ts";
import { buildTopology, buildDraftTopology, CLIENTS } from "./topology.ts";
import { draftGraph } from "./draft.ts";
import { presets } from "./scenarios.ts";

const empty = presets.find((p) => p.id === "template:empty")!.text;
const single = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");

function ok(e: Edit): string {
  if (!e.ok) throw new Error(e.message);
  return e.text;
}

function parsed(text: string): Scenario {
  return scenarioOf(text, "built.yaml");
}

/** lb -> service -> database from the empty canvas, as the e2e test draws it. */
function threeTier(): string {
  let t = ok(addComponent(empty, "load_balancer", [250, 0], { [CLIENTS]: [0, 0] }));
  t = ok(addComponent(t, "service", [500, 0]));
  t = ok(addComponent(t, "database", [750, 0]));
  t = ok(connect(t, CLIENTS, "lb"));
  t = ok(connect(t, "lb", "api"));
  return ok(connect(t, "api", "db"));
}

describe("build by hand", () => {
  test("names are the kind's short name, numbered when taken", () => {
    expect(freshName([], "load_balancer")).toBe("lb");
    expect(freshName(["lb", "lb2"], "load_balancer")).toBe("lb3");
    expect(freshName(["api"], "service")).toBe("api2");
  });

  test("lb -> service -> database from the empty canvas: the model checks, runs and is drawn as built", () => {
    const t = threeTier();
    const s = parsed(t);
    expect(Object.keys(s.components)).toEqual(["lb", "api", "db"]);
    expect(s.load.classes.request.flow).toEqual([{ call: "lb" }]);
    const lb = s.components.lb;
    expect(lb.kind === "load_balancer" && lb.backends).toBe("api");
    const api = s.components.api;
    // the class's handler: the service's own time, then the call
    expect(api.kind === "service" && api.handlers?.request).toEqual([{ service: { dist: "exponential", mean: 0.01 } }, { call: "db", op: "read" }]);
    expect(s.layout).toEqual({ [CLIENTS]: [0, 0], lb: [250, 0], api: [500, 0], db: [750, 0] });
    // comments of the template stay, the text is block style where it was
    expect(t.split("\n").filter((l) => l.startsWith("#"))).toEqual(empty.split("\n").filter((l) => l.startsWith("#")));
    expect(t).toContain("flow: [ { call: lb } ]");
    expect(t).toMatch(/\ncomponents:\n {2}lb:\n {4}kind: load_balancer\n/);
    const g = buildTopology(s);
    expect(g.edges.map((e) => e.id).sort()).toEqual(["api->db", "clients->lb", "lb->api"]);
    expect(g.nodes.find((n) => n.id === "db")).toMatchObject({ x: 750, y: 0 });
    const r = simulate(s, { replications: 1 });
    // 100/s through the lb to api (2 x 8 slots): every request completes, none dropped
    expect(r.classes.request.throughput.mean).toBeGreaterThan(90);
    expect(r.classes.request.throughput.mean).toBeLessThan(110);
    expect(r.components.db.throughput.mean).toBeGreaterThan(90);
  });

  test("a half-built model is drawn as a draft: a balancer without backends is a node, not an error", () => {
    const t = ok(connect(ok(addComponent(empty, "load_balancer", [250, 0])), CLIENTS, "lb"));
    expect(parseScenario(t, "x").ok).toBe(false);
    const g = draftGraph(t)!;
    expect(g.nodes.map((n) => [n.id, n.kind])).toEqual([[CLIENTS, "load"], ["lb", "load_balancer"]]);
    expect(g.edges.map((e) => e.id)).toEqual(["clients->lb"]);
    expect(draftGraph("components: [oops")).toBeNull();
    expect(buildDraftTopology({ components: "a string" })).toBeNull();
    expect(buildDraftTopology({ components: { x: { kind: "nonsense" } } })!.nodes[1].kind).toBe("unknown");
  });

  test("an existing scenario keeps its text outside the edit (flow brackets aside): connect, move", () => {
    const t = ok(addComponent(single, "station", [600, 40], { [CLIENTS]: [0, 0], api: [250, 0] }));
    // the yaml Document may re-space flow collections ([api] -> [ api ]); nothing else moves
    const norm = (x: string) => x.replace(/([[{]) +/g, "$1").replace(/ +([\]}])/g, "$1");
    const kept = t.slice(0, t.indexOf("components:"));
    expect(norm(kept)).toBe(norm(single.slice(0, single.indexOf("components:"))));
    // a station is connected by a route: every request goes on to the other station
    const routed = parsed(ok(connect(t, "api", "station")));
    const api = routed.components.api;
    expect(api.kind === "station" && api.routing).toEqual([{ to: "station", p: 1 }]);
    // a station routes to stations only
    const refused = connect(ok(addComponent(t, "database", [600, 200])), "api", "db");
    expect(!refused.ok && refused.message).toContain("routes only to stations");
    const moved = ok(moveNodes(t, { api: [300.4, -20.6] }));
    expect(parsed(moved).layout?.api).toEqual([300, -21]);
    expect(moved.split("\n").filter((l, i) => l !== t.split("\n")[i])).toEqual(["  api: [ 300, -21 ]"]);
  });

  test("a station's routes share what does not exit", () => {
    let t = ok(addComponent(single, "station", [500, 0]));
    t = ok(addComponent(t, "station", [500, 100]));
    t = t.replace("    service: { dist: exponential, mean: 20ms }\n", "    service: { dist: exponential, mean: 20ms }\n    routing:\n      - { to: exit, p: 0.4 }\n");
    t = ok(connect(ok(connect(t, "api", "station")), "api", "station2"));
    const api = parsed(t).components.api;
    expect(api.kind === "station" && api.routing).toEqual([{ to: "station", p: 0.3 }, { to: "station2", p: 0.3 }, { to: "exit", p: 0.4 }]);
    const back = parsed(ok(disconnect(ok(disconnect(t, "api", "station")), "api", "station2"))).components.api;
    expect(back.kind === "station" && back.routing).toBeUndefined();
  });

  test("what a kind connects to: queue publish, cache get, CDN origin; caches and databases call nothing", () => {
    let t = ok(addComponent(empty, "service", [250, 0]));
    t = ok(addComponent(t, "queue", [500, 0]));
    t = ok(addComponent(t, "cache", [500, 100]));
    t = ok(addComponent(t, "cdn", [0, 100]));
    t = ok(connect(t, CLIENTS, "api"));
    t = ok(connect(t, "api", "cache"));
    t = ok(connect(t, "api", "queue"));
    t = ok(connect(t, "cdn", "api"));
    const s = parsed(t);
    const api = s.components.api;
    expect(api.kind === "service" && api.handlers?.request.slice(1)).toEqual([{ call: "cache", op: "get" }, { publish: "queue" }]);
    expect(s.components.cdn.kind === "cdn" && s.components.cdn.origin).toBe("api");
    const refused = connect(t, "cache", "api");
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.message).toContain("a cache calls nothing");
    expect(connect(t, "api", CLIENTS).ok).toBe(false);
    expect(connect(t, "api", "api").ok).toBe(false);
    // a connection made twice is made once
    expect(ok(connect(t, "api", "cache"))).toBe(t);
  });

  test("deleting a component removes every edge to it and its place", () => {
    const t = threeTier();
    const noDb = ok(removeComponent(t, "db"));
    const s = parsed(noDb);
    expect(Object.keys(s.components)).toEqual(["lb", "api"]);
    const api = s.components.api;
    expect(api.kind === "service" && api.handlers?.request).toEqual([{ service: { dist: "exponential", mean: 0.01 } }]);
    expect(s.layout && Object.keys(s.layout)).toEqual([CLIENTS, "lb", "api"]);
    // the balancer loses its backends: the draft says so, at the balancer
    const noApi = ok(removeComponent(t, "api"));
    const o = parseScenario(noApi, "x");
    expect(!o.ok && o.errors.map((e) => e.path)).toContain("components.lb.backends");
    // an edge deleted on its own
    const cut = ok(disconnect(t, CLIENTS, "lb"));
    expect(cut).toContain("flow: []");
    expect(draftGraph(cut)!.edges.map((e) => e.id).sort()).toEqual(["api->db", "lb->api"]);
  });

  test("a broken text is not edited", () => {
    const e = addComponent("components: [oops", "service", [0, 0]);
    expect(e.ok).toBe(false);
    expect(removeComponent(single, CLIENTS).ok).toBe(false);
    expect(addComponent(single, "mainframe", [0, 0]).ok).toBe(false);
  });
});
