// The kernel's side of a load balancer: a task moved into the balancer's backend queue and out of
// it, the backend connection taken, a queue timeout, a region's queue flushed, and the health
// checks' verdicts scheduled and applied. The choices (algorithm, queue, health view, rate limit)
// are the runtime's (runtime.ts). Plain functions over the replication's state
// (engine/simulation.ts): no closure or allocation per request.
import type { Replication } from "../../engine/simulation.ts";
import { C_TIMEOUTS, EV_DETECT, EV_TIMEOUT, REP_DOWN, REP_SERVING, R_LBTIMEOUT, R_REGION_DOWN } from "../../engine/codes.ts";
import { RUNNING, WAITING, ZOMBIE } from "../../engine/task-table.ts";
import { hop } from "../../engine/hop-times.ts";

/**
 * Every balancer with health checks in front of the replica's pool sees it go down or come up a
 * few of its own check intervals later; a balancer without checks keeps sending to it (refused).
 * EV_DETECT carries the replica as arg and balancer * 2 + up as extra.
 */
export function healthChange(sim: Replication, g: number, up: number): void {
  const svc = sim.repService[g];
  for (let b = 0; b < sim.p.balancers.length; b++) {
    const lb = sim.p.balancers[b];
    if (lb.service !== svc || !lb.health) continue;
    sim.cal.push(sim.now + sim.lb.checkDelay(b, up), g * 32 + EV_DETECT, b * 2 + up);
  }
}

export function detected(sim: Replication, g: number, extra: number): void {
  const b = extra >> 1, up = extra & 1;
  const st = sim.repState[g];
  // Only a verdict that still holds is applied: a replica back up before the checks noticed stays in.
  if (up === 1 && st === REP_DOWN) return;
  if (up === 0 && st !== REP_DOWN) return;
  const lb = sim.p.balancers[b];
  for (let k = 0; k < lb.replicas.length; k++) {
    if (lb.replicas[k] !== g) continue;
    sim.lb.verdict(b, k, up);
    if (up === 1 && st === REP_SERVING) drainLbTo(sim, b, k);
  }
}

/** Requests queued at balancer b can start on its backend k at once (it came up or was seen up). */
export function drainLbTo(sim: Replication, b: number, k: number): void {
  const lb = sim.lb;
  while (lb.queued(b) > 0 && lb.open(b, k)) {
    const before = lb.queued(b);
    dispatchLb(sim, b, k);
    if (lb.queued(b) === before) break;
  }
}

/** HAProxy-like server choice among the backends that are below maxconn; queue when none is. */
export function balance(sim: Replication, t: number, b: number): void {
  const k = sim.lb.choose(b, sim.tKey[t]);
  if (k >= 0) { connect(sim, t, b, k, 0); return; }
  sim.lb.enqueue(b, t, sim.now, sim.measuring);
  sim.tState[t] = WAITING;
  sim.tResource[t] = -2 - b;
  sim.tEnqueued[t] = sim.now;
  sim.tInRing[t] = 1;
  sim.cal.pushTime = sim.now + sim.p.balancers[b].queueTimeout; sim.cal.pushLane(sim.laneLb + b, t * 32 + EV_TIMEOUT, sim.tWaitGen[t]);
}

export function connect(sim: Replication, t: number, b: number, k: number, waited: number): void {
  const lb = sim.p.balancers[b];
  const r = lb.conns[k];
  sim.touch(r);
  sim.busy[r]++;
  sim.lb.picked(b, k);
  if (sim.measuring) {
    sim.rStats[r].arrivals++;
    sim.rStats[r].wait.record(waited);
    if (waited > 0) sim.rStats[r].waited++;
    sim.cStats[lb.component].latency.record(waited);
  }
  if (sim.hops) hop(sim, t, lb.component, 0, waited);
  sim.tState[t] = RUNNING;
  sim.tLbConn[t] = r;
  sim.tLbConnSince[t] = sim.now;
  sim.tBackend[t] = k;
  sim.tPc[t]++;
  sim.step(t);
}

/** A backend connection came free: a request waiting in that balancer's queue may now go. */
export function onUnitFree(sim: Replication, r: number): void {
  const b = sim.connLb[r];
  if (b >= 0) dispatchLb(sim, b, r - sim.p.balancers[b].conns[0]);
}

/** Hands the head of balancer b's queue to backend k if it is open, else to any open backend. */
export function dispatchLb(sim: Replication, b: number, k: number): void {
  const lb = sim.lb;
  while (lb.queued(b) > 0) {
    const t = lb.first(b);
    if (sim.tState[t] === ZOMBIE || sim.tState[t] !== WAITING) {
      lb.shift(b);
      sim.tInRing[t] = 0;
      if (sim.tState[t] === ZOMBIE) { sim.reclaim(t); }
      continue;
    }
    const to = lb.open(b, k) ? k : lb.choose(b, sim.tKey[t]);
    if (to < 0) return;
    lb.shift(b);
    sim.tInRing[t] = 0;
    lb.leave(b, sim.now);
    sim.tWaitGen[t]++;
    connect(sim, t, b, to, sim.now - sim.tEnqueued[t]);
    return;
  }
}

/** Fails every request waiting in balancer b's queue (its region went down). */
export function flushLb(sim: Replication, b: number): void {
  const lb = sim.lb;
  while (lb.queued(b) > 0) {
    const t = lb.first(b);
    lb.shift(b);
    sim.tInRing[t] = 0;
    if (sim.tState[t] === ZOMBIE) { sim.reclaim(t); continue; }
    if (sim.tState[t] !== WAITING) continue;
    lb.leave(b, sim.now);
    sim.tState[t] = RUNNING;
    sim.tWaitGen[t]++;
    sim.fail(t, R_REGION_DOWN);
  }
}

export function lbTimeout(sim: Replication, t: number, b: number): void {
  sim.lb.leave(b, sim.now);
  sim.tState[t] = RUNNING;
  sim.tWaitGen[t]++;
  if (sim.measuring) sim.cStats[sim.p.balancers[b].component].counts[C_TIMEOUTS]++;
  sim.fail(t, R_LBTIMEOUT);
}
