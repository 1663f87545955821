// The function path's calibration (function-overhead.ts) on invocations made to order: the
// overhead is each invocation's IPC excess plus its calls beyond its class's modelled mean (timed:
// each at its admission's time in the run), the edge half
// of what the client saw beyond the dispatcher and the model's outside, and the calibrated model then
// gives back the measured latency (real simulations, no app: the dispatcher's side is
// reference-app/function/dispatcher.e2e.test.ts, the whole on the app function-burst.e2e.test.ts).
import { describe, expect, it } from "vitest";
import { parseScenario, simulate, type Scenario } from "../simulator/index.ts";
import type { InvocationParts } from "../reference-app/function/dispatcher.ts";
import { calibratePath, modelCallsMs, overheadSamples, withColdStart } from "./function-overhead.ts";

const scenario = (fn: string): Scenario => {
  const r = parseScenario(`version: 1
name: t
seed: 3
simulation: { duration: 60s, warmup: 0s }
load:
  model: open
  rate: 5/s
  classes:
    a: { http: { method: GET, path: /a }, flow: [{ call: f }] }
components:
  f: { kind: function, cold_start: 100ms, provisioned: 5, max_instances: 20, ${fn} }
  kv: { kind: cache, capacity: 100, service: 1ms }
`, "t.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
};

const part = (o: Partial<InvocationParts>): InvocationParts => ({ at: 0, cls: "a", cold: false, queue: 0, start: 0, work: 10, ipc: 0, calls: 0, total: 10, ...o });

describe("the function path's calibration", () => {
  it("overhead per invocation: its IPC excess plus its calls beyond its class's modelled mean, never below 0", () => {
    const parts = [part({ ipc: 2, calls: 5 }), part({ ipc: 4, calls: 7 }), part({ cls: "b", ipc: 1, calls: 1 })];
    const { samples, callsExcessMs } = overheadSamples(parts, { a: 4, b: 3 });
    // class a: calls 6 ms on average against 4 modelled (+2); b: 1 against 3 (-2)
    expect(callsExcessMs).toEqual({ a: 2, b: -2 });
    // each its own: 2 + 5 - 4, 4 + 7 - 4, 1 + 1 - 3 -> 0 (a slow spell's calls stay with its invocations)
    expect(samples).toEqual([3, 7, 0]);
  });

  it("timed: each value when its slot's work started in the run (admission + queue + cold start), drawn near the model's own time", () => {
    const s = scenario("service: 10ms");
    const start = 1_000_000;
    // admitted at 0.5 s and 15.25 s from the load's start (ms since the epoch); a third admitted at
    // 11 s, cold, its instance ready 1.2 s later: its overhead ran at 12.2 s (where the model draws it)
    const parts = [part({ at: start + 500, ipc: 1 }), part({ at: start + 15_250, ipc: 9 }), part({ at: start + 11_000, cold: true, start: 1_200, ipc: 4 })];
    const c = calibratePath(s, "f", parts, [20, 30], s.seed, start);
    expect(c.parameters[0]).toMatchObject({ samplesMs: [1, 9, 4], atS: [0.5, 15.25, 12.2], windowS: 0.25 });
    expect(c.scenario.components.f).toMatchObject({ overhead: { dist: "empirical", samples: [0.001, 0.009, 0.004], at: [0.5, 15.25, 12.2], window: 0.25 } });
    // untimed without the load's start
    expect(calibratePath(s, "f", parts, [20, 30], s.seed).scenario.components.f).toMatchObject({ overhead: { dist: "empirical", samples: [0.001, 0.009, 0.004] } });
    expect((calibratePath(s, "f", parts, [20, 30], s.seed).scenario.components.f as { overhead: object }).overhead).not.toHaveProperty("at");
  });

  it("the model's calls per class: the cache's time and the network legs the handler draws", () => {
    // every call a hit or a miss on a 1 ms cache, 2 ms each way: 5 ms a request, and the cache's
    // queue wait at 5/s (M/D/1, rho 0.005: 1 ms x rho / (2 (1 - rho)) = 0.0025 ms)
    const s = scenario("service: 10ms, network: 2ms, handlers: { a: [{ service: 10ms }, { call: kv, op: get }] }");
    expect(Math.abs(modelCallsMs(s, s.seed).a! - 5.0025)).toBeLessThan(0.005);
    expect(modelCallsMs(scenario("service: 10ms"), 3).a ?? 0).toBe(0);
  });

  it("gives the model the measured path: its latency becomes the client's", () => {
    const s = scenario("service: 10ms");
    // warm invocations at the dispatcher: 10 ms of work, 3 or 5 ms of IPC excess, 0.5 ms of its own
    // time; the client saw 6 ms more than the dispatcher's whole (the HTTP hops)
    const parts = Array.from({ length: 200 }, (_, i) => part({ ipc: i % 2 ? 5 : 3, calls: 0.5, total: 10 + (i % 2 ? 5 : 3) + 0.5 }));
    const client = parts.map((p) => p.total + 6);
    const c = calibratePath(withColdStart(s, "f", { dist: "constant", value: 0.1 }), "f", parts, client, s.seed);
    const [overhead, edge] = c.parameters;
    expect(overhead!.parameter).toBe("components.f.overhead");
    expect(overhead!.valueMs).toBeCloseTo(4.5, 9); // IPC 4 + calls 0.5 beyond none modelled
    expect(overhead!.samplesMs).toHaveLength(200);
    expect(edge!.parameter).toBe("load.classes.a.flow.0.network");
    expect(edge!.valueMs).toBeCloseTo(3, 9); // 6 ms outside, none in the model: 3 each way
    expect(c.outsideMs.model).toBeCloseTo(0, 9);
    // the calibrated model: 5 provisioned, never cold at 5/s x 14.5 ms; latency = 10 + 4.5 + 6 exactly in the mean
    const r = simulate(c.scenario, { seed: 9, replications: 1 });
    expect(r.components.f!.function!.coldStarts).toBe(0);
    // the overhead is resampled from 3 and 5 ms: the mean of ~300 draws within 4 standard errors (sd 1 ms)
    const n = r.classes.a!.counts.completed;
    expect(Math.abs(r.classes.a!.latencyMs.mean.mean - 20.5)).toBeLessThanOrEqual(4 / Math.sqrt(n) + 0.01);
    // and nothing of it for the app: the original scenario is untouched
    expect((s.components.f as { overhead?: unknown }).overhead).toBeUndefined();
  });

  it("refuses a run without a completed invocation", () => {
    const s = scenario("service: 10ms");
    expect(() => calibratePath(s, "f", [], [], 3)).toThrow("no completed invocation");
  });
});
