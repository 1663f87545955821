// A service's result section: its calls that timed out at the caller, how callers fared with
// retries and the circuit breaker, its time-average instances (booting, serving, draining), for an
// auto-scaled pool the utilization over the slots of the instances that existed (in place of the
// common figure over the maximum pool) and its servers at the maximum, and with a breaker the
// share of the window in each breaker state.
import { C_BREAKER_OPENED, C_BUDGET_DENIED, C_RETRIES, C_SHORT_CIRCUITED, C_TIMEOUTS } from "../../engine/codes.ts";
import { estimate, type Estimate } from "../../engine/stats.ts";
import type { ReplicationResult } from "../../engine/simulation.ts";
import { BREAKER_CLOSED, BREAKER_HALF_OPEN, BREAKER_OPEN } from "../../dynamics/circuit-breaker.ts";
import type { ResultContext } from "../kind.ts";

/**
 * A called service's circuit breaker over the statistics window: the share of the window it spent
 * closed, open and half-open (per replication; the three add up to 1) and the times it opened
 * (from closed, or again after a failed probe) per replication. The model keeps one breaker per
 * called service, shared by all its callers, so this is also the breaker of every edge into it.
 * Its share open per interval is in the series (components.<name>.breakerOpenShare).
 */
export interface BreakerResult {
  readonly closedShare: Estimate;
  readonly openShare: Estimate;
  readonly halfOpenShare: Estimate;
  readonly openings: Estimate;
}

export function serviceResult({ reps, component: ci, program: p }: ResultContext): Record<string, unknown> {
  const counts = (i: number) => reps.reduce((a, rep) => a + rep.components[ci].counts[i], 0);
  const res: Record<string, unknown> = {
    timeouts: counts(C_TIMEOUTS),
    resilience: { retries: counts(C_RETRIES), retryBudgetDenied: counts(C_BUDGET_DENIED), shortCircuited: counts(C_SHORT_CIRCUITED), breakerOpened: counts(C_BREAKER_OPENED) },
    instances: estimate(reps.map((rep) => rep.components[ci].instanceArea / rep.window)),
  };
  const sv = p.services.find((x) => x.component === ci);
  if (sv?.autoscaling) {
    // Busy slots over the slots of the instances that existed, not of the maximum pool.
    const perInstance = p.resources[sv.slots[0]].units;
    res.utilization = estimate(reps.map((rep) => {
      const busy = sv.slots.reduce((a, r) => a + rep.resources[r].busyArea, 0);
      return busy / (perInstance * rep.components[ci].instanceArea);
    }));
    res.servers = perInstance * sv.autoscaling.max;
  }
  if (sv?.breaker) res.breaker = breakerResult(reps, ci);
  return res;
}

function breakerResult(reps: readonly ReplicationResult[], ci: number): BreakerResult {
  const share = (state: number) => estimate(reps.map((rep) => (rep.window > 0 ? rep.components[ci].breakerSeconds![state] / rep.window : NaN)));
  return {
    closedShare: share(BREAKER_CLOSED),
    openShare: share(BREAKER_OPEN),
    halfOpenShare: share(BREAKER_HALF_OPEN),
    openings: estimate(reps.map((rep) => rep.components[ci].counts[C_BREAKER_OPENED])),
  };
}
