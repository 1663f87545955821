// The queue kind: a message broker's queue (RabbitMQ) with workers or partitions, prefetch,
// max_length with reject or drop-head overflow, retries and dead letters. A flow sends to it with
// `publish:`; its consumers run the handler asynchronously. Schema and checks still live in
// model/schema.ts and model/check.ts; the kernel still runs publish, consume, retry and
// dead-letter (engine/simulation.ts), and engine/program.ts emits the consumer's program.
import type { KindModule } from "../kind.ts";
import { compileQueue, emitQueueCall, type QueueSpec } from "./compile.ts";
import { QueueRuntime } from "./runtime.ts";
import { queueResult } from "./result.ts";

export type { QueueSpec } from "./compile.ts";
export { QueueRuntime } from "./runtime.ts";
export { queueAnalytic } from "./analytic.ts";

export const queue: KindModule<"queue", QueueSpec, QueueRuntime> = {
  kind: "queue",
  compile: compileQueue,
  emitCall: emitQueueCall,
  runtime: (specs, ctx) => new QueueRuntime(specs, ctx),
  result: queueResult,
};
