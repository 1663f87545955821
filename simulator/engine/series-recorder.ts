// The per-interval series (ReplicationOptions.series): closing an interval (EV_SAMPLE), and a peek
// at the interval in progress for a live chart (onPeek). Both only read the replication's state, so
// a run is the same bytes with series on or off. The running interval counts they read stay fields
// of the replication (the hot paths add to them); these are plain functions called once per
// interval or peek.
import type { Replication, Series } from "./simulation.ts";
import type { Program } from "./program.ts";

/** An empty series for the Program: per class and component, with the figures its kind has. */
export function newSeries(p: Program): Series {
  return {
    t: [], inFlight: [], offered: [],
    classes: p.classNames.map(() => ({ throughput: [], errors: [], p50: [], p95: [], p99: [] })),
    components: p.components.map((comp, c) => (comp.kind === "cache" || comp.kind === "cdn"
      ? { utilization: [], queue: [], throughput: [], instances: [], hits: [], lookups: [] }
      : comp.kind === "function"
        ? { utilization: [], queue: [], throughput: [], instances: [], active: [] }
        : p.services.some((sv) => sv.component === c && sv.breaker)
          ? { utilization: [], queue: [], throughput: [], instances: [], breakerOpen: [] }
          : { utilization: [], queue: [], throughput: [], instances: [] })),
  };
}

export function instancesOfComponent(sim: Replication, c: number): number {
  if (sim.compFn[c] >= 0) return sim.fn.instances(sim.compFn[c]);
  for (let i = 0; i < sim.p.services.length; i++) if (sim.p.services[i].component === c) return sim.svc.instancesOf(i);
  return 0;
}

/**
 * Closes a series interval. It only reads the state (areas are brought up to now in local sums,
 * never written back): splitting an area's running sum at every sample would round differently,
 * so a replication's figures are the same bytes whether it records series or not (the dashboard
 * records them in every replication for its confidence bands).
 */
export function sample(sim: Replication): void {
  record(sim, sim.series!, sim.o.interval, true);
}

/**
 * The series so far plus the interval in progress as its last point, at the time now (a copy:
 * ReplicationOptions.onPeek). The point is over the part of the interval simulated so far (rates
 * over that time); nothing of the state is written, so a run is the same bytes with or without
 * peeks. Without series, or at an interval's very start, the copy has no point in progress.
 */
export function peekSeries(sim: Replication): Series {
  const copy = structuredClone(sim.series!);
  const elapsed = sim.now - (copy.t.length > 0 ? copy.t[copy.t.length - 1] : 0);
  if (elapsed > 0) record(sim, copy, elapsed, false);
  return copy;
}

/**
 * Appends the interval that ends now and lasted `interval` seconds to `s`. commit: a whole
 * interval (the running counts restart); otherwise a peek at the one in progress, which changes
 * nothing.
 */
export function record(sim: Replication, s: Series, interval: number, commit: boolean): void {
  const p = sim.p;
  const now = sim.now;
  s.t.push(now);
  for (let c = 0; c < p.classNames.length; c++) {
    const h = sim.ivLatency[c];
    const sc = s.classes[c];
    sc.throughput.push(h.count / interval);
    sc.errors.push(sim.ivErrors[c] / interval);
    sc.p50.push(h.quantile(0.5)); sc.p95.push(h.quantile(0.95)); sc.p99.push(h.quantile(0.99));
    if (!commit) continue;
    h.reset();
    sim.ivErrors[c] = 0;
  }
  for (let c = 0; c < p.components.length; c++) {
    let busy = 0, queue = 0, units = 0;
    for (const r of p.components[c].resources) {
      if (!p.resources[r].main) continue;
      const st = sim.rStats[r];
      const dt = now - sim.lastTouch[r];
      busy += sim.busyTotal[r] + st.busyArea + (dt > 0 ? sim.busy[r] * dt : 0);
      queue += sim.queueTotal[r] + st.queueArea + (dt > 0 ? sim.waiting[r] * dt : 0);
      units += Math.min(p.resources[r].units, 1e6);
    }
    const sc = s.components[c];
    // An auto-scaled pool's utilization is over the slots of the instances it has now.
    const inst = instancesOfComponent(sim, c);
    if (p.components[c].kind === "service" && inst > 0) units = inst * p.resources[p.components[c].resources[0]].units;
    sc.utilization.push(units > 0 ? (busy - sim.ivBusy0[c]) / (interval * units) : 0);
    sc.queue.push((queue - sim.ivQueue0[c]) / interval);
    sc.throughput.push(sim.ivCompl[c] / interval);
    sc.instances.push(instancesOfComponent(sim, c));
    if (sc.active) {
      const f = sim.compFn[c];
      const area = sim.fn.activeSoFar(f, sim.now);
      sc.active.push((area - sim.fnActive0[f]) / interval);
      if (commit) sim.fnActive0[f] = area;
    }
    if (sc.hits) {
      if (commit) {
        sc.hits.push(sim.ivHits[c]);
        sc.lookups!.push(sim.ivHits[c] + sim.ivMisses[c]);
        sim.ivHits[c] = 0; sim.ivMisses[c] = 0;
      } else {
        // counts, which the result divides by the whole interval: scaled to one, the rates hold
        const scale = sim.o.interval / interval;
        sc.hits.push(sim.ivHits[c] * scale);
        sc.lookups!.push((sim.ivHits[c] + sim.ivMisses[c]) * scale);
      }
    }
    if (!commit) continue;
    sim.ivBusy0[c] = busy; sim.ivQueue0[c] = queue; sim.ivCompl[c] = 0;
  }
  sim.svc.sampleBreakers(now, interval, s.components, commit);
  const inFlightArea = sim.inFlightArea + sim.inFlight * (now - sim.lastInFlight);
  s.inFlight.push((inFlightArea - sim.ivInFlight0) / interval);
  s.offered.push(sim.ivArrivals / interval);
  if (!commit) return;
  sim.ivInFlight0 = inFlightArea;
  sim.ivArrivals = 0;
}
