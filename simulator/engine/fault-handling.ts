// The fault plan carried out during a run (the plan itself, compiled from the scenario's
// `failures:`, is fault-plan.ts): scheduling its entries, crashing and recovering service replicas,
// region outages, failing a database's primary, clearing a cache, and killing the tasks a fault
// takes down. Plain functions over the replication's state (engine/simulation.ts), called only
// when a fault event is popped: out of the hot loop, no closures.
import type { Replication } from "./simulation.ts";
import { flushLb, healthChange } from "../components/load-balancer/backend-queue.ts";
import { EV_FAULT, EV_RECOVER, REP_DOWN, REP_DRAINING, REP_SERVING, R_CRASH, R_DB_DOWN, R_REGION_DOWN } from "./codes.ts";
import { FREE, ORPHAN, RUNNING, SERVING, ZOMBIE } from "./task-table.ts";

// EV_FAULT / EV_RECOVER carry (failure index, replica) as arg and extra.
export function scheduleFailures(sim: Replication): void {
  sim.p.faults.forEach((f, i) => {
    if (f.kind === "region") { sim.cal.push(f.at, i * 32 + EV_FAULT, 0); sim.cal.push(f.at + f.for, i * 32 + EV_RECOVER, 0); return; }
    if (f.kind !== "random") { sim.cal.push(f.at, i * 32 + EV_FAULT, 0); return; }
    const sv = sim.p.services[f.service];
    for (let k = 0; k < sv.slots.length; k++) sim.cal.push(sim.now + f.mtbf * -Math.log(sim.faultRng[i]!.next()), i * 32 + EV_FAULT, k);
  });
}

export function fault(sim: Replication, i: number, k: number): void {
  const f = sim.p.faults[i];
  if (f.kind === "region") {
    regionOutage(sim, f.region, true);
  } else if (f.kind === "crash") {
    const g = sim.p.replicaOf[sim.p.services[f.service].slots[f.replica]];
    if (crash(sim, g) && f.restartAfter !== undefined) sim.cal.push(sim.now + f.restartAfter, i * 32 + EV_RECOVER, f.replica);
  } else if (f.kind === "random") {
    const g = sim.p.replicaOf[sim.p.services[f.service].slots[k]];
    // A replica that is off (scaled in) cannot fail; its next failure is drawn anyway.
    if (crash(sim, g)) sim.cal.push(sim.now + f.mttr * -Math.log(sim.faultRng[i]!.next()), i * 32 + EV_RECOVER, k);
    else sim.cal.push(sim.now + f.mtbf * -Math.log(sim.faultRng[i]!.next()), i * 32 + EV_FAULT, k);
  } else if (f.kind === "realtime_crash") {
    sim.realtime.crash(f.realtime, f.instance, f.restartAfter ?? Infinity, sim.now);
  } else if (f.kind === "fail_primary") {
    const db = sim.p.databases[f.database];
    const node = sim.db.failPrimary(f.database, f.shard);
    killAt(sim, node, R_DB_DOWN);
    // Synchronous writes waiting for the replicas' apply lose their connection now too.
    if (db.synchronous) {
      for (let x = 0; x < sim.nextId; x++) {
        if (sim.tState[x] !== FREE && sim.tState[x] !== ZOMBIE && sim.tDbPhase[x] === 3 && sim.tDbNode[x] === node && sim.tKilled[x] === 0) kill(sim, x, R_DB_DOWN);
      }
    }
    sim.cal.push(sim.now + f.promoteAfter, i * 32 + EV_RECOVER, 0);
  } else {
    // A cache node lost and replaced: it comes back empty, and every key misses once.
    sim.cache.clear(f.cache);
  }
}

export function recover(sim: Replication, i: number, k: number): void {
  const f = sim.p.faults[i];
  if (f.kind === "region") {
    regionOutage(sim, f.region, false);
  } else if (f.kind === "crash" || f.kind === "random") {
    const g = sim.p.replicaOf[sim.p.services[f.service].slots[k]];
    if (sim.repState[g] !== REP_DOWN) return;
    sim.repState[g] = REP_SERVING;
    sim.lb.replicaChanged(g);
    healthChange(sim, g, 1);
    if (f.kind === "random") sim.cal.push(sim.now + f.mtbf * -Math.log(sim.faultRng[i]!.next()), i * 32 + EV_FAULT, k);
  } else if (f.kind === "fail_primary") {
    // Promotion: the first replica that is up becomes the shard's primary; the old one stays out.
    sim.db.promote(f.database, f.shard);
  }
}

