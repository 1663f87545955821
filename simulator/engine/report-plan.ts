// What the result needs of the scenario beyond the run's counters, taken at compile time so
// buildResult reads the Program alone: the scenario's name and description, the origins' shares,
// each priced component's prices and fixed instance count, and the SLO to check.
import type { Scenario } from "../model/schema.ts";
import { originShares } from "../model/regions.ts";
import { GB } from "../components/function/index.ts";

/** A component with a `cost:` section. */
export interface PriceSpec {
  readonly kind: string;
  /** Instances it bills for when not auto-scaled (instancesOf). */
  readonly instances: number;
  readonly instanceHour: number;
  readonly millionRequests: number;
  /** Functions: the price of one instance starting or working for an hour (memory x gb_second x 3600). */
  readonly activeInstanceHour?: number;
  /** Functions: the provisioned instances' hourly price (kept warm whether used or not). */
  readonly fixedHour?: number;
}

export interface ReportSpec {
  readonly name: string;
  readonly description: string | null;
  /** Per origin, in the Program's origin order: its region (undefined without regions) and share of the users. */
  readonly originShares: ReadonlyArray<{ readonly region: string | undefined; readonly share: number }>;
  /** Priced components by name, in the scenario's component order. */
  readonly prices: ReadonlyMap<string, PriceSpec>;
  readonly slo: Scenario["slo"];
}

/** Instances a component bills for: replicas, database nodes, queue consumers, else one. */
export function instancesOf(c: Scenario["components"][string]): number {
  switch (c.kind) {
    case "service": return c.replicas;
    case "database": return (c.shards?.count ?? 1) * (1 + c.replicas);
    case "queue": return c.partitions ?? c.workers;
    case "cdn": return 0;
    case "function": return c.provisioned;
    case "realtime": return c.instances;
    default: return 1;
  }
}

export function compileReport(scenario: Scenario): ReportSpec {
  const prices = new Map<string, PriceSpec>();
  for (const [name, c] of Object.entries(scenario.components)) {
    if (!c.cost) continue;
    if (c.kind === "function") {
      const gb = c.memory / GB;
      prices.set(name, {
        kind: c.kind, instances: 0, instanceHour: 0, millionRequests: c.cost.million_requests ?? 0,
        activeInstanceHour: gb * 3600 * (c.cost.gb_second ?? 0), fixedHour: c.provisioned * gb * 3600 * (c.cost.provisioned_gb_second ?? 0),
      });
      continue;
    }
    prices.set(name, { kind: c.kind, instances: instancesOf(c), instanceHour: c.cost.instance_hour ?? 0, millionRequests: c.cost.million_requests ?? 0 });
  }
  return { name: scenario.name, description: scenario.description ?? null, originShares: originShares(scenario), prices, slo: scenario.slo };
}
