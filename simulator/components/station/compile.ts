// A station's compile step: one resource of `servers` units in service mode (a queueing center:
// a request waits for a server, is served for a draw of the service time, and leaves), with its
// finite buffer and queue timeout, and its routing after service (`routing:`: to another station
// or out, by probability). Stations compile first, so routing can name them by resource index
// (stationRouting, a second pass). A flow reaches a station with `visit:` (emitVisit: its
// crossings and OP_VISIT, with the step's own service time if it has one); a `call:` to a station
// is refused (model/check.ts says so first, with the file's line).
import type { StationComponent, Step } from "../../model/schema.ts";
import { MODE_SERVICE, OP_VISIT } from "../../engine/codes.ts";
import { UnsupportedError, type CallEdge, type CompileContext, type FlowContext } from "../kind.ts";

export interface StationSpec {
  readonly component: number;
  /** Its one resource (servers units, service mode). */
  readonly resource: number;
  /** Routing after service: cumulative probabilities and target resources (-1 = exit); empty without routing. */
  readonly routeCum: Float64Array;
  readonly routeTo: Int32Array;
  /** Per routing choice, the edge (engine/edge-plan.ts) the routed visit crosses (-1 for an exit); empty without routing. */
  readonly routeEdge: Int32Array;
}

export function compileStation(c: StationComponent, component: number, ctx: CompileContext): StationSpec {
  const resource = ctx.addResource({
    name: ctx.componentName(component), component, units: c.servers, mode: MODE_SERVICE, buffer: c.buffer ?? -1,
    timeout: c.queue_timeout ?? Infinity, sampler: ctx.sampler(c.service), main: true,
  });
  return { component, resource, routeCum: new Float64Array(0), routeTo: new Int32Array(0), routeEdge: new Int32Array(0) };
}

/** The station's routing once every station has its resource (`resourceOf`: a station's resource by name). */
export function stationRouting(c: StationComponent, resourceOf: (name: string) => number): { routeCum: Float64Array; routeTo: Int32Array } | undefined {
  if (!c.routing) return undefined;
  const routeCum = new Float64Array(c.routing.length), routeTo = new Int32Array(c.routing.length);
  let acc = 0;
  c.routing.forEach((x, i) => { acc += x.p; routeCum[i] = acc; routeTo[i] = x.to === "exit" ? -1 : resourceOf(x.to); });
  routeCum[routeCum.length - 1] = Infinity; // rounding never falls off the end
  return { routeCum, routeTo };
}

/** A `visit:` step to station `st` from a flow running in `region`: the crossing there, OP_VISIT, the crossing back. */
export function emitVisit(step: Extract<Step, { visit: string }>, c: StationComponent, st: StationSpec, region: number, path: string, ctx: FlowContext): void {
  const lat = ctx.latency(region, ctx.regionIndex(c.region));
  if (lat >= 0) ctx.delay(lat, `${path}:lat>`);
  const service = step.service ? ctx.sampler(step.service) : -1;
  ctx.emit(OP_VISIT, st.resource, service);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<`);
}

export function emitStationCall(step: Extract<Step, { call: string }>, _c: StationComponent, _station: number, _cls: number, _region: number, _path: string, _edge: CallEdge, _ctx: FlowContext): void {
  throw new UnsupportedError(`'${step.call}' is a station; use visit: for stations`);
}
