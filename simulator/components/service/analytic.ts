// A service's analytic form: its replicas' slots as one c-server group (c = replicas x
// concurrency) whose service time is the whole handler a slot is held for, downstream calls
// included (the method of surrogates; analytic/times.ts solves the group, `slots`). Autoscaling,
// retries and breakers are left out (the configured replicas are used; solve.ts notes it).
import type { ServiceComponent } from "../../model/schema.ts";
import type { Moments } from "../../analytic/station.ts";

/** The service's entry among the analytic estimate's components, from its slot group's rate, holding time and wait. */
export function serviceAnalytic(c: ServiceComponent, g: { lambda: number; holding: Moments; wait: Moments }) {
  const u = (g.lambda * g.holding.mean) / (c.replicas * c.concurrency);
  return {
    kind: c.kind, servers: c.replicas * c.concurrency, throughput: g.lambda, utilization: u, peakUtilization: u,
    waitMs: g.wait.mean * 1000, responseMs: (g.wait.mean + g.holding.mean) * 1000,
  };
}
