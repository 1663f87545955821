// A CDN's compile step: its spec in the Program (the objects' popularity, the TTL, the edge
// latency's sampler) and the instructions of a `call:` to it: edge lookup (OP_CDN, which jumps
// past the origin fetch on a hit), the origin call, the fill (OP_CDN_FILL).
import type { CdnComponent, Step } from "../../model/schema.ts";
import { KeySampler } from "../../engine/zipf.ts";
import { OP_CDN, OP_CDN_FILL } from "../../engine/codes.ts";
import type { CallEdge, CompileContext, FlowContext } from "../kind.ts";

export interface CdnSpec {
  readonly component: number;
  readonly objects: KeySampler;
  readonly ttl: number;
  readonly edgeSampler: number;
}

export function compileCdn(c: CdnComponent, component: number, ctx: CompileContext): CdnSpec {
  const objects = new KeySampler(c.objects.count, c.objects.popularity === "zipf" ? (c.objects.s ?? 1) : 0);
  return { component, objects, ttl: c.ttl ?? Infinity, edgeSampler: ctx.sampler(c.edge_latency) };
}

/**
 * [crossing] CDN(edge; on a hit jump to after FILL) origin-call FILL [crossing]. A CDN without a
 * region is at the edge next to its caller; its origin fetch leaves from there.
 */
export function emitCdnCall(_step: Extract<Step, { call: string }>, c: CdnComponent, cdn: number, cls: number, region: number, path: string, _edge: CallEdge, ctx: FlowContext): void {
  const cdnRegion = c.region !== undefined ? ctx.regionIndex(c.region) : region;
  const lat = ctx.latency(region, cdnRegion);
  if (lat >= 0) ctx.delay(lat, `${path}:lat>`);
  const edge = ctx.emit(OP_CDN, cdn, -1);
  ctx.call(c.origin, cls, cdnRegion, `${path}/origin`);
  ctx.emit(OP_CDN_FILL, cdn);
  ctx.patchB(edge, ctx.pc);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<`);
}
