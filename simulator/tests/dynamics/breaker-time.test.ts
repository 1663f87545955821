// The circuit breaker's time in each state (components.<service>.breaker, series breakerOpenShare)
// against a renewal argument. A dependency that always fails (every call outlives the callers'
// timeout τ) trips the breaker at the end of the first window W, whatever the seed; from then on
// it cycles: open for D, then half-open until the first probe fails, which is the wait for the
// next arrival (exponential with rate λ: Poisson arrivals forget the past) plus τ. Cycles are
// i.i.d. with mean E[C] = D + 1/λ + τ, so by the renewal-reward theorem the share of time open is
// D / E[C] and a window of length L holds L / E[C] openings (a stationary renewal process); the
// breaker is never closed again. Tolerances are the replications' 95% intervals (expectTheory).
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

interface Cycle { lambda: number; openFor: number; timeout: number; duration: number; warmup: number; replications: number }

const failing = (c: Cycle, replications = c.replications) => scenarioOf(`
version: 1
name: breaker-cycles
seed: 41
simulation: { duration: ${c.duration}s, warmup: ${c.warmup}s, replications: ${replications}, interval: 1s }
load: { model: open, rate: ${c.lambda}/s, classes: { r: { flow: [{ call: dep }] } } }
components:
  dep:
    kind: service
    replicas: 1
    concurrency: 200
    timeout: ${c.timeout * 1000}ms
    service: 1s
    circuit_breaker: { failure_rate: 50%, window: 10s, min_calls: 5, open_for: ${c.openFor * 1000}ms, half_open_calls: 3 }
`);

const meanCycle = (c: Cycle) => c.openFor + 1 / c.lambda + c.timeout;

// Two cycles far apart: mostly open (short waits for a probe) and mostly half-open (long ones).
// The run lengths keep each 95% half-width under 1% of the value: (a) about 460 cycles per
// replication with a coefficient of variation of 0.17 per cycle, (b) about 2,600 with 0.66.
const CASES: Array<[string, Cycle]> = [
  ["λ 5/s, open_for 1 s, timeout 10 ms", { lambda: 5, openFor: 1, timeout: 0.01, duration: 600, warmup: 40, replications: 10 }],
  ["λ 2/s, open_for 250 ms, timeout 10 ms", { lambda: 2, openFor: 0.25, timeout: 0.01, duration: 2000, warmup: 40, replications: 16 }],
];

describe.each(CASES)("an always-failing dependency, %s", (label, c) => {
  const r = simulate(failing(c));
  const b = r.components.dep.breaker!;
  const window = c.duration - c.warmup;
  it("is open D / (D + 1/λ + τ) of the time", () => {
    expectTheory(b.openShare, c.openFor / meanCycle(c), { label: `${label}: open share` });
  });
  it("opens L / (D + 1/λ + τ) times in a window of length L", () => {
    expectTheory(b.openings, window / meanCycle(c), { label: `${label}: openings` });
  });
  it("is never closed after the first window, and the three shares add up to the window", () => {
    expect(b.closedShare.mean).toBe(0);
    expect(b.closedShare.ci95).toBe(0);
    expect(b.openShare.mean + b.halfOpenShare.mean + b.closedShare.mean).toBeCloseTo(1, 12);
    // the resilience counts the same openings (their sum over replications)
    expect(b.openings.mean * r.run.replications).toBeCloseTo(r.components.dep.resilience!.breakerOpened, 9);
  });
});

describe("one replication's series and accounting", () => {
  const c = CASES[0]![1];
  const r = simulate(failing(c, 1));
  const b = r.components.dep.breaker!;
  const share = r.series!.components.dep.breakerOpenShare!;
  const t = r.series!.t;
  it("is closed until the first window ends (10 s), then open for all of open_for (1 s)", () => {
    expect(share.length).toBe(c.duration);
    expect(share.slice(0, 10)).toEqual(new Array(10).fill(0));
    expect(t[10]).toBe(11);
    expect(share[10]).toBe(1);
    expect(Math.min(...share)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...share)).toBeLessThanOrEqual(1 + 1e-12);
  });
  it("averages over the window's intervals to the window's open share", () => {
    const inWindow = share.filter((_, i) => t[i]! > c.warmup);
    expect(inWindow.length).toBe(c.duration - c.warmup);
    expect(inWindow.reduce((a, x) => a + x, 0) / inWindow.length).toBeCloseTo(b.openShare.mean, 9);
  });
  it("spends open_for per opening, but for the opening cut at each end of the window", () => {
    const openS = b.openShare.mean * (c.duration - c.warmup);
    expect(Math.abs(openS - b.openings.mean * c.openFor)).toBeLessThanOrEqual(c.openFor + 1e-9);
  });
});

describe("a healthy dependency", () => {
  const r = simulate(scenarioOf(`
version: 1
name: breaker-idle
seed: 42
simulation: { duration: 60s, warmup: 5s, replications: 2, interval: 1s }
load: { model: open, rate: 50/s, classes: { r: { flow: [{ call: dep }, { call: plain }] } } }
components:
  dep:
    kind: service
    concurrency: 50
    service: 1ms
    circuit_breaker: { failure_rate: 50%, window: 5s, min_calls: 5, open_for: 1s }
  plain: { kind: service, concurrency: 50, service: 1ms }
`));
  it("keeps its breaker closed all the time, never opened", () => {
    const b = r.components.dep.breaker!;
    expect([b.closedShare.mean, b.openShare.mean, b.halfOpenShare.mean, b.openings.mean]).toEqual([1, 0, 0, 0]);
    expect(r.series!.components.dep.breakerOpenShare!.every((x) => x === 0)).toBe(true);
  });
  it("adds no breaker figures to a service without one", () => {
    expect(r.components.plain.breaker).toBeUndefined();
    expect(r.series!.components.plain.breakerOpenShare).toBeUndefined();
  });
});
