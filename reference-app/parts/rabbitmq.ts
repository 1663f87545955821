// The scenario's queues on the shared RabbitMQ broker: one queue and one dead-letter queue per queue
// component and run, named after the run so parallel runs never meet, deleted when the run ends.
// max_length and overflow map to x-max-length and x-overflow.
import { Effect, Scope } from "effect";
import amqp from "amqplib";
import { StartFailed } from "../errors.ts";
import type { QueuePlan } from "../plan.ts";
import type { QueueNames } from "../config.ts";

export interface Broker {
  readonly conn: amqp.ChannelModel;
  readonly channel: amqp.Channel;
}

/** One connection for the launcher (declare, delete, depth sampling), closed at the end. */
export const brokerConnection = (url: string): Effect.Effect<Broker, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const conn = await amqp.connect(url);
        conn.on("error", () => {});
        const channel = await conn.createChannel();
        channel.on("error", () => {});
        return { conn, channel };
      },
      catch: (e) => new StartFailed({ part: "rabbitmq", reason: `cannot connect: ${String(e)}` }),
    }),
    (b) => Effect.promise(() => b.conn.close().catch(() => {})),
  );

/** `onNames` hears the names before they are declared (the reaper deletes them if the launcher dies). */
export const declareQueue = (
  broker: Broker,
  runId: string,
  plan: QueuePlan,
  onNames: (names: QueueNames) => void = () => {},
): Effect.Effect<QueueNames, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const names = { queue: `headroom.${runId}.${plan.name}`, dlq: `headroom.${runId}.${plan.name}.dead` };
        onNames(names);
        await broker.channel.assertQueue(names.dlq, { durable: true, autoDelete: false });
        const args: Record<string, unknown> = {};
        if (plan.maxLength !== undefined) {
          args["x-max-length"] = plan.maxLength;
          args["x-overflow"] = plan.overflow === "drop_head" ? "drop-head" : "reject-publish";
        }
        await broker.channel.assertQueue(names.queue, { durable: true, autoDelete: false, arguments: args });
        return names;
      },
      catch: (e) => new StartFailed({ part: `rabbitmq queue ${plan.name}`, reason: String(e) }),
    }),
    (names) =>
      Effect.promise(async () => {
        // A fresh channel: the shared one may have been closed by a broker error.
        try {
          const ch = await broker.conn.createChannel();
          await ch.deleteQueue(names.queue);
          await ch.deleteQueue(names.dlq);
          await ch.close();
        } catch {
          /* the broker connection is gone; nothing more can be done from here */
        }
      }),
  );

/** Messages ready in a queue and its consumers (passive declare: never creates it). */
export async function queueDepth(broker: Broker, name: string): Promise<{ messages: number; consumers: number }> {
  const ch = await broker.conn.createChannel();
  ch.on("error", () => {});
  try {
    const q = await ch.checkQueue(name);
    return { messages: q.messageCount, consumers: q.consumerCount };
  } finally {
    await ch.close().catch(() => {});
  }
}
