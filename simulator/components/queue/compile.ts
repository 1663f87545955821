// A queue's compile step: its worker resources and its spec in the Program. The workers are one
// resource of `workers` units, or with `partitions` one resource of one unit per partition (a
// message goes to the partition its key hashes to); a resource's buffer is its share of
// max_length plus the messages prefetched to consumers. A `call:` to a queue is refused: messages
// are sent with `publish:` (OP_PUBLISH, emitted by the flow compiler in engine/program.ts, which
// also emits the consumer's program: it needs the flow state a handler runs with).
import type { QueueComponent, Step } from "../../model/schema.ts";
import { MODE_HOLD } from "../../engine/codes.ts";
import { UnsupportedError, type CallEdge, type CompileContext, type FlowContext } from "../kind.ts";

export interface QueueSpec {
  readonly component: number;
  /** Worker resources: one (workers units) or one per partition (one unit each). */
  readonly workers: Int32Array;
  /** The consumer program's first pc (set when the compiler emits it). */
  readonly entry: number;
  readonly dropHead: boolean;
  /**
   * Per worker resource: messages delivered to its consumers beyond the ones they work on,
   * consumers x (prefetch - 1). They wait in the resource's FIFO ahead of the ready messages but,
   * as RabbitMQ's unacknowledged messages, do not count against max_length.
   */
  readonly held: number;
  readonly retries: number;
  readonly failureRate: number;
  /** confirm_wake (seconds): the most a confirm gains after an idle broker, and the idle time scale; cost 0 without. */
  readonly wakeCost: number;
  readonly wakeIdle: number;
}

export function compileQueue(c: QueueComponent, component: number, ctx: CompileContext): QueueSpec {
  const name = ctx.componentName(component);
  const parts = c.partitions ?? 0;
  const workers = new Int32Array(parts > 0 ? parts : 1);
  const held = (parts > 0 ? 1 : c.workers) * (c.prefetch - 1);
  for (let i = 0; i < workers.length; i++) {
    workers[i] = ctx.addResource({
      name: parts > 0 ? `${name}[${i}]` : name, component, units: parts > 0 ? 1 : c.workers, mode: MODE_HOLD,
      buffer: c.max_length !== undefined ? Math.max(0, Math.ceil(c.max_length / workers.length)) + held : -1,
      timeout: Infinity, sampler: -1, main: true,
    });
  }
  return { component, workers, entry: -1, dropHead: c.overflow === "drop_head", held, retries: c.retries, failureRate: c.failure_rate,
    wakeCost: c.confirm_wake?.cost ?? 0, wakeIdle: c.confirm_wake?.idle ?? 1 };
}

export function emitQueueCall(step: Extract<Step, { call: string }>, _c: QueueComponent, _queue: number, _cls: number, _region: number, _path: string, _edge: CallEdge, _ctx: FlowContext): void {
  throw new UnsupportedError(`'${step.call}' is a queue: use publish: to send to it`);
}
