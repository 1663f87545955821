// The service kind: a pool of replicas, each with `concurrency` slots held by a request across its
// downstream calls, a backlog, a handler per request class, and how callers call it: a timeout,
// retries with backoff and a budget, a circuit breaker; autoscaling switches replicas on and off.
// Schema and checks still live in model/schema.ts and model/check.ts. The flow compiler
// (engine/program.ts) emits the call stub ([balancer part] OP_SLOT handler OP_END) and the handler
// flows, which every kind's steps make up; the kernel (engine/simulation.ts) keeps the replicas'
// states (booting, serving, draining, off, down) that balancers, pools and faults share, carries
// out the autoscaler's commands on them, and keeps the tasks' retry and probe fields; this runtime
// keeps the breakers, retry budgets, instances and autoscalers. The analytic slot group is solved
// in analytic/times.ts (`slots`), which the balancer and database forms read too.
import type { Step } from "../../model/schema.ts";
import type { CallEdge, FlowContext, KindModule } from "../kind.ts";
import { compileService, type ServiceSpec } from "./compile.ts";
import { ServiceRuntime } from "./runtime.ts";
import { serviceResult } from "./result.ts";

export type { ServiceSpec } from "./compile.ts";
export { ServiceRuntime } from "./runtime.ts";
export { serviceAnalytic } from "./analytic.ts";
export type { BreakerResult } from "./result.ts";

/** A `call:` to a service: the flow compiler's call (crossings, sizes, OP_CALL to its stub), then the edge's way back. */
function emitServiceCall(step: Extract<Step, { call: string }>, _c: unknown, _index: number, cls: number, region: number, path: string, edge: CallEdge, ctx: FlowContext): void {
  ctx.callStep(step, cls, region, path);
  if (edge.net) ctx.delay(ctx.sampler(edge.net), `${path}:network<`);
  if (edge.cost) ctx.delay(ctx.sampler(edge.cost), `${path}:call-overhead<`);
}

export const service: KindModule<"service", ServiceSpec, ServiceRuntime> = {
  kind: "service",
  compile: compileService,
  emitCall: emitServiceCall,
  runtime: (specs, ctx) => new ServiceRuntime(specs, ctx),
  result: serviceResult,
};
