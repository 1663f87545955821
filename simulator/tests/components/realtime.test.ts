// The realtime kind (components/realtime) against closed forms, with the CI-derived bands of
// expectTheory (under 3%, so a model 3% wrong fails):
// - connections held as an M/G/inf system: time-average = λ E[L] (Little's law), whatever the
//   lifetime's distribution, and the count at a time Poisson(λ E[L]);
// - connection blocking at c slots with no retry (clients give up): Erlang's loss formula B(c, a),
//   insensitive to the lifetime's distribution (M/G/c/c);
// - fan-out delivery latency at light load: network both ways + backbone + the recipient's place in
//   its instance's batch, its mean over recipients E[N(N+1)/2] / E[N] with N the subscribers a
//   publish finds (a publisher is one of them: N = 1 + Poisson(m), the Palm distribution);
// - a reconnect storm without jitter: sessions dropped by a crash retry at b(2^k - 1) after it and
//   all reconnect at the first such time past the restart R; the expected peak is λ E[L] e^{-S/E[L]}
//   (exponential lifetimes: a session survives S with e^{-S/E[L]}, memoryless);
// - with full jitter and a spare instance, each dropped session reconnects after U(0, b) if it is
//   still there: the share that reconnects is (E[L]/b)(1 - e^{-b/E[L]}).
import { describe, expect, it } from "vitest";
import { simulate, simulateReplication } from "../../index.ts";
import { estimate } from "../../engine/stats.ts";
import { erlangB } from "../../components/realtime/index.ts";
import { expectTheory, perRun, scenarioOf, singleRuns } from "../helpers.ts";

/** A scenario with one realtime component `chat` and a token HTTP load (the format needs a class). */
function chat(o: { seed: number; simulation: string; component: string; connections: string; failures?: string }) {
  return scenarioOf(`
version: 1
name: realtime
seed: ${o.seed}
simulation: ${o.simulation}
load:
  model: open
  rate: 1/s
  classes: { ping: { flow: [api] } }
  connections:
    chat: ${o.connections}
components:
  api: { kind: station, servers: 1, service: 1ms }
  chat: ${o.component}
${o.failures ? `failures: ${o.failures}` : ""}
`);
}

describe("connections held against M/G/inf", () => {
  // λ = 5/s, lognormal lifetimes of mean 20 s and cv 2: E[N] = 100 by Little's law.
  const r = simulate(chat({
    seed: 11, simulation: "{ duration: 8000s, warmup: 400s, replications: 16 }",
    component: "{ kind: realtime, max_connections: 1M }",
    connections: "{ rate: 5/s, lifetime: { dist: lognormal, mean: 20s, cv: 2 } }",
  }));
  it("time-average connections = λ E[L] (lognormal lifetimes)", () =>
    expectTheory(r.components.chat.realtime!.connections, 100, { label: "E[N] M/G/inf" }));
  it("sessions per second = λ", () =>
    expectTheory(r.components.chat.realtime!.sessionsPerSecond, 5, { label: "session rate" }));
  it("no connection refused, dropped or lost", () => {
    const c = r.components.chat.realtime!.counts;
    expect([c.refused, c.dropped, c.lost, c.reconnects]).toEqual([0, 0, 0, 0]);
  });

  // The count at the end of 10 s intervals, with exponential lifetimes of mean 2 s (samples 5
  // lifetimes apart, correlation e^-5): Poisson(20) in mean, in variance and in P(N <= k).
  const m = 20;
  const s = simulate(chat({
    seed: 12, simulation: "{ duration: 40000s, warmup: 0s, replications: 1, interval: 10s }",
    component: "{ kind: realtime, max_connections: 1M }",
    connections: "{ rate: 10/s, lifetime: { dist: exponential, mean: 2s } }",
  }));
  const counts = s.series!.components.chat.connections!.slice(2);
  it("the count at a time has mean λ E[L]", () => expectTheory(estimate(counts), m, { label: "N(t) mean" }));
  it("and the Poisson variance: dispersion index 1 within 4 standard errors", () => {
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const v = counts.reduce((a, x) => a + (x - mean) ** 2, 0) / (counts.length - 1);
    // Var of a sample variance of a Poisson(m): m (2m + 1) / n (its fourth central moment is 3m² + m).
    const se = Math.sqrt((m * (2 * m + 1)) / counts.length) / m;
    expect(Math.abs(v / m - 1), `dispersion ${v / m}, standard error ${se}`).toBeLessThan(4 * se);
  });
  it("and the Poisson distribution: P(N <= k) within 4 binomial standard errors at k = 14, 17, 20, 23, 26", () => {
    let pmf = Math.exp(-m), cdf = pmf;
    const cdfAt = new Map<number, number>();
    for (let k = 1; k <= 26; k++) { pmf *= m / k; cdf += pmf; cdfAt.set(k, cdf); }
    for (const k of [14, 17, 20, 23, 26]) {
      const p = cdfAt.get(k)!;
      const seen = counts.filter((x) => x <= k).length / counts.length;
      const se = Math.sqrt((p * (1 - p)) / counts.length);
      expect(Math.abs(seen - p), `P(N <= ${k}): ${seen} vs ${p}`).toBeLessThan(4 * se);
    }
  });
});

