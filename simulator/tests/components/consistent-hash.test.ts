// Consistent hashing: a ring with 160 points per unit of weight (engine/hash-ring.ts). Keys spread
// evenly over the backends that are up, however many of the pool's slots are switched off (an
// auto-scaled pool at 3 of 12 replicas used to send 83% of the load to one of them), weights give
// proportional shares, and a backend that fails loses only its own keys.
import { describe, expect, it } from "vitest";
import { HashRing, POINTS_PER_WEIGHT } from "../../engine/hash-ring.ts";
import { hashKey } from "../../engine/hash-key.ts";
import { compile } from "../../engine/program.ts";
import { runReplication } from "../../engine/simulation.ts";
import { scenarioOf } from "../helpers.ts";

/** The simulator's walk: the first open backend clockwise from the key's point. */
function lookup(ring: HashRing, key: number, open: (k: number) => boolean): number {
  let i = ring.first(hashKey(key));
  for (let s = 0; s < ring.owner.length; s++) {
    if (open(ring.owner[i])) return ring.owner[i];
    if (++i === ring.owner.length) i = 0;
  }
  return -1;
}

describe("the ring", () => {
  it(`has ${POINTS_PER_WEIGHT} points per unit of mean weight, sorted`, () => {
    const r = new HashRing([3, 1]);
    expect(r.owner.filter((k) => k === 0).length).toBe(240);
    expect(r.owner.filter((k) => k === 1).length).toBe(80);
    for (let i = 1; i < r.points.length; i++) expect(r.points[i]).toBeGreaterThanOrEqual(r.points[i - 1]);
  });

  it("when one backend of 4 fails only its keys move, and they spread over the other three", () => {
    const ring = new HashRing([1, 1, 1, 1]);
    const before = [], moved = [0, 0, 0, 0];
    const keys = 100_000;
    for (let k = 0; k < keys; k++) before.push(lookup(ring, k, () => true));
    for (let k = 0; k < keys; k++) {
      const after = lookup(ring, k, (b) => b !== 2);
      if (before[k] !== 2) expect(after).toBe(before[k]);
      else moved[after]++;
    }
    const lost = before.filter((b) => b === 2).length;
    // Backend 2 held about a quarter of the keys; each survivor took some of them.
    expect(lost / keys).toBeGreaterThan(0.18);
    expect(lost / keys).toBeLessThan(0.32);
    for (const b of [0, 1, 3]) expect(moved[b] / lost).toBeGreaterThan(0.1);
  });
});

describe("consistent_hash balancer in the simulator", () => {
  const scenario = () => scenarioOf(`
version: 1
name: chash
seed: 5
load:
  model: open
  rate: 100/s
  classes: { req: { keys: { count: 100k }, flow: [{ call: lb }] } }
components:
  lb: { kind: load_balancer, algorithm: consistent_hash, backends: api }
  api:
    kind: service
    replicas: 3
    concurrency: 64
    service: { dist: exponential, mean: 10ms }
    autoscaling: { min: 3, max: 12, metric: utilization, target: 0.9, interval: 10s, boot: 10s }
`);
  function perBackend(s: ReturnType<typeof scenario>) {
    const p = compile(s);
    const r = runReplication(p, s, { seed: 5, replication: 0, duration: 300, warmup: 0, interval: 10, series: false });
    return Array.from(p.balancers[0].conns, (c) => r.resources[c].arrivals);
  }

  it("3 of 12 auto-scaled replicas up: each gets about a third (was 83/7/8%)", () => {
    const counts = perBackend(scenario());
    const total = counts.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(25_000);
    expect(counts.slice(3).every((c) => c === 0)).toBe(true); // never scaled out at 10% utilization
    // Ring placement (160 points per backend: about 8% relative spread each) and key draws: each
    // share within 25% of a third, about 3 standard deviations of the placement.
    for (const c of counts.slice(0, 3)) expect(Math.abs(c / total - 1 / 3)).toBeLessThan(1 / 12);
  });
});
