// A partitioned queue (the model's `partitions: N`) realized on RabbitMQ: one classic queue per
// partition, the publisher picks the partition with the simulator's own key hash
// (simulator/engine/hash-key.ts: hashKey(key) % N), and one consumer per partition handles its
// messages one at a time in delivery order, so messages of one key are handled in publish order.
// Why not RabbitMQ's consistent-hash exchange: it places a routing key by its own hash on a ring of
// weighted points, so a Zipf-hot key would land on another partition than the model puts it on; a
// publisher-computed queue name keeps the model's placement exactly and needs no plugin.
// It trades: a retried message goes to the tail of its partition (as in the model), so retries
// can reorder a key; max_length is split evenly over the partitions, as the simulator's buffer is.
import { Effect, Scope } from "effect";
import type amqp from "amqplib";
import { hashKey } from "../../simulator/random.ts";
import { StartFailed } from "../errors.ts";
import type { Broker } from "./rabbitmq.ts";

/** The partition a key's messages go to: the simulator's placement (engine/simulation.ts publish). */
export function partitionOf(key: number, partitions: number): number {
  return partitions === 1 ? 0 : hashKey(key) % partitions;
}

export interface PartitionNames {
  /** One queue per partition, index = partition. */
  readonly partitions: readonly string[];
  readonly dlq: string;
}

/** The run's queue names of a partitioned queue component. */
export function partitionNames(runId: string, queue: string, partitions: number): PartitionNames {
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a positive integer, got ${partitions}`);
  const base = `headroom.${runId}.${queue}`;
  return { partitions: Array.from({ length: partitions }, (_, i) => `${base}.p${i}`), dlq: `${base}.dead` };
}

export interface PartitionedQueueSpec {
  readonly name: string;
  readonly partitions: number;
  readonly maxLength?: number;
  readonly overflow: "reject_publish" | "drop_head";
}

/** The broker arguments of one partition: the model's buffer per partition is ceil(max_length / N). */
export function partitionArguments(spec: PartitionedQueueSpec): Record<string, unknown> {
  if (spec.maxLength === undefined) return {};
  return {
    "x-max-length": Math.max(1, Math.ceil(spec.maxLength / spec.partitions)),
    "x-overflow": spec.overflow === "drop_head" ? "drop-head" : "reject-publish",
  };
}

/**
 * Declares the partition queues and the dead-letter queue, deleted when the scope closes.
 * `onNames` hears every name before anything is declared (the reaper deletes them if the run dies).
 */
export const declarePartitions = (
  broker: Broker,
  runId: string,
  spec: PartitionedQueueSpec,
  onNames: (names: PartitionNames) => void = () => {},
): Effect.Effect<PartitionNames, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const names = partitionNames(runId, spec.name, spec.partitions);
        onNames(names);
        await broker.channel.assertQueue(names.dlq, { durable: true, autoDelete: false });
        const args = partitionArguments(spec);
        for (const q of names.partitions) await broker.channel.assertQueue(q, { durable: true, autoDelete: false, arguments: args });
        return names;
      },
      catch: (e) => new StartFailed({ part: `rabbitmq partitioned queue ${spec.name}`, reason: String(e) }),
    }),
    (names) =>
      Effect.promise(async () => {
        try {
          const ch = await broker.conn.createChannel();
          ch.on("error", () => {});
          for (const q of [...names.partitions, names.dlq]) await ch.deleteQueue(q).catch(() => {});
          await ch.close().catch(() => {});
        } catch {
          /* the broker connection is gone; the reaper's queue list still names them */
        }
      }),
  );

/** Publishes `body` for `key` to its partition on a confirm channel; resolves on the broker's confirm. */
export function publishByKey(ch: amqp.ConfirmChannel, names: PartitionNames, key: number, body: Buffer): Promise<number> {
  const p = partitionOf(key, names.partitions.length);
  return new Promise((resolve, reject) =>
    ch.sendToQueue(names.partitions[p]!, body, { persistent: true, contentType: "application/json" }, (err) =>
      err ? reject(new Error(`partition ${p} refused the message`)) : resolve(p),
    ),
  );
}

/**
 * Consumes one partition with up to `prefetch` messages delivered ahead, but handles them one at a
 * time in delivery order (the model's one consumer per partition): `handle` of message n+1 starts
 * after `handle` of message n settled, and each message is acked after its own handling.
 * Resolves with a `stop` that cancels the consumer and waits for the message in hand.
 */
export async function consumeInOrder(
  ch: amqp.Channel,
  queue: string,
  prefetch: number,
  handle: (msg: amqp.ConsumeMessage) => Promise<void>,
  onError: (e: unknown) => void = () => {},
): Promise<{ stop: () => Promise<void> }> {
  await ch.prefetch(prefetch);
  // One promise chain per partition: the order of `then` is the delivery order.
  let tail: Promise<void> = Promise.resolve();
  const { consumerTag } = await ch.consume(
    queue,
    (msg) => {
      if (!msg) return; // cancelled by the broker (the queue was deleted)
      tail = tail.then(async () => {
        try {
          await handle(msg);
        } catch (e) {
          onError(e);
        }
        ch.ack(msg);
      });
    },
    { noAck: false },
  );
  return {
    stop: async () => {
      await ch.cancel(consumerTag).catch(() => {});
      await tail;
    },
  };
}
