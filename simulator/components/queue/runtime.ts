// A queue's state over one replication, beside what the kernel keeps for it (messages are task
// rows, waiting messages sit in the worker resources' FIFOs): per queue, the worker resource a
// message goes to and the random stream that decides whether a handled message fails. The kernel
// publishes (OP_PUBLISH), starts consumers (OP_ACQUIRE), retries and dead-letters messages, and
// asks these methods; they take and return numbers and allocate nothing.
import { hashKey } from "../../engine/hash-key.ts";
import type { Rng } from "../../engine/rng.ts";
import type { RuntimeContext } from "../kind.ts";
import type { QueueSpec } from "./compile.ts";

export class QueueRuntime {
  private readonly failRng: Rng[];

  constructor(private readonly specs: readonly QueueSpec[], ctx: RuntimeContext) {
    this.failRng = specs.map((q) => ctx.stream(`queue:${ctx.componentNames[q.component]}`));
  }

  /** The worker resource of queue q that a message with this key goes to: the only one, or its partition's. */
  worker(q: number, key: number): number {
    const w = this.specs[q].workers;
    return w.length === 1 ? w[0] : w[hashKey(key) % w.length];
  }

  /** Whether a message queue q's consumer handled fails (failure_rate); draws only when the rate is above 0. */
  fails(q: number): boolean {
    const rate = this.specs[q].failureRate;
    return rate > 0 && this.failRng[q].next() < rate;
  }
}
