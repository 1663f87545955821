// How big a run is before it starts: expected events from the load and the visits per request, so
// the page can ask before starting a run that would take minutes instead of freezing for them.
import { meanOf, runWindow, visitRatios, type Scenario } from "../../simulator/index.ts";

/** Runs estimated above this many events ask for confirmation (about 20-40 s in a worker here). */
export const EVENT_BUDGET = 40_000_000;

/** Expected requests arriving over all replications. */
export function expectedArrivals(s: Scenario): number {
  const w = runWindow(s);
  const load = s.load;
  let perRep: number;
  if (load.model === "open") {
    if (load.rate !== undefined && !load.stages) perRep = load.rate * w.duration;
    else {
      // Integrate the stage profile; linear stages by their mean level, sine by its midline.
      let t = 0, level = load.start_rate, sum = 0;
      for (const st of load.stages ?? []) {
        const d = Math.min(st.duration, Math.max(0, w.duration - t));
        if (st.shape === "sine") sum += (((st.min ?? 0) + (st.max ?? 0)) / 2) * d;
        else if (st.shape === "step") { level = st.target ?? level; sum += level * d; }
        else { const to = st.target ?? level; sum += ((level + to) / 2) * d; level = to; }
        t += st.duration;
      }
      if (w.duration > t) sum += (load.rate ?? level) * (w.duration - t);
      perRep = sum;
    }
  } else {
    // Closed: each user issues at most one request per think time (plus some service); bound it.
    let users = load.users ?? 0;
    for (const st of load.stages ?? []) users = Math.max(users, st.target);
    const cycle = Math.max(meanOf(load.think), 0.001);
    perRep = (users * w.duration) / cycle;
  }
  return perRep * w.replications;
}

/** Events: one arrival per request plus one service completion per station visit (a request that
 * finds a free server starts at once, without an event of its own). */
export function expectedEvents(s: Scenario): number {
  const visits = visitRatios(s);
  const classes = Object.entries(s.load.classes);
  const totalWeight = classes.reduce((a, [, c]) => a + c.weight, 0);
  let perRequest = 0;
  for (const [name, c] of classes) {
    const v = Object.values(visits[name] ?? {}).reduce((a, x) => a + x, 0);
    perRequest += (c.weight / totalWeight) * (1 + Math.max(v, 1));
  }
  return expectedArrivals(s) * perRequest;
}
