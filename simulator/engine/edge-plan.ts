// The compiled side of per-edge request counts: every caller -> callee edge a request can cross
// (the users to an entry, a service to what its handler calls, a CDN to its origin, a balancer to
// its pool, a queue's consumer to its handler's calls, a station to the station its routing sends
// to (StationSpec.routeEdge), a flow to the entry a geo route chose) gets an index at compile time, and each instruction
// that sends a request over an edge (OP_CALL once admitted, OP_SLOT behind a balancer, OP_VISIT,
// OP_CACHE, OP_DB, OP_CDN, OP_FN_CALL, OP_PUBLISH, OP_RT_PUBLISH) carries that index in pcEdge.
// The event loop adds one to a preallocated Float64Array at that index (no lookup, no branch:
// instructions that cross no edge point at a last, discarded slot), so the result can say how the
// traffic into a component reached by several ways splits, for every scenario.
import { USERS } from "./payload-plan.ts";

export interface EdgeProgram {
  /** "from->to" per edge, "users" for the classes' own calls. */
  readonly names: string[];
  /** Per edge, the sending and receiving component (-1: the users). */
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** Per instruction, the edge it sends a request over; `none` (= names.length, a slot the result ignores) for the others. */
  readonly pcEdge: Int32Array;
  /** The discarded slot: the counters' array is one longer than the edges. */
  readonly none: number;
}

export class EdgeBuilder {
  private readonly names: string[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly marks = new Map<number, number>();

  constructor(private readonly componentNames: readonly string[]) {}

  /** The index of edge from -> to (components; USERS for the users), made on first use. */
  edge(from: number, to: number): number {
    const key = `${from}>${to}`;
    let e = this.index.get(key);
    if (e === undefined) {
      e = this.names.length;
      this.names.push(`${from === USERS ? "users" : this.componentNames[from]}->${this.componentNames[to]}`);
      this.from.push(from);
      this.to.push(to);
      this.index.set(key, e);
    }
    return e;
  }

  /** The instruction at pc sends a request from `from` to `to`. */
  mark(pc: number, from: number, to: number): void {
    this.marks.set(pc, this.edge(from, to));
  }

  /** Whether the instruction at pc already crosses an edge (a nested flow's call, marked first). */
  marked(pc: number): boolean {
    return this.marks.has(pc);
  }

  /** A station (component `from`) routing to these components in order (-1: exit): per choice its edge (-1 for an exit, which crosses none). */
  routing(from: number, targets: readonly number[]): Int32Array {
    return Int32Array.from(targets, (to) => (to < 0 ? -1 : this.edge(from, to)));
  }

  build(instructions: number): EdgeProgram {
    const none = this.names.length;
    const pcEdge = new Int32Array(instructions).fill(none);
    for (const [pc, e] of this.marks) pcEdge[pc] = e;
    return { names: this.names, from: Int32Array.from(this.from), to: Int32Array.from(this.to), pcEdge, none };
  }
}
