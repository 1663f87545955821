// Traffic equations of a scenario's station network: the mean number of visits a request of each
// class makes to each station (flow steps and probabilistic routing, feedback included), and the
// offered load that follows. Used for stability warnings and by analytic estimates.
import type { Scenario, Step } from "./schema.ts";
import { dict, own } from "./own.ts";

/** Visits per request, by class then station name. Stations reached by routing are solved as a linear system. */
export function visitRatios(scenario: Scenario): Record<string, Record<string, number>> {
  const out = dict<Record<string, number>>();
  for (const [cls, def] of Object.entries(scenario.load.classes)) {
    const direct = dict<number>();
    addFlow(def.flow, 1, direct);
    out[cls] = solveRouting(scenario, direct);
  }
  return out;
}

function addFlow(flow: ReadonlyArray<Step>, weight: number, into: Record<string, number>): void {
  for (const step of flow) {
    if ("visit" in step) into[step.visit] = (own(into, step.visit) ?? 0) + weight;
    else if ("branch" in step) for (const b of step.branch) addFlow(b.flow, weight * b.p, into);
  }
}

/** λ = γ + λP by fixed-point iteration; converges when every routing cycle has an exit. */
function solveRouting(scenario: Scenario, entries: Record<string, number>): Record<string, number> {
  const names = Object.keys(scenario.components);
  let visits = Object.assign(dict<number>(), entries);
  for (let iter = 0; iter < 100_000; iter++) {
    const next = Object.assign(dict<number>(), entries);
    for (const name of names) {
      const c = scenario.components[name];
      const v = own(visits, name);
      if (!v || c.kind !== "station" || !c.routing) continue;
      for (const r of c.routing) if (r.to !== "exit") next[r.to] = (own(next, r.to) ?? 0) + v * r.p;
    }
    let delta = 0;
    for (const k of new Set([...Object.keys(next), ...Object.keys(visits)])) delta = Math.max(delta, Math.abs((own(next, k) ?? 0) - (own(visits, k) ?? 0)));
    visits = next;
    if (delta < 1e-12) break;
  }
  return visits;
}

/** Peak arrival rate of an open load (per second), or undefined for a closed one. */
export function peakRate(scenario: Scenario): number | undefined {
  const load = scenario.load;
  if (load.model !== "open") return undefined;
  if (load.rate !== undefined) return load.rate;
  let peak = load.start_rate;
  for (const s of load.stages ?? []) peak = Math.max(peak, s.shape === "sine" ? (s.max ?? 0) : (s.target ?? 0));
  return peak;
}
