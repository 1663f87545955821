// The geo routes' choice over one replication: for a request from a given origin, the first entry
// in the origin's order that can serve: its component's region is up, and its service has a replica
// serving (as its balancer's health checks see it, if it has one). It reads the kernel's live
// arrays (components down, replica states) and the balancers' view, and keeps no state of its own.
// The kernel runs OP_GEO: it fails the request when no entry can serve, marks the request and its
// ancestors as failed over when the entry is not the first in the order (the origin's figure), and
// jumps to the entry's arm. Methods take and return numbers and allocate nothing.
import { REP_SERVING } from "../../engine/codes.ts";
import type { BalancerRuntime } from "../load-balancer/index.ts";
import type { RuntimeContext } from "../kind.ts";
import type { GeoSpec } from "./compile.ts";

export class GeoRuntime {
  private readonly compDown: Uint8Array;
  private readonly repState: Uint8Array;

  constructor(private readonly specs: readonly GeoSpec[], ctx: RuntimeContext, private readonly lb: BalancerRuntime) {
    this.compDown = ctx.kernel.componentDown;
    this.repState = ctx.kernel.replicaState;
  }

  /** The position, in origin `origin`'s order of geo route `geo`, of the entry to use; -1 when none can serve. */
  pick(geo: number, origin: number): number {
    const spec = this.specs[geo];
    const order = spec.order[origin];
    for (let i = 0; i < order.length; i++) {
      const k = order[i];
      if (this.compDown[spec.targets[k]] !== 0 || !this.hasServing(spec, k)) continue;
      return i;
    }
    return -1;
  }

  /** The entry at position i of origin `origin`'s order (an index into the route's arms). */
  entry(geo: number, origin: number, i: number): number {
    return this.specs[geo].order[origin][i];
  }

  /** Whether entry k's service has a replica serving (as its balancer's health checks see it, if any). */
  private hasServing(spec: GeoSpec, k: number): boolean {
    if (this.compDown[spec.serviceComponents[k]] !== 0) return false;
    const reps = spec.replicas[k];
    const b = spec.balancers[k];
    for (let j = 0; j < reps.length; j++) {
      if (this.repState[reps[j]] === REP_SERVING && (b < 0 || this.lb.sees(b, j))) return true;
    }
    return false;
  }
}
