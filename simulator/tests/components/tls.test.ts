// TLS termination at a balancer (tls on a load_balancer) against M/G/1. Each request opens a new
// connection with probability 1 / requests_per_connection (keep-alive), independently: the new
// connections of a Poisson stream of rate λ are a Poisson stream of rate λ / R (thinning). Each
// new connection's handshake holds one of the balancer's TLS CPUs: a full one with probability
// 1 - q (here exponential, mean 4 ms), a resumed one with probability q (constant 1 ms). With one
// CPU that is an M/G/1 queue with E[S] = (1-q) m_f + q m_r and E[S²] = (1-q) 2 m_f² + q m_r², so by
// Pollaczek-Khinchine a new connection waits E[W] = (λ/R) E[S²] / (2 (1 - ρ)), ρ = (λ/R) E[S].
// A request's mean latency adds (1/R) (E[W] + E[S]) to the backend's time, and two passes through
// the same CPU (no tls.request here: they carry no work, so the work process stays M/G/1's): in and
// out. A pass at a random moment waits E[W] (PASTA: a kept-alive request's way in; the way out,
// 100 ms of backend later, long after the busy periods of a few ms it could be correlated with).
// The way in right after its own handshake waits for the work that arrived during that
// handshake's stay (FIFO): ρ (E[W] + E[S]).
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

describe("TLS handshakes on one balancer CPU: M/G/1 over the new connections", () => {
  const lambda = 800, R = 4, q = 0.5, mf = 0.004, mr = 0.001, backend = 0.1;
  const s = scenarioOf(`
version: 1
name: tls
seed: 17
simulation: { duration: 200s, warmup: 20s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { get: { flow: [{ call: lb }] } } }
components:
  lb:
    kind: load_balancer
    backends: api
    tls: { handshake: { dist: exponential, mean: 4ms }, resumed: 1ms, resumption: ${q}, requests_per_connection: ${R}, cpus: 1 }
  api: { kind: service, concurrency: 1000, service: 100ms }
`);
  const r = simulate(s);
  const es = (1 - q) * mf + q * mr, es2 = (1 - q) * 2 * mf * mf + q * mr * mr, rate = lambda / R, rho = rate * es;
  const wait = (rate * es2) / (2 * (1 - rho));
  const passes = (rho * (wait + es)) / R + (1 - 1 / R) * wait + wait;
  const expected = 1000 * (backend + (wait + es) / R + passes);
  it("the TLS CPU's utilization is (λ/R) E[S]", () =>
    expectTheory((r.components.lb as unknown as { parts: Record<string, { utilization: { mean: number; ci95: number | null } }> }).parts["lb.tls"].utilization, rho, { label: "TLS CPU utilization" }));
  it("a request's mean latency: the backend, (1/R) of a handshake's wait and service, and the two passes", () =>
    expectTheory(r.classes.get.latencyMs.mean, expected, { label: "TLS mean latency" }));
  it("the analytic estimate: the same M/G/1 node (exact for one CPU) and the same mean latency", () => {
    const a = solveAnalytic(s);
    const part = (a.components.lb as unknown as { parts: Record<string, { utilization: number }> }).parts["lb.tls"];
    expect(Math.abs(part.utilization / rho - 1)).toBeLessThan(1e-9);
    expect(Math.abs(a.classes.get.latencyMs.mean / expected - 1)).toBeLessThan(1e-9);
  });
});

describe("tls.request: every request's own CPU time, half on the way in and half on the way out", () => {
  // 400 req/s, each a kept-alive request (R large) costing 1 ms on one CPU: utilization λ E[request]
  const s = scenarioOf(`
version: 1
name: tls-request
seed: 23
simulation: { duration: 100s, warmup: 10s, replications: 6 }
load: { model: open, rate: 400/s, classes: { get: { flow: [{ call: lb }] } } }
components:
  lb:
    kind: load_balancer
    backends: api
    tls: { handshake: 4ms, request: 1ms, requests_per_connection: 1000000, cpus: 1 }
  api: { kind: service, concurrency: 1000, service: 100ms }
`);
  const r = simulate(s);
  it("the CPU's utilization is λ E[request] (plus the rare handshakes)", () =>
    expectTheory((r.components.lb as unknown as { parts: Record<string, { utilization: { mean: number; ci95: number | null } }> }).parts["lb.tls"].utilization, 400 * (0.001 + 0.004 / 1e6), { label: "TLS CPU utilization with tls.request" }));
  it("the analytic solver counts the same work", () => {
    const part = (solveAnalytic(s).components.lb as unknown as { parts: Record<string, { utilization: number }> }).parts["lb.tls"];
    expect(Math.abs(part.utilization / (400 * (0.001 + 0.004 / 1e6)) - 1)).toBeLessThan(1e-9);
  });
});
