// The kernel's side of a function invocation: leaving its instance when it ends, the shared boots'
// next end, an instance's idle timer, and an invocation past its timeout. The instances themselves
// are the runtime's (runtime.ts); these move the tasks and push the events. Plain functions over
// the replication's state (engine/simulation.ts): no closure or allocation per invocation.
import type { Replication } from "../../engine/simulation.ts";
import { C_FN_COLD, C_FN_WARM, C_TIMEOUTS, EV_FN_BOOT, EV_FN_IDLE, EV_FN_READY, EV_FN_TIMEOUT, EV_RESUME, R_SVCTIMEOUT, R_THROTTLED } from "../../engine/codes.ts";
import { FREE, ORPHAN, ZOMBIE } from "../../engine/task-table.ts";

/**
 * Function invocation t leaves its instance (before its slot is handed on, so an invocation
 * queued for the slot finds sim instance warm); a completed one records its time at the
 * function, cold or warm.
 */
export function fnDone(sim: Replication, t: number, ok: boolean): void {
  const i = sim.tFnInst[t];
  sim.tFnInst[t] = -1;
  const f = sim.fn.functionOf(i);
  if (ok && sim.measuring) sim.fn.record(f, sim.now - sim.tFnSince[t], sim.tFnCold[t]);
  fnIdleAt(sim, i, sim.fn.release(i, sim.now));
}

/** Function f's next shared boot end, at the present sharing (an earlier one scheduled becomes stale). */
export function fnNextBoot(sim: Replication, f: number): void {
  const at = sim.fn.nextBootEnd(f, sim.now);
  const gen = ++sim.fn.bootGen[f];
  if (at >= 0) sim.cal.push(at, f * 32 + EV_FN_BOOT, gen);
}

/** Function f's next shared boot ended: its instance takes work, its waiting invocations go on (in the order they came), the next end is scheduled. */
export function fnBootEnded(sim: Replication, f: number): void {
  const fn = sim.fn;
  const i = fn.bootEnded(f, sim.now);
  fnIdleAt(sim, i, fn.ready(i, sim.now));
  // the waiters were linked last first: reverse them so they resume first come, first served
  let t = fn.waitHead[i], rev = -1;
  fn.waitHead[i] = -1;
  while (t >= 0) { const nx = sim.tFnNext[t]; sim.tFnNext[t] = rev; rev = t; t = nx; }
  for (t = rev; t >= 0; t = sim.tFnNext[t]) { sim.cal.pushTime = sim.now; sim.cal.pushAt(t * 32 + EV_RESUME, 0); }
  fnNextBoot(sim, f);
}

/** Schedules instance i's idle timer at `at` (-1: none needed). */
export function fnIdleAt(sim: Replication, i: number, at: number): void {
  if (at >= 0) sim.cal.push(at, i * 32 + EV_FN_IDLE, 0);
}

/**
 * Invocation t ran past the function's timeout: its caller fails now (service_timeout) and the
 * invocation stops at its next step, giving its instance back then.
 */
export function fnTimeout(sim: Replication, t: number, gen: number): void {
  if (sim.tGen[t] !== gen || sim.tState[t] === FREE || sim.tState[t] === ZOMBIE || sim.tFnInst[t] < 0 || sim.tKilled[t] !== 0) return;
  if (sim.measuring) sim.cStats[sim.p.functions[sim.fn.functionOf(sim.tFnInst[t])].component].counts[C_TIMEOUTS]++;
  sim.tKilled[t] = R_SVCTIMEOUT;
  const parent = sim.tParent[t];
  if (parent >= 0) {
    sim.tParent[t] = -1;
    sim.tUser[t] = ORPHAN;
    sim.notify(parent, R_SVCTIMEOUT);
  }
}

/**
 * OP_FN_START: invocation t takes an instance of function argA (warm, cold or joining one that
 * starts), or fails (throttled). True when it goes on at once (its pc moved on); false when it
 * waits for the instance or failed.
 */
export function fnStart(sim: Replication, t: number, pc: number): boolean {
  const p = sim.p;
  const f = p.argA[pc];
  const fn = sim.fn;
  const i = fn.assign(f, sim.now);
  if (i < 0) { sim.fail(t, R_THROTTLED); return false; }
  sim.tFnInst[t] = i;
  sim.tFnCold[t] = fn.cold;
  if (sim.measuring) sim.cStats[p.functions[f].component].counts[fn.cold ? C_FN_COLD : C_FN_WARM]++;
  const timeout = p.functions[f].timeout;
  if (timeout !== Infinity) { sim.cal.pushTime = sim.now + timeout; sim.cal.pushLane(sim.laneFn + f, t * 32 + EV_FN_TIMEOUT, sim.tGen[t]); }
  if (fn.shared) {
    // Shared boots: wait on the instance (woken when its boot ends); a start reschedules
    // the function's next boot end, since it slows the others down.
    sim.tFnNext[t] = fn.waitHead[i];
    fn.waitHead[i] = t;
    if (fn.started) fnNextBoot(sim, f);
    return false;
  }
  if (fn.cold) {
    // A new instance starts (or the one this joins is still starting): go on once it is up.
    if (fn.started) sim.cal.push(fn.readyAt[i], i * 32 + EV_FN_READY, 0);
    sim.cal.pushTime = fn.readyAt[i]; sim.cal.pushAt(t * 32 + EV_RESUME, 0);
    return false;
  }
  sim.tPc[t] = pc + 1;
  return true;
}
