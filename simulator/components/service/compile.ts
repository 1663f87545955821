// A service's compile step: one slot resource per replica (`concurrency` units, hold mode: a request
// holds its slot across its downstream calls, until its handler ends), with the replica's backlog
// as the resource's buffer. An auto-scaled pool gets resources for its maximum up front; the
// replicas past `replicas` start switched off and the autoscaler switches them on and off. Each
// slot resource is a service replica with a global index (Program.replicaOf), which balancers,
// database pools and the kernel's replica states are indexed by. The spec carries how callers call
// the service: its timeout, retries and circuit breaker. A `call:` to a service is emitted by the
// flow compiler (engine/program.ts: the call stub [balancer part] OP_SLOT handler OP_END, the
// crossings, the payload sizes), which the handlers of every kind share.
import type { AutoscalingSpec, CircuitBreakerSpec, RetriesSpec, ServiceComponent } from "../../model/schema.ts";
import { MODE_HOLD } from "../../engine/codes.ts";
import type { CompileContext } from "../kind.ts";

export interface ServiceSpec {
  readonly component: number;
  /** Slot resources, one per replica. */
  readonly slots: Int32Array;
  /** Each slot's global service replica index (Program.replicaOf of the slot). */
  readonly replicas: Int32Array;
  /** Slots per replica (each slot resource's units). */
  readonly concurrency: number;
  readonly timeout: number;
  /** Replicas serving at the start; the rest (up to autoscaling max) start switched off. */
  readonly initial: number;
  readonly autoscaling: AutoscalingSpec | undefined;
  /** How callers call this service: retries with backoff, and a circuit breaker. */
  readonly retries: RetriesSpec | undefined;
  readonly breaker: CircuitBreakerSpec | undefined;
}

export function compileService(c: ServiceComponent, component: number, ctx: CompileContext): ServiceSpec {
  const name = ctx.componentName(component);
  const n = c.autoscaling ? Math.max(c.autoscaling.max, c.replicas) : c.replicas;
  const slots = new Int32Array(n);
  const replicas = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    slots[i] = ctx.addResource({
      name: `${name}#${i + 1}`, component, units: c.concurrency, mode: MODE_HOLD,
      buffer: c.backlog ?? -1, timeout: Infinity, sampler: -1, main: true,
    });
    replicas[i] = ctx.addReplica(slots[i]);
  }
  return { component, slots, replicas, concurrency: c.concurrency, timeout: c.timeout ?? Infinity, initial: c.replicas, autoscaling: c.autoscaling, retries: c.retries, breaker: c.circuit_breaker };
}
