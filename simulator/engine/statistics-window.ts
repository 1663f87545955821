// The statistics window's bookkeeping: when the warm-up ends (EV_WARMUP) every running area is
// brought up to now and restarted, the counters start, and the live requests are counted (also at
// the end of the run, for the accounting check arrived + live at warm-up = completed + ended + live
// at the end). Plain functions over the replication's state (engine/simulation.ts), called once or
// twice per run.
import type { Replication } from "./simulation.ts";
import { FREE, ORPHAN, ZOMBIE } from "./task-table.ts";

/** Top-level requests alive now, per class, by a scan of the task pool (calls, orphans and messages excluded). */
export function countLive(sim: Replication, out: Float64Array): void {
  out.fill(0);
  for (let t = 0; t < sim.nextId; t++) {
    const st = sim.tState[t];
    if (st === FREE || st === ZOMBIE || sim.tMsg[t] >= 0 || sim.tParent[t] >= 0 || sim.tUser[t] === ORPHAN) continue;
    out[sim.tCls[t]]++;
  }
}

export function startMeasuring(sim: Replication): void {
  sim.edgeSent.fill(0);
  sim.tables.atWarmup();
  countLive(sim, sim.live.atWarmup);
  if (sim.p.realtimes.length > 0) sim.realtime.startMeasuring(sim.now);
  for (let r = 0; r < sim.p.resources.length; r++) {
    sim.touch(r);
    const st = sim.rStats[r];
    sim.busyTotal[r] += st.busyArea; sim.queueTotal[r] += st.queueArea;
    st.busyArea = 0; st.queueArea = 0;
  }
  for (let b = 0; b < sim.p.balancers.length; b++) {
    sim.lb.touch(b, sim.now);
    sim.cStats[sim.p.balancers[b].component].queueArea = 0;
  }
  sim.svc.startMeasuring(sim.now);
  sim.fn.startMeasuring(sim.now);
  sim.touchInFlight();
  sim.ivInFlight0 -= sim.inFlightArea;
  sim.inFlightArea = 0;
  sim.links.startMeasuring(sim.now);
  sim.measuring = true;
}
