// Health checks belong to each balancer: two balancers with checks in front of one pool both take a
// crashed replica out (each after its own `fall` checks) and back in (after `rise`); a balancer
// without checks keeps sending to it and its requests are refused. Before, only the first balancer
// in the file ran checks, and its verdict applied to every balancer of the pool.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { scenarioOf } from "../helpers.ts";

const scenario = (checks2: boolean) => scenarioOf(`
version: 1
name: health
seed: 2
simulation: { duration: 120s, warmup: 0s, replications: 1 }
load:
  model: open
  rate: 200/s
  classes:
    one: { weight: 1, flow: [{ call: lb1 }] }
    two: { weight: 1, flow: [{ call: lb2 }] }
components:
  lb1: { kind: load_balancer, algorithm: round_robin, backends: api, connect_retries: 0, health_check: { interval: 1s, rise: 2, fall: 2 } }
  lb2: { kind: load_balancer, algorithm: round_robin, backends: api, connect_retries: 0${checks2 ? ", health_check: { interval: 2s, rise: 2, fall: 3 }" : ""} }
  api:
    kind: service
    replicas: 2
    concurrency: 16
    service: { dist: exponential, mean: 5ms }
failures:
  - { at: 20s, crash: api, replica: 2, restart_after: 40s }
`);

describe("health checks per balancer", () => {
  it("both balancers take the crashed replica out after their own checks: refusals only until then", () => {
    const r = simulate(scenario(true));
    // 100 req/s per balancer, half to the dead replica until it is noticed: lb1 after 1-2 s
    // (fall 2 x 1 s), lb2 after 4-6 s (fall 3 x 2 s). The refusals are requests sent in that time.
    const one = r.classes.one.counts.byReason.backend_down ?? 0;
    const two = r.classes.two.counts.byReason.backend_down ?? 0;
    expect(one).toBeGreaterThan(50 * 1 * 0.7);
    expect(one).toBeLessThan(50 * 2 * 1.3);
    expect(two).toBeGreaterThan(50 * 4 * 0.7);
    expect(two).toBeLessThan(50 * 6 * 1.3);
  });

  it("a balancer without checks keeps sending to the dead replica for the whole outage", () => {
    const r = simulate(scenario(false));
    const two = r.classes.two.counts.byReason.backend_down ?? 0;
    // Half of lb2's 100 req/s for the 40 s the replica is down.
    expect(two).toBeGreaterThan(50 * 40 * 0.9);
    expect(two).toBeLessThan(50 * 40 * 1.1);
    const one = r.classes.one.counts.byReason.backend_down ?? 0;
    expect(one).toBeLessThan(50 * 2 * 1.3);
  });
});
