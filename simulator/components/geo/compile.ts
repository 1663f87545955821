// A geo route's compile step and its flow step. A geo route (the scenario's `geo:` section: a
// latency-based DNS name or a global balancer) is not a component with units of its own: it is a
// name that calls may use like one, listing one entry (a service or a balancer) per region. Its
// spec holds, per entry, what the runtime needs to tell whether the entry can serve (its
// component, its service's component and replicas, its balancer) and, per origin, the order in
// which to try the entries (the origin's own region first, then by latency: model/regions.ts's
// geoOrder). A call to it is OP_GEO, which picks an entry and jumps to that entry's arm: the
// call to the entry with its crossings (emitted by the flow compiler, the same as a direct call),
// then a jump past the other arms.
import { OP_GEO, OP_JUMP } from "../../engine/codes.ts";
import type { CompileContext, FlowContext } from "../kind.ts";

/** A geo route: its entries (one per region) and, per origin, the order in which to try them. */
export interface GeoSpec {
  readonly name: string;
  /** Component index of each entry (a balancer or a service). */
  readonly targets: Int32Array;
  /** Service index behind each entry, and its balancer index (-1 for a service called directly). */
  readonly services: Int32Array;
  readonly balancers: Int32Array;
  /** Per entry: the component of the service behind it, and its slots' global replica indices (slot order = backend order). */
  readonly serviceComponents: Int32Array;
  readonly replicas: Int32Array[];
  /** Per origin index: entry indices, the origin's own region first, then by latency. */
  readonly order: Int32Array[];
}

/** What compiling a geo route asks beyond a kind's CompileContext. */
export interface GeoCompileContext extends CompileContext {
  /** A component's index by name. */
  componentIndex(name: string): number;
  /** The service an entry leads to (a balancer's backends, or the entry itself), by the entry's name. */
  serviceOf(entry: string): string;
  /** A balancer's index in Program.balancers by name (-1: the entry is not a balancer). */
  balancerIndex(name: string): number;
  /** Per origin, the entries' indices in the order to try them. */
  order(entries: readonly string[]): number[][];
}

export function compileGeo(name: string, entries: readonly string[], ctx: GeoCompileContext): GeoSpec {
  const svcs = entries.map((e) => ctx.service(ctx.serviceOf(e)));
  return {
    name,
    targets: Int32Array.from(entries, (e) => ctx.componentIndex(e)),
    services: Int32Array.from(svcs, (s) => s.index),
    balancers: Int32Array.from(entries, (e) => ctx.balancerIndex(e)),
    serviceComponents: Int32Array.from(entries, (e) => ctx.componentIndex(ctx.serviceOf(e))),
    replicas: svcs.map((s) => s.replicas),
    order: ctx.order(entries).map((o) => Int32Array.from(o)),
  };
}

/**
 * A call to geo route `geo`: OP_GEO (operand b: the jump table of the arms), then per entry its arm,
 * `arm(entry, path)` (the flow compiler's call to that entry, with its crossings and sizes), and a
 * jump past the other arms.
 */
export function emitGeoCall(geo: number, entries: readonly string[], path: string, ctx: FlowContext, arm: (entry: string, path: string) => void): void {
  const pcs = new Int32Array(entries.length);
  ctx.emit(OP_GEO, geo, ctx.table(pcs, new Float64Array(0)));
  const jumps: number[] = [];
  entries.forEach((entry, i) => {
    pcs[i] = ctx.pc;
    arm(entry, `${path}/${entry}`);
    jumps.push(ctx.emit(OP_JUMP, -1));
  });
  for (const j of jumps) ctx.patchA(j, ctx.pc);
}
