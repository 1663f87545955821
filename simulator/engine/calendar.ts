// The event calendar: a 4-ary min-heap over parallel typed arrays, ordered by (time, insertion
// sequence) so that simultaneous events leave first-in first-out and runs are reproducible.
// An event is a small integer code (type and one argument packed as arg * 8 + type) plus a second
// int argument; nothing is allocated per event. 4-ary rather than binary: half the depth, and the
// four children of a node share a cache line of the time array (measured in BENCHMARKS.md).

export class Calendar {
  private time: Float64Array;
  private seq: Float64Array;
  private code: Int32Array;
  private extra: Int32Array;
  private n = 0;
  private counter = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.code = new Int32Array(capacity);
    this.extra = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    return this.n > 0 ? this.time[0] : Infinity;
  }

  // Fields of the event last removed by pop(): read them before the next pop.
  popTime = 0;
  popCode = 0;
  popExtra = 0;

  push(t: number, code: number, extra: number): void {
    if (this.n === this.time.length) this.grow();
    const s = this.counter++;
    const time = this.time, seq = this.seq, codes = this.code, extras = this.extra;
    let i = this.n++;
    // Sift up: move parents down until the slot for the new event is found.
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = time[p];
      if (pt < t || (pt === t && seq[p] < s)) break;
      time[i] = pt; seq[i] = seq[p]; codes[i] = codes[p]; extras[i] = extras[p];
      i = p;
    }
    time[i] = t; seq[i] = s; codes[i] = code; extras[i] = extra;
  }

  /** Removes the earliest event into popTime/popCode/popExtra; returns false when empty. */
  pop(): boolean {
    const n = this.n;
    if (n === 0) return false;
    const time = this.time, seq = this.seq, codes = this.code, extras = this.extra;
    this.popTime = time[0]; this.popCode = codes[0]; this.popExtra = extras[0];
    const last = n - 1;
    this.n = last;
    if (last === 0) return true;
    const t = time[last], s = seq[last], c = codes[last], x = extras[last];
    let i = 0;
    // Sift down the last element from the root, choosing the smallest of up to four children.
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= last) break;
      let m = first;
      let mt = time[first], ms = seq[first];
      const end = first + 4 < last ? first + 4 : last;
      for (let k = first + 1; k < end; k++) {
        const kt = time[k];
        if (kt < mt || (kt === mt && seq[k] < ms)) { m = k; mt = kt; ms = seq[k]; }
      }
      if (t < mt || (t === mt && s < ms)) break;
      time[i] = mt; seq[i] = ms; codes[i] = codes[m]; extras[i] = extras[m];
      i = m;
    }
    time[i] = t; seq[i] = s; codes[i] = c; extras[i] = x;
    return true;
  }

  clear(): void {
    this.n = 0;
    this.counter = 0;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const c = new Int32Array(cap); c.set(this.code); this.code = c;
    const x = new Int32Array(cap); x.set(this.extra); this.extra = x;
  }
}
