// Scenario -> k6 plan: executors, stages (step and sine), VUs, thresholds from the SLO, and the
// rate profile's integral that the Poisson realization is drawn against (time rescaling).
import { describe, expect, it } from "vitest";
import type { Scenario } from "../simulator/model/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { planFromScenario, PlanError } from "./plan.ts";
import { runBoundMs, RUN_BOUND_MARGIN_MS } from "./harness.ts";
import { readFileSync } from "node:fs";
import { cumulative, inverseCumulative, knotsFor } from "./scripts/lib/profile.ts";

function scenario(load: string, extra = ""): Scenario {
  const text = `version: 1
name: shop
load:
${load}
components:
  api: { kind: station, servers: 4, service: 10ms }
${extra}`;
  return scenarioOf(text, "test.yaml");
}

const classes = `  classes:
    get_product: { weight: 9, http: { method: GET, path: "/products/{key}" }, keys: { count: 1000, popularity: zipf, s: 1.1 }, flow: [api] }
    create_order: { weight: 1, http: { method: POST, path: /orders, body: { sku: "{key}" } }, flow: [api] }`;

describe("planFromScenario", () => {
  it("deterministic constant rate -> constant-arrival-rate with VUs from the peak, SLO -> per-class thresholds", () => {
    const p = planFromScenario(
      scenario(`  model: open\n  arrivals: deterministic\n  rate: 300/s\n${classes}`, "slo:\n  latency: { p95: 150ms, p99: 500ms }\n  error_rate: 0.1%"),
      { durationS: 30 },
    );
    expect(p.mode).toBe("arrival-rate");
    expect(p.options.scenarios).toEqual({
      shop: { executor: "constant-arrival-rate", rate: 300, timeUnit: "1s", duration: "30s", preAllocatedVUs: 65, maxVUs: 310, gracefulStop: "10s" },
    });
    expect(p.options.thresholds).toEqual({
      "http_req_duration{name:get_product}": ["p(95)<150", "p(99)<500"],
      "http_req_duration{name:create_order}": ["p(95)<150", "p(99)<500"],
      http_req_failed: ["rate<0.001"],
    });
    expect(p.classes.map((c) => [c.name, c.weight, c.method, c.keys?.count])).toEqual([
      ["get_product", 9, "GET", 1000],
      ["create_order", 1, "POST", undefined],
    ]);
  });

  it("fractional rates scale to a 1000 s timeUnit; step stages become a 0 s stage then a hold", () => {
    const p = planFromScenario(
      scenario(`  model: open\n  arrivals: deterministic\n  start_rate: 0.5/s\n  stages:\n    - { duration: 10s, target: 10/s }\n    - { duration: 5s, target: 40/s, shape: step }\n${classes}`),
    );
    expect(p.options.scenarios).toMatchObject({
      shop: {
        executor: "ramping-arrival-rate",
        startRate: 500,
        timeUnit: "1000s",
        stages: [
          { duration: "10s", target: 10000 },
          { duration: "0s", target: 40000 },
          { duration: "5s", target: 40000 },
        ],
      },
    });
  });

  it("sine stages become 48 linear stages per period that track the curve and its integral", () => {
    const s = scenario(`  model: open\n  arrivals: deterministic\n  stages:\n    - { duration: 60s, shape: sine, min: 100/s, max: 300/s, period: 60s, peak: 15s }\n${classes}`);
    const p = planFromScenario(s);
    const stages = (p.options.scenarios as any).shop.stages as Array<{ duration: string; target: number }>;
    // a 0 s jump from start_rate (0/s) to the curve's value at 0 s, then 48 segments
    expect(stages.length).toBe(49);
    // the curve's values are fractional, so rates are per 1000 s
    expect((p.options.scenarios as any).shop.timeUnit).toBe("1000s");
    expect(stages[0]).toEqual({ duration: "0s", target: 200_000 });
    // the peak (300/s) is at 15 s = the 12th segment's end; the trough (100/s) at 45 s
    expect(stages[12].target).toBe(300_000);
    expect(stages[36].target).toBe(100_000);
    // a full period of sine averages (min+max)/2 = 200/s: 12000 arrivals in 60 s, +/- 0.1%
    expect(Math.abs(cumulative(p.knots!, 60) - 12000)).toBeLessThan(12);
  });

  it("Poisson arrivals -> an open ramping-arrival-rate of one seeded realization; closed loads -> ramping-vus with think", () => {
    const open = planFromScenario(scenario(`  model: open\n  rate: 200/s\n${classes}`), { durationS: 20 });
    expect(open.mode).toBe("poisson");
    // the realization's count: Poisson(4000) for 200/s over 20 s, within 4 sd; the same seed gives the same count
    expect(Math.abs(open.poisson!.arrivals - 4000)).toBeLessThan(4 * Math.sqrt(4000));
    expect(open.poisson).toEqual({ seed: 1, endS: 20, arrivals: open.poisson!.arrivals });
    expect(planFromScenario(scenario(`  model: open\n  rate: 200/s\n${classes}`), { durationS: 20, seed: 7 }).poisson!.arrivals).not.toBe(open.poisson!.arrivals);
    // the pool is the arrival-rate executors' (20% of the rate + 5, max rate + 10); the script fills in the
    // stages, which end with 1 s at rate 0 (TAIL_S: k6 loses arrivals due in its start lag before the end)
    expect(open.options.scenarios).toEqual({
      shop: {
        executor: "ramping-arrival-rate", startRate: 0, timeUnit: "1000000s", stages: [{ duration: "21s", target: 0 }],
        preAllocatedVUs: 45, maxVUs: 210, gracefulStop: "10s",
      },
    });
    expect(open.options.thresholds).toEqual({});
    const closed = planFromScenario(
      scenario(`  model: closed\n  start_users: 2\n  stages:\n    - { duration: 1m, target: 20 }\n    - { duration: 30s, target: 50, shape: step }\n  think: { dist: exponential, mean: 1s }\n${classes}`),
    );
    expect(closed.mode).toBe("closed");
    expect(closed.think).toEqual({ dist: "exponential", mean: 1 });
    expect(closed.options.scenarios).toEqual({
      shop: {
        executor: "ramping-vus",
        startVUs: 2,
        stages: [
          { duration: "60s", target: 20 },
          { duration: "0s", target: 50 },
          { duration: "30s", target: 50 },
        ],
        gracefulRampDown: "30s",
        gracefulStop: "10s",
      },
    });
  });

  it("--duration shorter than the stages cuts them, interpolating the last target", () => {
    const open = planFromScenario(
      scenario(`  model: open\n  arrivals: deterministic\n  stages:\n    - { duration: 10s, target: 100/s }\n    - { duration: 10s, target: 100/s }\n${classes}`),
      { durationS: 5 },
    );
    expect((open.options.scenarios as any).shop.stages).toEqual([{ duration: "5s", target: 50 }]);
    const closed = planFromScenario(
      scenario(`  model: closed\n  start_users: 0\n  stages:\n    - { duration: 10s, target: 20 }\n    - { duration: 10s, target: 20 }\n${classes}`),
      { durationS: 15 },
    );
    expect((closed.options.scenarios as any).shop.stages).toEqual([
      { duration: "10s", target: 20 },
      { duration: "5s", target: 20 },
    ]);
  });

  it("refuses a class without an http section, naming it", () => {
    const s = scenario(`  model: open\n  rate: 10/s\n  classes:\n    batch: { flow: [api] }`);
    expect(() => planFromScenario(s)).toThrow(PlanError);
    expect(() => planFromScenario(s)).toThrow(/load\.classes\.batch has no http section/);
  });
});

