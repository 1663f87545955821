// An indexed binary min-heap over items 0..n-1, keyed by (key, seq): the least key first, and among
// equal keys the smallest seq. Items can be inserted, removed and re-keyed in O(log n) by index.
// The least-connections balancer keeps its eligible backends here, keyed by connections per
// weight, with seq the time of the last pick so that ties rotate as HAProxy's round robin does.
export class IndexedMinHeap {
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  private readonly key: Float64Array;
  private readonly seq: Float64Array;
  size = 0;

  constructor(n: number) {
    this.heap = new Int32Array(n);
    this.pos = new Int32Array(n).fill(-1);
    this.key = new Float64Array(n);
    this.seq = new Float64Array(n);
  }

  has(i: number): boolean {
    return this.pos[i] >= 0;
  }

  /** The least item, or -1 when empty. */
  top(): number {
    return this.size > 0 ? this.heap[0] : -1;
  }

  seqOf(i: number): number {
    return this.seq[i];
  }

  /** Inserts item i, or moves it to its place for a new key and seq. */
  set(i: number, key: number, seq: number): void {
    this.key[i] = key;
    this.seq[i] = seq;
    let p = this.pos[i];
    if (p < 0) {
      p = this.size++;
      this.heap[p] = i;
      this.pos[i] = p;
    }
    this.up(p);
    this.down(this.pos[i]);
  }

  remove(i: number): void {
    const p = this.pos[i];
    if (p < 0) return;
    const last = this.heap[--this.size];
    this.pos[i] = -1;
    if (p === this.size) return;
    this.heap[p] = last;
    this.pos[last] = p;
    this.up(p);
    this.down(this.pos[last]);
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a], kb = this.key[b];
    return ka < kb || (ka === kb && this.seq[a] < this.seq[b]);
  }

  private up(p: number): void {
    const h = this.heap;
    const i = h[p];
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (!this.less(i, h[parent])) break;
      h[p] = h[parent];
      this.pos[h[p]] = p;
      p = parent;
    }
    h[p] = i;
    this.pos[i] = p;
  }

  private down(p: number): void {
    const h = this.heap;
    const n = this.size;
    const i = h[p];
    for (;;) {
      let c = 2 * p + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(h[c + 1], h[c])) c++;
      if (!this.less(h[c], i)) break;
      h[p] = h[c];
      this.pos[h[p]] = p;
      p = c;
    }
    h[p] = i;
    this.pos[i] = p;
  }
}
