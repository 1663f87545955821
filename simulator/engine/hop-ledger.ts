// Per-request hop times until the request ends (opt-in, ReplicationOptions.hops). A top-level
// request's time at each hop is written on its own ledger while it runs and added to its class's
// totals only when it completes: a request that fails (timed out, shed, short-circuited) leaves
// nothing behind, so the totals divided by the completed requests are the completed requests'
// mean by hop, the same requests the mean latency is over. Without it, the time failed requests
// spent at hops was divided by the completed ones only (a 55%-failing class showed 1.7 s of hops
// against a 65 ms mean).
// A ledger is a singly linked list of (slot, seconds) entries threaded through typed arrays with a
// free list: adding, committing and dropping allocate nothing once the pool has grown to the
// requests in flight times their hops (the arrays double, amortized). Trades a few bytes per hop in
// flight for exactness; only runs that ask for hops pay it.

/** The slot of network time (component hops are component * HOP_KINDS + 0 wait | 1 service | 2 on its egress link). */
export const NETWORK_SLOT = -1;
/** Hop kinds per component: waiting, served, sending on its egress link. */
export const HOP_KINDS = 3;

export class HopLedger {
  /** Per task id: its first entry (-1: none) and the task generation it was opened for. */
  private head = new Int32Array(1024).fill(-1);
  private headGen = new Int32Array(1024);
  /** Entries: slot, seconds, next entry (-1: end). */
  private slot = new Int32Array(4096);
  private seconds = new Float64Array(4096);
  private next = new Int32Array(4096);
  private freeTop = -1;
  private fresh = 0;

  /** Adds d seconds at slot to root task t's ledger (gen: the task's generation, so a reused id starts empty). */
  add(t: number, gen: number, slot: number, d: number): void {
    if (t >= this.head.length) this.growHeads(t + 1);
    if (this.head[t] >= 0 && this.headGen[t] !== gen) this.drop(t);
    this.headGen[t] = gen;
    let e = this.freeTop;
    if (e >= 0) this.freeTop = this.next[e];
    else {
      if (this.fresh === this.slot.length) this.growEntries();
      e = this.fresh++;
    }
    this.slot[e] = slot;
    this.seconds[e] = d;
    this.next[e] = this.head[t];
    this.head[t] = e;
  }

  /**
   * Root task t completed: its ledger goes into class cls's totals (time: [(cls * components +
   * component) * HOP_KINDS + kind], network: [cls]) and is emptied. gen as in add: a stale ledger is dropped.
   */
  commit(t: number, gen: number, cls: number, components: number, time: Float64Array, network: Float64Array): void {
    if (t >= this.head.length || this.head[t] < 0) return;
    if (this.headGen[t] !== gen) { this.drop(t); return; }
    const base = cls * components * HOP_KINDS;
    let e = this.head[t];
    while (e >= 0) {
      const s = this.slot[e];
      if (s === NETWORK_SLOT) network[cls] += this.seconds[e];
      else time[base + s] += this.seconds[e];
      const n = this.next[e];
      this.next[e] = this.freeTop;
      this.freeTop = e;
      e = n;
    }
    this.head[t] = -1;
  }

  /** Root task t failed (or its id is reused): its ledger is emptied without counting. */
  drop(t: number): void {
    if (t >= this.head.length) return;
    let e = this.head[t];
    while (e >= 0) {
      const n = this.next[e];
      this.next[e] = this.freeTop;
      this.freeTop = e;
      e = n;
    }
    this.head[t] = -1;
  }

  private growHeads(min: number): void {
    let n = this.head.length * 2;
    while (n < min) n *= 2;
    const head = new Int32Array(n).fill(-1);
    head.set(this.head);
    const gen = new Int32Array(n);
    gen.set(this.headGen);
    this.head = head;
    this.headGen = gen;
  }

  private growEntries(): void {
    const n = this.slot.length * 2;
    const slot = new Int32Array(n), seconds = new Float64Array(n), next = new Int32Array(n);
    slot.set(this.slot); seconds.set(this.seconds); next.set(this.next);
    this.slot = slot; this.seconds = seconds; this.next = next;
  }
}