describe("connection blocking against Erlang B (M/G/c/c)", () => {
  // 50 slots, a = λ E[L] = 50, uniform lifetimes (0 to 100 s). A refused client would retry after
  // 300 days, long after its session ended: it never does, so the system is a pure loss system.
  const runs = singleRuns(chat({
    seed: 21, simulation: "{ duration: 60000s, warmup: 500s }",
    component: "{ kind: realtime, max_connections: 50, reconnect: { backoff: 300d, max_backoff: 300d, jitter: none, attempts: 1 } }",
    connections: "{ rate: 1/s, lifetime: { dist: uniform, min: 0s, max: 100s } }",
  }), 24);
  const b = erlangB(50, 50);
  it(`refused share of sessions = B(50, 50) = ${b.toFixed(4)}`, () =>
    expectTheory(perRun(runs, (x) => x.components.chat.realtime!.counts.refused / x.components.chat.realtime!.counts.sessions), b, { label: "Erlang B" }));
  it("connections held = a (1 - B)", () =>
    expectTheory(perRun(runs, (x) => x.components.chat.realtime!.connections.mean), 50 * (1 - b), { label: "carried" }));
});

describe("fan-out delivery latency at light load", () => {
  // One instance, one channel (a broadcast), 5 ms network each way, a 1 ms backbone, 1 ms to send
  // to each recipient. λ = 1/s, E[L] = 30 s: m = 30; each client publishes every 30 s (2/m).
  const m = 30, net = 5, bb = 1, c = 1;
  const scenario = chat({
    seed: 31, simulation: "{ duration: 6000s, warmup: 200s, replications: 16 }",
    component: "{ kind: realtime, max_connections: 1M, network: 5ms, backbone: { service: 1ms }, send: 1ms }",
    connections: "{ rate: 1/s, lifetime: { dist: exponential, mean: 30s }, messages: 2/m }",
  });
  const reps = Array.from({ length: 16 }, (_, i) => simulateReplication(scenario, {}, i).realtime![0]);
  const n1 = m + 1, n2 = m + (m + 1) ** 2;
  const place = (n2 + n1) / 2 / n1;
  const theory = net + bb + c * place + net;
  // The send queue's wait, weighted by recipients (each recipient of a message waits its wait).
  const waitMs = (st: (typeof reps)[number]) => (1000 * st.sendWaitRecipients) / st.delivered;
  it("is light: the send queue's wait is under 5% of the delivery latency", () => {
    for (const st of reps) expect(waitMs(st)).toBeLessThan(0.05 * 1000 * st.delivery.mean());
  });
  it(`mean publish -> receive, less the send queue's wait, = 2 x network + backbone + send x E[N(N+1)/2]/E[N] = ${theory.toFixed(2)} ms`, () =>
    expectTheory(estimate(reps.map((st) => 1000 * st.delivery.mean() - waitMs(st))), theory, { label: "delivery mean" }));
  it("recipients per message = E[N] = m + 1 (the publisher is one of them)", () =>
    expectTheory(estimate(reps.map((st) => st.delivered / st.published)), n1, { label: "recipients" }));
});

