// The kernel's side of a function invocation: leaving its instance when it ends, the shared boots'
// next end, an instance's idle timer, and an invocation past its timeout. The instances themselves
// are the runtime's (runtime.ts); these move the tasks and push the events. Plain functions over
// the replication's state (engine/simulation.ts): no closure or allocation per invocation.
import type { Replication } from "../../engine/simulation.ts";
import { C_TIMEOUTS, EV_FN_BOOT, EV_FN_IDLE, EV_RESUME, R_SVCTIMEOUT } from "../../engine/codes.ts";
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
