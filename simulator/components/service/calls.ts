// The kernel's side of a call to a service: admission by the called service's circuit breaker, the
// end of the call (counted for the breaker; retried after the service's backoff when its retry
// policy allows), the caller's timeout (the call runs on as an orphan), and a refused connection's
// retries. The breakers, budgets and backoff are the runtime's (runtime.ts). Plain functions over
// the replication's state (engine/simulation.ts): no closure or allocation per call.
import type { Replication } from "../../engine/simulation.ts";
import {
  ADMIT_PROBE, ADMIT_SHORT_CIRCUIT, C_TIMEOUTS, EV_RETRY, REP_SERVING, R_BACKEND_DOWN, R_CIRCUIT_OPEN, R_SVCTIMEOUT,
} from "../../engine/codes.ts";
import { FREE, ORPHAN, ZOMBIE } from "../../engine/task-table.ts";

/** The called service's breaker on a new call (components/service): false (and the caller failed) when it is short-circuited. */
export function admitCall(sim: Replication, t: number, svc: number): boolean {
  const a = sim.svc.admit(svc);
  sim.tProbe[t] = a === ADMIT_PROBE ? 1 : 0;
  if (a !== ADMIT_SHORT_CIRCUIT) return true;
  sim.fail(t, R_CIRCUIT_OPEN);
  return false;
}

/** A call's child has ended: counted for the breaker; retried (after the service's backoff) if allowed. True if retried. */
export function callEnded(sim: Replication, parent: number, callPc: number): boolean {
  const svc = sim.p.argB[callPc];
  const reason = sim.tChildFailure[parent];
  const probe = sim.tProbe[parent] !== 0;
  if (probe && sim.p.services[svc].breaker) sim.tProbe[parent] = 0;
  // Only a breaker counts calls (and needs the time, boxed when passed to a call not inlined).
  if (sim.p.services[svc].breaker) sim.svc.callEnded(svc, reason, probe, sim.now);
  const delay = sim.svc.retryDelay(svc, sim.tRetries[parent], reason);
  if (delay < 0) { sim.tRetries[parent] = 0; return false; }
  sim.tRetries[parent]++;
  sim.tChildFailure[parent] = 0;
  sim.cal.pushTime = sim.now + delay; sim.cal.pushAt(parent * 32 + EV_RETRY, 0);
  return true;
}

/** The caller stops waiting for a service call; the call itself runs on as an orphan. */
export function callTimeout(sim: Replication, t: number, gen: number): void {
  if (sim.tGen[t] !== gen || sim.tState[t] === FREE || sim.tState[t] === ZOMBIE) return;
  const parent = sim.tParent[t];
  if (parent < 0) return;
  sim.tParent[t] = -1;
  sim.tUser[t] = ORPHAN;
  if (sim.measuring) {
    const svcComp = sim.tHeldUnit[t] >= 0 ? sim.p.resources[sim.tHeldUnit[t]].component : -1;
    if (svcComp >= 0) sim.cStats[svcComp].counts[C_TIMEOUTS]++;
  }
  sim.notify(parent, R_SVCTIMEOUT);
}

/** A refused request's connect retries are over: serve it if its replica is back, else it fails. */
export function connectRetried(sim: Replication, t: number, g: number): void {
  if (sim.tKilled[t] !== 0) { sim.fail(t, sim.tKilled[t]); return; }
  if (sim.repState[g] === REP_SERVING) { sim.step(t); return; }
  sim.fail(t, R_BACKEND_DOWN);
}
