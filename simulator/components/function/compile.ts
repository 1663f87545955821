// A function's compile step: one hold-mode resource with max_instances x concurrency units (the
// admission: a unit is an invocation slot anywhere in the pool; beyond them an invocation is
// throttled, refused or queued as `on_throttle` says), its spec (instances, cold start, idle
// timeout, provisioned, memory, timeout) and the instructions of a `call:` to it. The call's stub
// is emitted in place, jumped over by the caller:
//   [crossing] FN_CALL(fn, stub) JUMP(after) | stub: FN_ACQUIRE FN_START [overhead] handler-or-service END | after: [crossing]
// so a function needs no compile-once-per-class table; each call site has its own copy, and its
// random streams are named by the call site's path.
import type { FunctionComponent, Step } from "../../model/schema.ts";
import { own } from "../../model/own.ts";
import { MODE_HOLD, OP_END, OP_FN_ACQUIRE, OP_FN_CALL, OP_FN_START, OP_JUMP } from "../../engine/codes.ts";
import type { CallEdge, CompileContext, FlowContext } from "../kind.ts";

export interface FunctionSpec {
  readonly component: number;
  /** The admission resource: max_instances x concurrency invocation slots. */
  readonly slots: number;
  readonly maxInstances: number;
  readonly concurrency: number;
  /** Instances kept warm from the start and never reclaimed. */
  readonly provisioned: number;
  readonly coldSampler: number;
  /** Seconds an instance stays without work before it is reclaimed. */
  readonly idleTimeout: number;
  readonly memoryGb: number;
  /** Longest invocation from its start on an instance, seconds (Infinity: none). */
  readonly timeout: number;
  /** Boots' worth of capacity the instances starting at once share (processor sharing); Infinity: each starts alone in its draw. */
  readonly bootCapacity: number;
}

/** Bytes per GB as the providers bill memory (Lambda: MB / 1024). */
export const GB = 1024 ** 3;

export function compileFunction(c: FunctionComponent, component: number, ctx: CompileContext): FunctionSpec {
  const reject = c.on_throttle === "reject";
  const slots = ctx.addResource({
    name: ctx.componentName(component), component, units: c.max_instances * c.concurrency, mode: MODE_HOLD,
    buffer: reject ? 0 : (c.queue ?? -1), timeout: reject ? Infinity : (c.queue_timeout ?? Infinity), sampler: -1, main: true,
  });
  return {
    component, slots, maxInstances: c.max_instances, concurrency: c.concurrency, provisioned: c.provisioned,
    coldSampler: ctx.sampler(c.cold_start), idleTimeout: c.idle_timeout, memoryGb: c.memory / GB, timeout: c.timeout ?? Infinity,
    bootCapacity: c.boot_capacity ?? Infinity,
  };
}

export function emitFunctionCall(_step: Extract<Step, { call: string }>, c: FunctionComponent, fn: number, cls: number, region: number, path: string, _edge: CallEdge, ctx: FlowContext): void {
  const fnRegion = ctx.regionIndex(c.region);
  const lat = ctx.latency(region, fnRegion);
  if (lat >= 0) ctx.delay(lat, `${path}:lat>`);
  const call = ctx.emit(OP_FN_CALL, fn, -1);
  const skip = ctx.emit(OP_JUMP, -1);
  ctx.patchB(call, ctx.pc);
  ctx.emit(OP_FN_ACQUIRE, fn);
  ctx.emit(OP_FN_START, fn);
  // the platform's own time per invocation, in the slot (none unless the YAML gives it)
  if (c.overhead) ctx.delay(ctx.sampler(c.overhead), `${path}/fn:overhead`);
  const handler = own(c.handlers, ctx.className(cls));
  if (handler) ctx.flow(handler, cls, c.network, fnRegion, `${path}/fn`);
  else if (c.service) ctx.delay(ctx.sampler(c.service), `${path}/fn:service`);
  // neither: model/check.ts refuses the scenario at the call (checkServiceWork)
  ctx.emit(OP_END);
  ctx.patchA(skip, ctx.pc);
  if (lat >= 0) ctx.delay(lat, `${path}:lat<`);
}
