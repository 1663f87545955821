// Publishing orders to the run's RabbitMQ queues on a confirm channel: the service answers 201 only
// after the broker confirmed the message, so an accepted order cannot be lost in flight.
import amqp from "amqplib";
import type { ServiceMetrics } from "./metrics.ts";
import { partitionOf } from "../parts/partitions.ts";

export class QueueFull extends Error {}

export class Publisher {
  private constructor(
    private readonly conn: amqp.ChannelModel,
    private readonly channel: amqp.ConfirmChannel,
    /** Queue component to its queue, or to its partitions' queues (one picked by the key's hash). */
    private readonly queues: ReadonlyMap<string, string | readonly string[]>,
    private readonly metrics: ServiceMetrics,
  ) {}

  static async open(url: string, queues: ReadonlyMap<string, string | readonly string[]>, metrics: ServiceMetrics): Promise<Publisher> {
    // Nagle off (amqplib leaves it on): over the region relay a publish then waited for the
    // broker's delayed ACK of the previous segment, 42 ms -> 51 ms mean (max 180) for a 40 ms round trip.
    const conn = await amqp.connect(url, { noDelay: true });
    const channel = await conn.createConfirmChannel();
    return new Publisher(conn, channel, queues, metrics);
  }

  /**
   * Publishes and waits for the broker's confirm; QueueFull when the broker refuses it. A
   * partitioned queue takes the message on the key's partition (the simulator's hash; key 0 for a
   * class without keys, as in the model); one confirm channel keeps a key's publish order.
   */
  publish(queue: string, body: object, key = 0): Promise<void> {
    const target = this.queues.get(queue);
    if (!target) return Promise.reject(new Error(`no queue '${queue}' in this run`));
    const name = typeof target === "string" ? target : target[partitionOf(key, target.length)]!;
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      this.channel.sendToQueue(name, Buffer.from(JSON.stringify(body)), { persistent: true, contentType: "application/json" }, (err) => {
        if (err) {
          this.metrics.publishRejected.inc({ queue });
          reject(new QueueFull(`queue ${queue} refused the message`));
        } else {
          this.metrics.callTime.observe({ kind: "queue", op: "publish" }, (performance.now() - t0) / 1000);
          this.metrics.published.inc({ queue });
          resolve();
        }
      });
    });
  }

  async close(): Promise<void> {
    try {
      await this.channel.close();
      await this.conn.close();
    } catch {
      /* the broker connection is already gone */
    }
  }
}