describe("the backbone's latency: a delay after its service, not queued", () => {
  // The same broadcast, 40 messages/s (80/m from each of m = 30 clients), a backbone of 0.1 ms of
  // service and a 50 ms exponential latency: as service the latency would load the one server
  // 40 x 50 ms = 200% (no steady state); as a delay it adds its mean to each delivery and the server
  // stays 0.4% busy. Send 10 us a recipient, so the send queue stays light too.
  const m = 30, net = 5, bb = 0.1, lat = 50, c = 0.01;
  const scenario = chat({
    seed: 37, simulation: "{ duration: 600s, warmup: 100s, replications: 8 }",
    component: "{ kind: realtime, max_connections: 1M, network: 5ms, backbone: { service: 100us, latency: { dist: exponential, mean: 50ms } }, send: 10us }",
    connections: "{ rate: 1/s, lifetime: { dist: exponential, mean: 30s }, messages: 80/m }",
  });
  const reps = Array.from({ length: 8 }, (_, i) => simulateReplication(scenario, {}, i).realtime![0]);
  const n1 = m + 1, n2 = m + (m + 1) ** 2;
  const theory = net + bb + lat + c * ((n2 + n1) / 2 / n1) + net;
  const waitMs = (st: (typeof reps)[number]) => (1000 * st.sendWaitRecipients) / st.delivered + 1000 * st.backboneWait.mean();
  it(`mean publish -> receive, less the waits, = 2 x network + backbone service + latency + send x E[N(N+1)/2]/E[N] = ${theory.toFixed(2)} ms`, () =>
    expectTheory(estimate(reps.map((st) => 1000 * st.delivery.mean() - waitMs(st))), theory, { label: "delivery mean" }));
  it("the backbone is busy for its service only: 40/s x 0.1 ms, its waits microseconds", () => {
    const r = simulate(scenario, { replications: 2 });
    expect(r.components.chat!.realtime!.backboneUtilization.mean).toBeGreaterThan(0.003);
    expect(r.components.chat!.realtime!.backboneUtilization.mean).toBeLessThan(0.005);
    expect(r.components.chat!.realtime!.backboneWaitMs.mean.mean).toBeLessThan(0.01);
  });
});

describe("the backbone's remote_latency: the instances other than the publisher's wait longer", () => {
  // Two instances share a broadcast (m = 30 clients, least connections: about m/2 each); the
  // backbone reaches the publishing instance after 1 ms and the other after 20 ms. The publisher's
  // instance holds it and (m - 1)/2 others, E[N] = m + 1 recipients: (m + 1)/2 of them at 1 ms,
  // (m - 1)/2 at 20 ms, so the mean delivery is their mix, 0.484 x 1 + 0.516 x 20 = 10.8 ms plus the
  // service and send (a single latency would give 1 ms or 20 ms for every copy).
  const m = 30, own = (m + 1) / 2 / (m + 1), lat = 1, remote = 20, bb = 0.01, c = 0.01;
  const scenario = chat({
    seed: 43, simulation: "{ duration: 600s, warmup: 100s, replications: 8 }",
    component: "{ kind: realtime, instances: 2, max_connections: 1M, backbone: { service: 10us, latency: 1ms, remote_latency: 20ms }, send: 10us }",
    connections: "{ rate: 1/s, lifetime: { dist: exponential, mean: 30s }, messages: 20/m }",
  });
  const reps = Array.from({ length: 8 }, (_, i) => simulateReplication(scenario, {}, i).realtime![0]);
  const theory = bb + own * lat + (1 - own) * remote + c * m / 4;
  const waitMs = (st: (typeof reps)[number]) => (1000 * st.sendWaitRecipients) / st.delivered + 1000 * st.backboneWait.mean();
  it(`mean publish -> receive, less the waits, = service + own share x latency + other share x remote_latency + send x place ~ ${theory.toFixed(2)} ms (within 5%: the instances' split fluctuates)`, () => {
    const got = estimate(reps.map((st) => 1000 * st.delivery.mean() - waitMs(st)));
    expect(Math.abs(got.mean - theory)).toBeLessThanOrEqual(0.05 * theory);
  });
});

