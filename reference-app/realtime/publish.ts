// A service's server-side publish to a realtime component (a handler's `call: <realtime>`, e.g. a
// notification): one message to a channel drawn by the channels' popularity with the simulator's
// own sampler (simulator/random.ts KeySampler) from a stream of the process, PUBLISHed on the component's backbone
// Redis in the envelope the WebSocket servers deliver. As in the model (OP_RT_PUBLISH), the request
// does not wait for the delivery; it waits for Redis to take the message (one round trip).
import { Redis } from "ioredis";
import { KeySampler } from "../../simulator/random.ts";
import type { RealtimePublishConfig } from "../config.ts";
import { streamFor, type Rng } from "../sampler.ts";
import { nowMs, type Delivered } from "./server.ts";

export class RealtimePublisher {
  private readonly redis: Redis;
  private readonly channels: KeySampler;
  private readonly rng: Rng;
  constructor(private readonly cfg: RealtimePublishConfig, seed: number, private readonly from: string) {
    this.redis = new Redis({ host: "127.0.0.1", port: cfg.redis.port, password: cfg.redis.password, maxRetriesPerRequest: 1 });
    this.redis.on("error", () => {});
    this.channels = new KeySampler(cfg.channels.count, cfg.channels.s);
    this.rng = streamFor(seed, `${from}:realtime-channel`);
  }

  /** True when `name` is the realtime component this publisher reaches. */
  has(name: string): boolean {
    return name === this.cfg.name;
  }

  async publish(body: string): Promise<void> {
    const ch = this.channels.sample(this.rng);
    await this.redis.publish(`rt:${ch}`, JSON.stringify({ ch, t: nowMs(), from: this.from, body } satisfies Delivered));
  }

  close(): void {
    this.redis.disconnect();
  }
}
