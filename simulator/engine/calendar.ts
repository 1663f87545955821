// The event calendar: a binary min-heap over parallel typed arrays, ordered by (time, insertion
// sequence) so that simultaneous events leave first-in first-out and runs are reproducible.
// An event is a small integer code (type and one argument packed as arg * 8 + type) plus a second
// int argument; nothing is allocated per event. Binary rather than 4-ary: measured with the hold
// model (simulator/bench/heap-compare.ts, figures in BENCHMARKS.md), a 4-ary heap of the same
// layout was 4% faster with 16 events and 8-10% slower with 1,000 and 100,000, so the simpler one stays.

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

  /**
   * Time of the event the next pushAt() adds: the hot paths write it here, then call pushAt(code,
   * extra). A double passed to a call V8 did not inline is boxed (a heap number per event, which
   * the young generation then collects); a number field is written in place.
   */
  pushTime = 0;

  push(t: number, code: number, extra: number): void {
    this.pushTime = t;
    this.pushAt(code, extra);
  }

  /** Adds the event (code, extra) at pushTime. */
  pushAt(code: number, extra: number): void {
    if (this.n === this.time.length) this.grow();
    const t = this.pushTime;
    const s = this.counter++;
    const time = this.time, seq = this.seq, codes = this.code, extras = this.extra;
    let i = this.n++;
    // Sift up: move parents down until the slot for the new event is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
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
    // Sift down the last element from the root, choosing the smaller child at each level.
    for (;;) {
      let m = (i << 1) + 1;
      if (m >= last) break;
      let mt = time[m], ms = seq[m];
      const r = m + 1;
      if (r < last) {
        const rt = time[r];
        if (rt < mt || (rt === mt && seq[r] < ms)) { m = r; mt = rt; ms = seq[r]; }
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
