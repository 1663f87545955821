// The load_balancer kind: an HAProxy-like proxy in front of a service's replicas, with maxconn
// connections per backend, a backend queue with queue_timeout, round robin (smooth weighted),
// random, least connections, power of two choices or consistent hashing, health checks that lag
// behind a crash, connect retries to a dead backend, a rate limit, its own time (overhead) and
// TLS termination. Schema and checks still live in model/schema.ts and model/check.ts; a call to
// a balancer compiles as a call to its backends' service (engine/program.ts emits the stub, the
// balancer's part from emitBalancerStub), the kernel moves tasks in and out of its queue
// (engine/simulation.ts: balance, connect, dispatchLb), and its share of the traffic is computed
// in analytic/traffic.ts and analytic/times.ts.
import type { KindModule } from "../kind.ts";
import { compileBalancer, emitBalancerCall, type BalancerSpec } from "./compile.ts";
import { BalancerRuntime } from "./runtime.ts";
import { balancerResult } from "./result.ts";

export { CONNECT_TURNAROUND, compileBalancerTls, emitBalancerCall, emitBalancerStub, type BalancerSpec, type BalancerTls } from "./compile.ts";
export { BalancerRuntime } from "./runtime.ts";
export { balancerAnalytic, type BalancerTlsPart } from "./analytic.ts";

export const loadBalancer: KindModule<"load_balancer", BalancerSpec, BalancerRuntime> = {
  kind: "load_balancer",
  compile: compileBalancer,
  emitCall: emitBalancerCall,
  runtime: (specs, ctx) => new BalancerRuntime(specs, ctx),
  result: balancerResult,
};
