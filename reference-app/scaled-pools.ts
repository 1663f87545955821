// Which service pools the reference app auto-scales, and through which balancer. In the model a
// service's `autoscaling` acts on that service's replicas wherever it sits in the call graph; the app
// realizes it for every auto-scaled service behind a balancer of its own, one scaler each
// (scaling.ts), because a new replica joins its callers through HAProxy's runtime API (enabled in
// the balancer's stats socket). What it cannot hold is refused here, by field, before anything
// starts: no balancer in front (nothing a new replica could join), several balancers in front (the
// scaler enables a replica in one HAProxy), and callers that reach the pool's replicas straight
// (their round robin over the replicas running at the start would never see a new one).
// Pure and synchronous, like the rest of the planning.
import type { LbPlan, PlanIssue, ScalingPlan, ServicePlan } from "./plan.ts";

/** An auto-scaled service pool and the balancer its new replicas join. */
export interface ScaledPool {
  readonly service: ServicePlan;
  readonly scaling: ScalingPlan;
  /** The balancer whose backends the pool is (its HAProxy's server s<i> is place i). */
  readonly balancer: LbPlan;
}

const fronting = (name: string, balancers: readonly LbPlan[]) => balancers.filter((b) => b.backends === name && !b.implicit);

/** Every auto-scaled service of the plan with its balancer, in the plan's service order (the entry first). */
export function scaledPools(plan: { readonly services: readonly ServicePlan[]; readonly balancers: readonly LbPlan[] }): ScaledPool[] {
  const out: ScaledPool[] = [];
  for (const service of plan.services) {
    if (!service.autoscaling) continue;
    const [balancer] = fronting(service.name, plan.balancers);
    // scaledPoolIssues refuses a plan where this is missing; a plan that passed always has one
    if (balancer) out.push({ service, scaling: service.autoscaling, balancer });
  }
  return out;
}

/** Why an auto-scaled pool cannot be realized: one issue per pool at most, on its `autoscaling` field. */
export function scaledPoolIssues(services: readonly ServicePlan[], balancers: readonly LbPlan[]): PlanIssue[] {
  const issues: PlanIssue[] = [];
  for (const sp of services) {
    if (!sp.autoscaling) continue;
    const field = `components.${sp.name}.autoscaling`;
    const lbs = fronting(sp.name, balancers);
    const direct = services.filter((c) => c.name !== sp.name && c.calls.includes(sp.name)).map((c) => c.name);
    if (lbs.length === 0) {
      issues.push({ field, reason: "auto-scaling needs a load_balancer in front of the service (new replicas join it through HAProxy's runtime API)" });
    } else if (lbs.length > 1) {
      issues.push({ field, reason: `auto-scaling of a service behind several balancers (${lbs.map((b) => b.name).join(", ")}) is not realized (the scaler enables a new replica in one HAProxy)` });
    } else if (direct.length > 0) {
      issues.push({ field, reason: `${direct.map((n) => `'${n}'`).join(", ")} call${direct.length === 1 ? "s" : ""} '${sp.name}' straight, not through '${lbs[0]!.name}': a replica the scaler starts would not join ${direct.length === 1 ? "its" : "their"} round robin` });
    }
  }
  return issues;
}
