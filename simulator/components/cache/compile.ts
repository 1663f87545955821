// A cache's compile step: one server resource (Redis executes commands one at a time) and its
// spec (capacity, TTL, eviction), and the instructions of a `call:` to it: OP_CACHE on the server,
// then for a get the hit steps, a jump past the miss, and the miss steps (the way back from the
// cache is paid on both branches). A sized answer (a get's `response_size`: the value) crosses on
// a hit only, before the hit steps: Redis answers a miss with nil, no value.
import type { CacheComponent, Step } from "../../model/schema.ts";
import { REDIS_SAMPLES } from "../../model/schema.ts";
import { CACHE_DELETE, CACHE_GET, CACHE_SET, MODE_SERVICE, OP_CACHE, OP_JUMP } from "../../engine/codes.ts";
import type { CallEdge, CompileContext, FlowContext } from "../kind.ts";

/** OP_CACHE's operand b (engine/codes.ts). */
export { CACHE_DELETE, CACHE_GET, CACHE_SET };

export interface CacheSpec {
  readonly component: number;
  readonly server: number;
  readonly capacity: number;
  readonly ttl: number;
  /** 0: exact LRU; n: Redis's sampled LRU with n samples per eviction (engine/sampled-lru.ts) */
  readonly evictionSamples: number;
}

export function compileCache(c: CacheComponent, component: number, ctx: CompileContext): CacheSpec {
  const server = ctx.addResource({ name: ctx.componentName(component), component, units: 1, mode: MODE_SERVICE, buffer: -1, timeout: Infinity, sampler: ctx.sampler(c.service), main: true });
  return { component, server, capacity: c.capacity, ttl: c.ttl ?? Infinity, evictionSamples: c.eviction === "sampled" ? (c.samples ?? REDIS_SAMPLES) : 0 };
}

export function emitCacheCall(step: Extract<Step, { call: string }>, c: CacheComponent, cache: number, cls: number, region: number, path: string, edge: CallEdge, ctx: FlowContext): void {
  const op = step.op === "set" ? CACHE_SET : step.op === "delete" ? CACHE_DELETE : CACHE_GET;
  const lat = ctx.latency(region, ctx.regionIndex(c.region));
  if (lat >= 0) ctx.delay(lat, `${path}:lat>`);
  const get = ctx.emit(OP_CACHE, cache, op, -1);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<`);
  if (edge.net) ctx.delay(ctx.sampler(edge.net), `${path}:network<`);
  if (edge.cost) ctx.delay(ctx.sampler(edge.cost), `${path}:call-overhead<`);
  edge.respond?.();
  if (op !== CACHE_GET) return;
  ctx.flow(step.hit ?? [], cls, edge.network, region, `${path}/hit`, edge.cost);
  const jump = ctx.emit(OP_JUMP, -1);
  ctx.patchC(get, ctx.pc);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<miss`);
  if (edge.net) ctx.delay(ctx.sampler(edge.net), `${path}:network<miss`);
  if (edge.cost) ctx.delay(ctx.sampler(edge.cost), `${path}:call-overhead<miss`);
  ctx.flow(step.miss ?? [], cls, edge.network, region, `${path}/miss`, edge.cost);
  ctx.patchA(jump, ctx.pc);
}
