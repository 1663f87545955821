// "What would move the bottleneck": the one-field change to the bottleneck component that adds
// capacity where it is short (a server, a replica, a worker), written into the YAML as the user
// would write it, and the before/after figures of a what-if run of that text (same seed, so the
// difference is the change, not the noise). Kinds with no single capacity field say why instead.
import type { Scenario, SimResult } from "../../simulator/index.ts";
import { setField } from "./yaml-edit.ts";

export interface Move {
  readonly component: string;
  readonly path: ReadonlyArray<string>;
  readonly from: number;
  readonly to: number;
  /** e.g. "+1 replica" */
  readonly label: string;
}

export type Proposal = { readonly move: Move } | { readonly none: string };

/** The change proposed for the result's bottleneck in scenario `s` (the same model). */
export function proposeMove(s: Scenario, result: SimResult): Proposal | null {
  const name = result.bottleneck;
  if (!name) return null;
  const c = s.components[name] as Record<string, any> | undefined;
  if (!c) return null;
  const move = (field: string[], from: number, unit: string): Proposal => ({
    move: { component: name, path: ["components", name, ...field], from, to: from + 1, label: `+1 ${unit}` },
  });
  switch (c.kind) {
    case "station":
      return move(["servers"], c.servers, "server");
    case "service":
      return c.autoscaling ? move(["autoscaling", "max"], c.autoscaling.max, "replica at the autoscaler's max") : move(["replicas"], c.replicas, "replica");
    case "queue":
      return move(["workers"], c.workers, "worker");
    case "function":
      return move(["max_instances"], c.max_instances, "instance at the function's max_instances");
    case "load_balancer":
      return c.maxconn !== undefined ? move(["maxconn"], c.maxconn, "connection per backend (maxconn)") : { none: `${name} forwards without a connection limit: its backends are the capacity` };
    case "database":
      if (c.read_from !== "primary") return move(["replicas"], c.replicas, "read replica");
      if (c.shards) return move(["shards", "count"], c.shards.count, "shard");
      return { none: `${name} serves every query on its primary: read from replicas (read_from) or shard it to add capacity` };
    case "realtime":
      // more instances need the pub/sub backbone between them (a scenario error without one)
      return c.backbone || (c.instances ?? 1) > 1 ? move(["instances"], c.instances ?? 1, "instance") : { none: `${name} runs one instance without a backbone: add backbone: { service: 100us } to run more instances, or raise max_connections` };
    default:
      return { none: `${name} (${c.kind}) has no single capacity field to raise` };
  }
}

/** The scenario text with the move applied (a field set in place, comments and layout kept). */
export function applyMove(text: string, m: Move): string {
  return setField(text, m.path, String(m.to));
}

export interface MoveOutcome {
  /** worst class's p95 before and after (ms) */
  readonly p95: readonly [number, number];
  /** the moved component's utilization before and after */
  readonly utilization: readonly [number, number];
  /** the bottleneck after the move (may be another component) */
  readonly nextBottleneck: string | null;
  readonly sloBefore: boolean | null;
  readonly sloAfter: boolean | null;
}

const worstP95 = (r: SimResult) => Math.max(...Object.values(r.classes).map((c) => c.latencyMs.p95.mean));

export function outcome(before: SimResult, after: SimResult, m: Move): MoveOutcome {
  return {
    p95: [worstP95(before), worstP95(after)],
    utilization: [before.components[m.component]?.utilization.mean ?? NaN, after.components[m.component]?.utilization.mean ?? NaN],
    nextBottleneck: after.bottleneck,
    sloBefore: before.slo ? before.slo.pass : null,
    sloAfter: after.slo ? after.slo.pass : null,
  };
}