/** A replica crashes: its queued and in-flight requests fail now. False if it was not running. */
export function crash(sim: Replication, g: number, reason = R_CRASH): boolean {
  const st = sim.repState[g];
  if (st !== REP_SERVING && st !== REP_DRAINING) return false;
  sim.repState[g] = REP_DOWN;
  sim.lb.replicaChanged(g);
  const slot = sim.repSlot[g];
  killAt(sim, slot, reason);
  for (let t = 0; t < sim.nextId; t++) {
    if (sim.tState[t] !== FREE && sim.tState[t] !== ZOMBIE && sim.tHeldUnit[t] === slot && sim.tKilled[t] === 0) kill(sim, t, reason);
  }
  healthChange(sim, g, 0);
  return true;
}

/**
 * A whole region goes down (or comes back): every component in it refuses work, its replicas
 * crash as instances do (their balancers' health checks notice), requests waiting or being served
 * there and those holding its connections fail with region_down, and its caches come back cold.
 */
export function regionOutage(sim: Replication, region: number, down: boolean): void {
  const p = sim.p;
  sim.regionDown[region] = down ? 1 : 0;
  for (let c = 0; c < p.components.length; c++) {
    if (p.componentRegion[c] !== region) continue;
    sim.compDown[c] = down ? 1 : 0;
    for (const r of p.components[c].resources) sim.resDown[r] = down ? 1 : 0;
  }
  for (let g = 0; g < sim.repState.length; g++) {
    if (p.componentRegion[p.services[sim.repService[g]].component] !== region) continue;
    if (down) {
      if (crash(sim, g, R_REGION_DOWN)) sim.repRegionDown[g] = 1;
    } else if (sim.repRegionDown[g] !== 0) {
      sim.repRegionDown[g] = 0;
      if (sim.repState[g] !== REP_DOWN) continue;
      sim.repState[g] = REP_SERVING;
      sim.lb.replicaChanged(g);
      healthChange(sim, g, 1);
    }
  }
  if (!down) {
    for (let c = 0; c < p.caches.length; c++) if (p.componentRegion[p.caches[c].component] === region) sim.cache.clear(c);
    return;
  }
  for (let c = 0; c < p.components.length; c++) {
    if (p.componentRegion[c] !== region) continue;
    for (const r of p.components[c].resources) killAt(sim, r, R_REGION_DOWN);
  }
  for (let b = 0; b < p.balancers.length; b++) if (p.componentRegion[p.balancers[b].component] === region) flushLb(sim, b);
  // Connections and units held in the region (balancer connections, slots, pools, workers).
  for (let t = 0; t < sim.nextId; t++) {
    if (sim.tState[t] === FREE || sim.tState[t] === ZOMBIE || sim.tKilled[t] !== 0) continue;
    const a = sim.tLbConn[t], b = sim.tHeldUnit[t], c = sim.tPoolConn[t];
    if ((a >= 0 && sim.resDown[a]) || (b >= 0 && sim.resDown[b]) || (c >= 0 && sim.resDown[c])) kill(sim, t, R_REGION_DOWN);
  }
}

/** Fails every task waiting at resource r and marks those in service there. */
export function killAt(sim: Replication, r: number, reason: number): void {
  let t: number;
  while ((t = sim.dequeue(r)) >= 0) {
    sim.tState[t] = RUNNING;
    sim.tWaitGen[t]++;
    sim.fail(t, reason);
  }
  for (let x = 0; x < sim.nextId; x++) {
    if (sim.tState[x] === SERVING && sim.tResource[x] === r && sim.tKilled[x] === 0) kill(sim, x, reason);
  }
}

/** The caller learns of the failure now; the task itself stops at its next step. */
export function kill(sim: Replication, t: number, reason: number): void {
  sim.tKilled[t] = reason;
  const parent = sim.tParent[t];
  if (parent >= 0 && sim.tMsg[t] < 0) {
    sim.tParent[t] = -1;
    sim.tUser[t] = ORPHAN;
    sim.notify(parent, reason);
  }
}