describe("a balancer that terminates TLS", () => {
  const tlsScenario = (tls: string) => {
    const scenario = scenarioOf(`version: 1
name: tls
load:
  model: open
  rate: 100/s
  classes:
    get: { weight: 1, http: { method: GET, path: /a }, flow: [{ call: lb }] }
    direct: { weight: 1, http: { method: GET, path: /b }, flow: [{ call: api }] }
components:
  lb: { kind: load_balancer, backends: api, tls: ${tls} }
  api: { kind: service, concurrency: 4, handlers: { get: [{ service: 1ms }], direct: [{ service: 1ms }] } }
`, "tls.yaml");
    return planFromScenario(scenario, { durationS: 10 });
  };
  it("closes a class's connection with probability 1 / requests_per_connection; a class not through it keeps alive", () => {
    const p = tlsScenario("{ handshake: 1ms, requests_per_connection: 4 }");
    expect(p.classes.find((c) => c.name === "get")!.closeConnection).toBe(0.25);
    expect(p.classes.find((c) => c.name === "direct")!.closeConnection).toBeUndefined();
    const note = p.notes.find((n) => n.startsWith("lb terminates TLS"))!;
    expect(note).toMatch(/SSL_CERT_FILE=/);
    expect(note).toMatch(/never insecureSkipTLSVerify/);
    expect(note).not.toMatch(/resumes no TLS session/);
  });
  it("says that k6 resumes no session when the model resumes some", () => {
    const p = tlsScenario("{ handshake: 1ms, resumed: 0.2ms, resumption: 60%, requests_per_connection: 1 }");
    expect(p.classes.find((c) => c.name === "get")!.closeConnection).toBe(1);
    expect(p.notes.find((n) => n.startsWith("lb terminates TLS"))).toMatch(/not the model's 60% resumed/);
  });
});

describe("payloads in the plan", () => {
  const sized = scenarioOf(`version: 1
name: sizes
load:
  model: open
  rate: 5/s
  classes:
    album:
      http: { method: GET, path: "/albums/{key}" }
      keys: { count: 10 }
      request_size: { dist: uniform, min: 1KB, max: 3KB }
      pagination: { page_size: 50, row_size: 800B, pages: 3 }
      flow: [{ call: api }]
    one:
      http: { method: GET, path: "/one" }
      pagination: { page_size: 5, row_size: 1KB }
      flow: [{ call: api }]
components:
  api: { kind: service, concurrency: 4, handlers: { album: [{ service: 1ms }], one: [{ service: 1ms }] } }
slo:
  latency: { p95: 200ms }
`, "sizes.yaml");
  it("carries a class's request_size and its pages (a walk of more than one), and says what k6 counts", () => {
    const p = planFromScenario(sized, { durationS: 10 });
    const album = p.classes.find((c) => c.name === "album")!;
    expect(album.requestSize).toEqual({ dist: "uniform", min: 1000, max: 3000 });
    expect(album.pages).toBe(3);
    const one = p.classes.find((c) => c.name === "one")!;
    expect(one.requestSize).toBeUndefined();
    expect(one.pages).toBeUndefined();
    expect(p.notes.find((n) => n.startsWith("class album: a request walks 3 pages"))).toMatch(/headroom_walk_duration\{name:album\}/);
    expect(p.notes.some((n) => n.startsWith("class one:"))).toBe(false);
    // the SLO is on the walk of a paginated class, on the request of the others
    expect(Object.keys(p.options.thresholds as object).sort()).toEqual(["headroom_walk_duration{name:album}", "http_req_duration{name:one}"]);
  });
});

describe("run bound (headroom load stops a run that overruns it, exit 105)", () => {
  it("follows the schedule for closed loads too: one-million-users' 10 min of stages are not cut at 3 min", () => {
    const file = new URL("../scenarios/one-million-users.yaml", import.meta.url);
    const s = scenarioOf(readFileSync(file, "utf8"), "one-million-users.yaml");
    // 3m + 4m + 1m + 2m of stages, then gracefulRampDown 30 s and gracefulStop 10 s
    expect(runBoundMs(planFromScenario(s))).toBe((600 + 30 + 10) * 1000 + RUN_BOUND_MARGIN_MS);
    expect(runBoundMs(planFromScenario(s, { durationS: 90 }))).toBe((90 + 30 + 10) * 1000 + RUN_BOUND_MARGIN_MS);
  });

  it("closed constant users run simulation.duration; open loads run their stages or --duration, + gracefulStop", () => {
    const closed = planFromScenario(scenario(`  model: closed\n  users: 20\n  think: 1s\n${classes}`, "simulation:\n  duration: 15m"));
    expect(runBoundMs(closed)).toBe((900 + 10) * 1000 + RUN_BOUND_MARGIN_MS);
    const ramp = planFromScenario(scenario(`  model: open\n  stages:\n    - { duration: 8m, target: 50/s }\n    - { duration: 4m, target: 50/s }\n${classes}`));
    // Poisson (the default): the stages plus their 1 s tail at rate 0
    expect(runBoundMs(ramp)).toBe((720 + 1 + 10) * 1000 + RUN_BOUND_MARGIN_MS);
    const det = planFromScenario(scenario(`  model: open\n  arrivals: deterministic\n  rate: 20/s\n${classes}`), { durationS: 30 });
    expect(runBoundMs(det)).toBe((30 + 10) * 1000 + RUN_BOUND_MARGIN_MS);
  });
});

describe("rate profile", () => {
  it("inverts its integral on ramps: 0 -> 100/s over 10 s reaches 125 arrivals at 5 s", () => {
    const knots = knotsFor({ start_rate: 0, stages: [{ duration: 10, target: 100, shape: "linear" }] }, 10);
    expect(cumulative(knots, 5)).toBeCloseTo(125, 9);
    expect(inverseCumulative(knots, 125)).toBeCloseTo(5, 9);
    expect(inverseCumulative(knots, 500)).toBeCloseTo(10, 9);
    expect(inverseCumulative(knots, 501)).toBe(Infinity);
  });
});
