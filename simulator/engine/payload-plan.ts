// The compiled side of payloads (model/payload.ts says which sizes a call carries): the edges
// bytes cross (caller -> callee, "users" for the class's own calls), the components' egress links
// (bandwidth: processor sharing, engine/links.ts) and the transfers, one per OP_BYTES instruction.
// A transfer draws a size (or reuses the task's last one: a balancer forwards what it received),
// counts it on its edge and on the sender's out and the receiver's in, and if the sender has a
// link, waits there until the bytes are through. A call crossing between regions with a
// `bandwidth` between them crosses that link too, one per direction (a transfer counted on no edge:
// its bytes are the call's). Empty for scenarios without sizes: their programs, and so their
// output, are unchanged.
import type { Component, Dist } from "../model/schema.ts";
import { linkBytesPerSecond } from "../model/payload.ts";
import type { LinkSpec } from "./links.ts";
import { OP_BYTES } from "./codes.ts";

export type { LinkSpec } from "./links.ts";

/** Where bytes go: from a component (or -1, the users) to another. */
export interface EdgeSpec {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

export interface PayloadProgram {
  readonly edges: EdgeSpec[];
  /** Per edge, the sending and receiving component (-1: the users). */
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  /** Components' egress links, then links between regions (component -1) in order of first use. */
  readonly links: LinkSpec[];
  /** Per component, its egress link (-1: none). */
  readonly componentLink: Int32Array;
  /**
   * Per transfer (OP_BYTES operand a): the size sampler (-1: the task's last size again), its
   * random stream, edge * 2 + direction (0 request, 1 response; -1: a crossing between regions,
   * counted on no edge) and the link (-1: none).
   */
  readonly transferSampler: Int32Array;
  readonly transferStream: Int32Array;
  readonly transferEdge: Int32Array;
  readonly transferLink: Int32Array;
  /** Components whose database reads count rows (OP_ROWS), for the result. */
  readonly rowsCounted: Uint8Array;
}

/** The users' side of an edge. */
export const USERS = -1;
export const REQUEST = 0, RESPONSE = 1;

export class PayloadBuilder {
  private readonly edges: EdgeSpec[] = [];
  private readonly edgeIdx = new Map<string, number>();
  private readonly links: LinkSpec[] = [];
  private readonly componentLink: Int32Array;
  private readonly sampler: number[] = [];
  private readonly stream: number[] = [];
  private readonly edge: number[] = [];
  private readonly link: number[] = [];
  private readonly rowsCounted: Uint8Array;
  private readonly regionLinkIdx = new Map<string, number>();

  constructor(
    private readonly names: readonly string[],
    comps: Readonly<Record<string, Component>>,
    /** Region names, and the bandwidth between two regions by index (bits/s; undefined: no link). */
    private readonly regions: readonly string[],
    private readonly regionBandwidth: (a: number, b: number) => number | undefined,
    private readonly ctx: { emit(op: number, a?: number, b?: number, c?: number): number; sampler(d: Dist): number; stream(name: string): number },
  ) {
    this.componentLink = Int32Array.from(names, (n, ci) => {
      const cap = linkBytesPerSecond(comps[n]);
      if (cap === undefined) return -1;
      this.links.push({ component: ci, name: n, capacity: cap });
      return this.links.length - 1;
    });
    this.rowsCounted = new Uint8Array(names.length);
  }

  private edgeOf(from: number, to: number): number {
    const key = `${from}>${to}`;
    let e = this.edgeIdx.get(key);
    if (e === undefined) {
      e = this.edges.length;
      this.edges.push({ name: `${from === USERS ? "users" : this.names[from]}->${to === USERS ? "users" : this.names[to]}`, from, to });
      this.edgeIdx.set(key, e);
    }
    return e;
  }

  /** Emits a transfer from `from` to `to`: a new size drawn from `size` (stream `streamName`), or the task's last size when undefined. */
  send(from: number, to: number, direction: number, size: Dist | undefined, streamName: string): void {
    const x = this.sampler.length;
    this.sampler.push(size ? this.ctx.sampler(size) : -1);
    this.stream.push(size ? this.ctx.stream(streamName) : -1);
    this.edge.push(this.edgeOf(from, to) * 2 + direction);
    this.link.push(from === USERS ? -1 : this.componentLink[from]);
    this.ctx.emit(OP_BYTES, x);
  }

  /** The last transfer's bytes cross from region a to region b (indices; -1: none), over their link if they have one. */
  cross(a: number, b: number): void {
    if (a < 0 || b < 0 || a === b) return;
    const bits = this.regionBandwidth(a, b);
    if (bits === undefined) return;
    const key = `${a}>${b}`;
    let l = this.regionLinkIdx.get(key);
    if (l === undefined) {
      l = this.links.length;
      this.links.push({ component: -1, name: `${this.regions[a]}->${this.regions[b]}`, capacity: bits / 8 });
      this.regionLinkIdx.set(key, l);
    }
    this.sampler.push(-1);
    this.stream.push(-1);
    this.edge.push(-1);
    this.link.push(l);
    this.ctx.emit(OP_BYTES, this.sampler.length - 1);
  }

  /** A database whose reads count rows. */
  countsRows(component: number): void {
    this.rowsCounted[component] = 1;
  }

  build(): PayloadProgram {
    return {
      edges: this.edges,
      edgeFrom: Int32Array.from(this.edges, (e) => e.from),
      edgeTo: Int32Array.from(this.edges, (e) => e.to),
      links: this.links,
      componentLink: this.componentLink,
      transferSampler: Int32Array.from(this.sampler),
      transferStream: Int32Array.from(this.stream),
      transferEdge: Int32Array.from(this.edge),
      transferLink: Int32Array.from(this.link),
      rowsCounted: this.rowsCounted,
    };
  }
}
