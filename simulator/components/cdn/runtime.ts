// A CDN's state over one replication: per CDN, when each object was last fetched from the origin
// (a hit is a request within the TTL of that fetch; the edge has no size limit), and its two random
// streams, the object a request asks for and the edge latency, apart. The kernel runs OP_CDN and
// OP_CDN_FILL by calling these methods; they take and return numbers and allocate nothing.
import type { Rng } from "../../engine/rng.ts";
import type { Sampler } from "../../engine/distributions.ts";
import type { RuntimeContext } from "../kind.ts";
import type { CdnSpec } from "./compile.ts";

export class CdnRuntime {
  /** Per CDN, per object: when it was last fetched (-Infinity: never). */
  private readonly fetched: Float64Array[];
  private readonly objectRng: Rng[];
  private readonly edgeRng: Rng[];

  private readonly samplers: readonly Sampler[];

  constructor(private readonly specs: readonly CdnSpec[], ctx: RuntimeContext) {
    this.samplers = ctx.samplers;
    this.fetched = specs.map((c) => new Float64Array(c.objects.keys).fill(-Infinity));
    this.objectRng = specs.map((c) => ctx.stream(`cdn:${ctx.componentNames[c.component]}`));
    this.edgeRng = specs.map((c) => ctx.stream(`cdn:${ctx.componentNames[c.component]}:edge`));
  }

  /** The object a request to CDN c asks for. */
  pickObject(c: number): number {
    return this.specs[c].objects.sample(this.objectRng[c]);
  }

  /** The time the edge takes to answer (drawn before the hit is known, as a request sees it). */
  edgeDelay(c: number): number {
    return this.samplers[this.specs[c].edgeSampler].sample(this.edgeRng[c]);
  }

  /** Whether the edge holds a fresh copy of the object at time now. */
  isHit(c: number, object: number, now: number): boolean {
    return now - this.fetched[c][object] < this.specs[c].ttl;
  }

  /** The origin answered: the edge holds the object from now. */
  fill(c: number, object: number, now: number): void {
    this.fetched[c][object] = now;
  }
}
