// A station's analytic form: a c-server FCFS node (M/G/c by Allen-Cunneen, analytic/station.ts)
// fed by every visit that reaches it, routing feedback included: the visits per visit to a start
// station solve lambda = e + lambda P (stationVisits); the traffic pass (analytic/traffic.ts) loads
// the node with them and the time pass (analytic/times.ts) charges each visit its wait and service.
import type { Scenario, StationComponent } from "../../model/schema.ts";
import type { QNode } from "../../analytic/traffic.ts";
import type { Moments } from "../../analytic/station.ts";
import { meanOf } from "../../model/dist-moments.ts";

/** Visits to every station per visit to `start`, routing feedback included (lambda = e + lambda P), by fixed-point iteration. */
export function stationVisits(comps: Scenario["components"], start: string): Record<string, number> {
  let v: Record<string, number> = { [start]: 1 };
  for (let iter = 0; iter < 100_000; iter++) {
    const next: Record<string, number> = { [start]: 1 };
    for (const [name, x] of Object.entries(v)) {
      const c = comps[name];
      if (c.kind !== "station" || !c.routing) continue;
      for (const r of c.routing) if (r.to !== "exit") next[r.to] = (next[r.to] ?? 0) + x * r.p;
    }
    let delta = 0;
    for (const k of new Set([...Object.keys(next), ...Object.keys(v)])) delta = Math.max(delta, Math.abs((next[k] ?? 0) - (v[k] ?? 0)));
    v = next;
    if (delta < 1e-12) break;
  }
  return v;
}

/** The station's entry among the analytic estimate's components, from its node's load and solution. */
export function stationAnalytic(c: StationComponent, n: QNode | undefined, sol: { utilization: number; wait: Moments }) {
  const es = n && n.lambda > 0 ? n.ls / n.lambda : meanOf(c.service);
  return {
    kind: c.kind, servers: c.servers, throughput: n?.lambda ?? 0, utilization: sol.utilization, peakUtilization: sol.utilization,
    waitMs: sol.wait.mean * 1000, responseMs: (sol.wait.mean + es) * 1000,
  };
}