describe("reconnect storm after a crash, exponential backoff without jitter", () => {
  // One instance holds m = λ E[L] = 30/s x 100 s = 3000 connections when it crashes at t0 = 1000 s;
  // it restarts R = 5 s later. Each dropped client retries at t0 + b(2^k - 1), b = 1 s: refused at
  // t0 + 1 and t0 + 3, all reconnect at t0 + 7 (S = 7 s), those whose session outlived S: e^{-S/E[L]}.
  const b = 1, R = 5, L = 100, lambda = 30, t0 = 1000;
  const k = Math.ceil(Math.log2(R / b + 1));
  const S = b * (2 ** k - 1);
  const runs = singleRuns(chat({
    seed: 41, simulation: "{ duration: 1100s, warmup: 500s, interval: 1s }",
    component: "{ kind: realtime, max_connections: 1M, reconnect: { backoff: 1s, max_backoff: 64s, jitter: none, attempts: 10 } }",
    connections: `{ rate: ${lambda}/s, lifetime: { dist: exponential, mean: ${L}s } }`,
    failures: `[{ at: ${t0}s, crash: chat, replica: 1, restart_after: ${R}s }]`,
  }), 16);
  it(`the peak (reconnects in one second) = λ E[L] e^{-S/E[L]} with S = b(2^k - 1) = ${S} s`, () =>
    expectTheory(perRun(runs, (x) => x.components.chat.realtime!.reconnectPeakPerSecond.mean), lambda * L * Math.exp(-S / L), { label: "storm peak" }));
  it("of the connections dropped, e^{-S/E[L]} reconnect (those whose session outlives S)", () =>
    expectTheory(perRun(runs, (x) => x.components.chat.realtime!.counts.reconnects / x.components.chat.realtime!.counts.dropped), Math.exp(-S / L), { label: "storm share" }));
  it("comes S after the crash, all at once", () => {
    for (const x of runs) {
      const rc = x.series!.components.chat.reconnects!;
      const at = rc.indexOf(Math.max(...rc));
      expect(x.series!.t[at]).toBe(t0 + S + 1);
      expect(rc.reduce((a, v) => a + v, 0)).toBe(rc[at]);
    }
  });
  it("every dropped connection was counted, and the sessions refused meanwhile are not reconnects", () => {
    for (const x of runs) {
      const c = x.components.chat.realtime!.counts;
      expect(c.crashes).toBe(1);
      expect(c.dropped).toBeGreaterThan(2500);
      expect(c.refused).toBeGreaterThan(c.dropped);
      expect(c.lost).toBe(0);
    }
  });
});

describe("reconnects with full jitter onto a spare instance", () => {
  // Two instances, sessions placed at random (each on instance 1 with probability 1/2); instance 1
  // crashes for good at t0. Its clients retry after U(0, b), b = 20 s, and land on instance 2; a
  // client reconnects if its session outlives the delay: (E[L]/b)(1 - e^{-b/E[L]}) of them.
  const b = 20, L = 50;
  const runs = singleRuns(chat({
    seed: 51, simulation: "{ duration: 700s, warmup: 300s }",
    component: "{ kind: realtime, instances: 2, balance: random, max_connections: 1M, backbone: { service: 10us }, reconnect: { backoff: 20s, jitter: full } }",
    connections: `{ rate: 40/s, lifetime: { dist: exponential, mean: ${L}s } }`,
    failures: "[{ at: 600s, crash: chat, replica: 1 }]",
  }), 12);
  it(`reconnected / dropped = (E[L]/b)(1 - e^{-b/E[L]}) = ${((L / b) * (1 - Math.exp(-b / L))).toFixed(4)}`, () =>
    expectTheory(perRun(runs, (x) => x.components.chat.realtime!.counts.reconnects / x.components.chat.realtime!.counts.dropped), (L / b) * (1 - Math.exp(-b / L)), { label: "full jitter" }));
});

describe("out of memory", () => {
  // 1 MiB per instance, 64 KiB per connection: the 17th connection does not fit, and max_connections
  // (100) never refuses first. The instance fails with all its connections, restarts after 10 s.
  const r = simulate(chat({
    seed: 61, simulation: "{ duration: 600s, warmup: 0s, replications: 2 }",
    component: "{ kind: realtime, max_connections: 100, memory: 1MiB, memory_per_connection: 64KiB, restart_after: 10s }",
    connections: "{ rate: 1/s, lifetime: { dist: exponential, mean: 60s } }",
  }));
  const rt = r.components.chat.realtime!;
  it("fails (OOM) instead of holding more than fits, and its clients reconnect", () => {
    expect(rt.counts.outOfMemory).toBeGreaterThan(0);
    // the 17th connection is accepted and the process dies with all 17
    expect(rt.counts.dropped).toBe(17 * rt.counts.outOfMemory);
    expect(rt.counts.reconnects).toBeGreaterThan(0);
    expect(rt.peakConnections).toBe(17);
    expect(rt.memoryLimitBytes).toBe(1024 * 1024);
  });
});
