// Open networks of exponential stations. By Burke's theorem a tandem of M/M/1 stations behaves as
// independent M/M/1 queues, E[T] = Σ 1/(μ_i - λ); by Jackson's theorem (Jackson 1963, "Jobshop-like
// queueing systems") the same product form holds with feedback once the traffic equations
// λ_i = γ_i + Σ_j λ_j P_ji are solved: E[T] = (1/γ) Σ_i L_i with L_i = ρ_i / (1 - ρ_i).
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectTheory, scenarioOf } from "../helpers.ts";

describe("tandem of two M/M/1 stations (Burke)", () => {
  const lambda = 50, mu1 = 100, mu2 = 90;
  const s = scenarioOf(`
version: 1
name: tandem
seed: 4
simulation: { duration: 1200s, warmup: 20s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { req: { flow: [a, b] } } }
components:
  a: { kind: station, service: { dist: exponential, mean: ${1000 / mu1}ms } }
  b: { kind: station, service: { dist: exponential, mean: ${1000 / mu2}ms } }
`);
  const r = simulate(s);
  it("end-to-end mean is the sum of the M/M/1 means", () =>
    expectTheory(r.classes.req.latencyMs.mean, 1000 * (1 / (mu1 - lambda) + 1 / (mu2 - lambda)), { label: "E[T]" }));
  it("each station's mean response time is its own M/M/1's", () => {
    expectTheory(r.components.a.responseMs.mean, 1000 / (mu1 - lambda), { label: "a" });
    expectTheory(r.components.b.responseMs.mean, 1000 / (mu2 - lambda), { label: "b" });
  });
});

describe("Jackson network with feedback", () => {
  // γ = 40/s into A; A -> B always; B -> A with 0.3, else exit. Traffic: λ_A = γ + 0.3 λ_B, λ_B = λ_A.
  const gamma = 40, pBack = 0.3, muA = 100, muB = 90;
  const lamA = gamma / (1 - pBack), lamB = lamA;
  const s = scenarioOf(`
version: 1
name: jackson
seed: 9
simulation: { duration: 1500s, warmup: 20s, replications: 10 }
load: { model: open, rate: ${gamma}/s, classes: { req: { flow: [a] } } }
components:
  a:
    kind: station
    service: { dist: exponential, mean: ${1000 / muA}ms }
    routing: [{ to: b, p: 1 }]
  b:
    kind: station
    service: { dist: exponential, mean: ${1000 / muB}ms }
    routing: [{ to: a, p: ${pBack} }, { to: exit, p: ${1 - pBack} }]
`);
  const r = simulate(s);
  const L = (lam: number, mu: number) => lam / mu / (1 - lam / mu);
  it("station throughputs solve the traffic equations", () => {
    expectTheory(r.components.a.throughput, lamA, { precision: 0.01, label: "λ_A" });
    expectTheory(r.components.b.throughput, lamB, { precision: 0.01, label: "λ_B" });
  });
  it("end-to-end mean response time is Σ L_i / γ", () =>
    expectTheory(r.classes.req.latencyMs.mean, (1000 * (L(lamA, muA) + L(lamB, muB))) / gamma, { label: "E[T]" }));
  it("mean number in system is Σ L_i (Little's law on the product form)", () =>
    expectTheory(r.inFlight, L(lamA, muA) + L(lamB, muB), { label: "L" }));
});
