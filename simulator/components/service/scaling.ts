// The kernel's side of a service's autoscaler: the runtime (runtime.ts) decides, and these carry
// its commands out on the replicas the kernel owns (boot, drain, switch off, cooldown), feed it the
// pool's figures at each evaluation, and register a booted instance with its balancers. Plain
// functions over the replication's state (engine/simulation.ts), called on the scaler's own events.
import type { Replication } from "../../engine/simulation.ts";
import { drainLbTo } from "../load-balancer/backend-queue.ts";
import type { ScalerCommand } from "../../dynamics/autoscaler.ts";
import { EV_BOOTED, EV_COOLDOWN, REP_BOOTING, REP_DRAINING, REP_OFF, REP_SERVING } from "../../engine/codes.ts";

/** Evaluation tick of svc's autoscaler (components/service): the pool's busy slot-seconds, completions and serving replicas go to it. */
export function control(sim: Replication, svc: number): void {
  const sv = sim.p.services[svc];
  let busy = 0, done = 0, serving = 0;
  for (const r of sv.slots) {
    sim.touch(r);
    busy += sim.busyTotal[r] + sim.rStats[r].busyArea;
    done += sim.doneTotal[r];
    if (sim.repState[sim.p.replicaOf[r]] === REP_SERVING) serving++;
  }
  scale(sim, svc, sim.svc.control(svc, busy, done, serving, sim.now));
  sim.svc.scheduleControl(svc, sim.now);
}

/** Carries out svc's autoscaler commands on its replicas: provision (boot) or decommission (drain), or start a cooldown. */
export function scale(sim: Replication, svc: number, commands: readonly ScalerCommand[]): void {
  const sv = sim.p.services[svc];
  for (const c of commands) {
    if (c.kind === "cooldown") { sim.cal.push(sim.now + c.seconds, svc * 32 + EV_COOLDOWN, 0); continue; }
    let left = c.count;
    sim.svc.touchInstances(svc, sim.now);
    if (c.kind === "provision") {
      for (let k = 0; k < sv.slots.length && left > 0; k++) {
        const g = sim.p.replicaOf[sv.slots[k]];
        if (sim.repState[g] !== REP_OFF) continue;
        sim.repState[g] = REP_BOOTING;
        sim.lb.replicaChanged(g);
        sim.svc.instanceChange(svc, 1, sim.now);
        sim.cal.push(sim.now + sv.autoscaling!.boot, g * 32 + EV_BOOTED, 0);
        left--;
      }
    } else {
      // Scale in the newest serving replicas first; each drains its requests, then switches off.
      for (let k = sv.slots.length - 1; k >= 0 && left > 0; k--) {
        const g = sim.p.replicaOf[sv.slots[k]];
        if (sim.repState[g] !== REP_SERVING) continue;
        sim.repState[g] = REP_DRAINING;
        sim.lb.replicaChanged(g);
        left--;
        if (sim.busy[sv.slots[k]] === 0) switchOff(sim, g);
      }
    }
  }
}

export function booted(sim: Replication, g: number): void {
  if (sim.repState[g] === REP_BOOTING) sim.repState[g] = REP_SERVING;
  if (sim.repState[g] !== REP_SERVING) return;
  // A new instance is registered with every balancer in front of its pool.
  const svc = sim.repService[g];
  for (let b = 0; b < sim.p.balancers.length; b++) {
    const lb = sim.p.balancers[b];
    if (lb.service !== svc) continue;
    for (let k = 0; k < lb.replicas.length; k++) if (lb.replicas[k] === g) sim.lb.register(b, k);
  }
  sim.lb.replicaChanged(g);
  for (let b = 0; b < sim.p.balancers.length; b++) {
    const lb = sim.p.balancers[b];
    if (lb.service !== svc) continue;
    for (let k = 0; k < lb.replicas.length; k++) if (lb.replicas[k] === g) drainLbTo(sim, b, k);
  }
}

export function switchOff(sim: Replication, g: number): void {
  const svc = sim.repService[g];
  sim.svc.instanceChange(svc, -1, sim.now);
  sim.repState[g] = REP_OFF;
  sim.lb.replicaChanged(g);
}
