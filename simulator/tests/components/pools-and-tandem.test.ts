// A connection pool of size c in front of exponential queries is an M/M/c queue (Erlang C:
// Gross et al., Fundamentals of Queueing Theory, sec. 2.3). And a balancer -> service -> database
// chain with exponential times is a Jackson network (Jackson 1963; the balancer's own time is an
// infinite-server station, BCMP 1975): E[T] = overhead + 1/(μ_s - λ/n) + 1/(μ_db - λ).
import { describe, it } from "vitest";
import { simulate } from "../../index.ts";
import { erlangC, expectMatches, scenarioOf } from "../helpers.ts";

describe("a database connection pool of size c behaves as M/M/c", () => {
  const c = 4, mu = 100, lambda = 340; // ρ = 0.85
  const r = simulate(scenarioOf(`
version: 1
name: pool-mmc
seed: 51
simulation: { duration: 800s, warmup: 20s, replications: 8 }
load: { model: open, rate: ${lambda}/s, classes: { q: { flow: [{ call: api }] } } }
components:
  api:
    kind: service
    concurrency: 1000
    handlers: { q: [{ call: db, op: read }] }
  db:
    kind: database
    read: { dist: exponential, mean: ${1000 / mu}ms }
    write: 1ms
    max_connections: 100
    pool: { size: ${c}, timeout: 1h }
`));
  const C = erlangC(c, lambda / mu);
  it("pool wait is Erlang C's C/(cμ - λ)", () => expectMatches(r.components.db.poolWaitMs!.mean, (1000 * C) / (c * mu - lambda), { precision: 0.035, label: "pool wait" }));
  it("request latency is the M/M/c response time", () => expectMatches(r.classes.q.latencyMs.mean, 1000 * (C / (c * mu - lambda) + 1 / mu), { precision: 0.02, label: "E[T]" }));
});

describe("balancer -> service -> database as a Jackson network", () => {
  const lambda = 120, n = 2, muS = 100, muDb = 200, overhead = 1; // ms
  const r = simulate(scenarioOf(`
version: 1
name: tandem-components
seed: 61
simulation: { duration: 1200s, warmup: 20s, replications: 8 }
load: { model: open, rate: ${lambda}/s, classes: { q: { flow: [{ call: lb }, { call: db, op: read }] } } }
components:
  lb: { kind: load_balancer, algorithm: random, backends: api, overhead: { dist: exponential, mean: ${overhead}ms } }
  api: { kind: service, replicas: ${n}, concurrency: 1, service: { dist: exponential, mean: ${1000 / muS}ms } }
  db: { kind: database, read: { dist: exponential, mean: ${1000 / muDb}ms }, write: 1ms, max_connections: 1 }
`));
  it("end-to-end mean is the sum of the stations' means", () =>
    expectMatches(r.classes.q.latencyMs.mean, overhead + 1000 / (muS - lambda / n) + 1000 / (muDb - lambda), { label: "E[T]" }));
  it("database utilization is λ/μ_db", () => expectMatches(r.components.db.utilization, lambda / muDb, { precision: 0.01, label: "ρ_db" }));
});
