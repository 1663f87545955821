// A database's analytic form: each node (a shard's primary or replica) an M/G/c station of
// max_connections servers fed by the queries that go to it (analytic/traffic.ts spreads them by
// shard, then primary or replica), and each pool (per calling service replica) a group of
// pool.size connections held for the query; the entry sums the nodes, names the busiest node or
// pool as the peak and lists them as parts when there is more than one.
import type { DatabaseComponent } from "../../model/schema.ts";
import type { Traffic } from "../../analytic/traffic.ts";
import type { Times } from "../../analytic/times.ts";

/** The database's entry among the analytic estimate's components, and whether all its nodes and pools are stable. */
export function databaseAnalytic(c: DatabaseComponent, name: string, traffic: Traffic, times: Times) {
  let stable = true;
  const parts: Record<string, { utilization: number; throughput: number }> = {};
  let busy = 0, lambda = 0, peak = 0, waitSum = 0, respSum = 0;
  const per = (c.shards?.count ?? 1) * (1 + c.replicas);
  for (const n of traffic.nodes.values()) {
    if (n.component !== name) continue;
    const sol = times.node(n.id);
    stable &&= sol.stable;
    parts[n.part] = { utilization: sol.utilization, throughput: n.lambda };
    busy += n.ls; lambda += n.lambda; peak = Math.max(peak, sol.utilization);
    waitSum += n.lambda * sol.wait.mean; respSum += n.lambda * sol.wait.mean + n.ls;
  }
  const units = per * c.max_connections;
  let poolWait = 0, poolCalls = 0;
  for (const key of traffic.poolRate.keys()) {
    if (!key.startsWith(`${name}@`)) continue;
    const g = times.pool(name, key.slice(name.length + 1));
    stable &&= g.stable;
    poolWait += g.lambda * g.wait.mean; poolCalls += g.lambda;
    peak = Math.max(peak, g.utilization);
    parts[`${key.replace("@", ".pool@")}`] = { utilization: g.utilization, throughput: g.lambda };
  }
  const entry = {
    kind: c.kind, servers: units, throughput: lambda, utilization: busy / units, peakUtilization: peak,
    waitMs: lambda > 0 ? (waitSum / lambda) * 1000 : 0, responseMs: lambda > 0 ? (respSum / lambda) * 1000 : 0,
    ...(c.pool ? { poolWaitMs: poolCalls > 0 ? (poolWait / poolCalls) * 1000 : 0 } : {}),
    ...(Object.keys(parts).length > 1 ? { parts } : {}),
  };
  return { entry, stable };
}
