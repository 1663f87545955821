// The event calendar: a binary min-heap over parallel typed arrays, ordered by (time, insertion
// sequence) so that simultaneous events leave first-in first-out and runs are reproducible.
// An event is a small integer code (type and one argument packed as arg * 8 + type) plus a second
// int argument; nothing is allocated per event. Binary rather than 4-ary: measured with the hold
// model (simulator/bench/heap-compare.ts, figures in BENCHMARKS.md), a 4-ary heap of the same
// layout was 4% faster with 16 events and 8-10% slower with 1,000 and 100,000, so the simpler one stays.
//
// Lanes keep timeouts out of the heap. A timeout is pushed at now + a fixed duration (a service's
// call timeout, a resource's or balancer's queue timeout), so each such source pushes in time
// order, and almost all are stale by the time they come up (the call ended long before). With
// thousands of calls in flight they were most of the heap (one-million-users: up to 66,000 events,
// 16 levels per pop). pushLane(lane, ...) appends to that lane's first-in first-out ring instead,
// and only each lane's head sits in the heap, as a marker with the head's own (time, sequence): the
// pop order over all events is exactly the one a single heap gives (sequence numbers are unique).
//
// The popped event leaves the heap lazily. pop() reads the root and leaves it there as a hole;
// the next insert (most events schedule one follow-up: the next arrival, the service's end, the
// lane's next head) puts its event into the hole and sifts it down, one pass where a pop and a push
// took two (the sift-down of the last element, then the new one's sift-up). Only when nothing was
// pushed does the next pop, peekTime or size remove the hole the usual way. Any heap over the same
// (time, sequence) keys pops the same order, so the output is unchanged.

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

  /** The root is the event pop() last returned, not yet removed (see the header). */
  private hole = false;

  /** Entries in the heap (a lane counts once, by its marker): 0 exactly when no event is left. */
  get size(): number {
    return this.hole ? this.n - 1 : this.n;
  }

  /** Time of the next event (Infinity when empty). */
  peekTime(): number {
    if (this.hole) this.settle();
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
    this.pushSeq = this.counter++;
    this.insert(code, extra);
  }

  /**
   * Adds the event (code, extra) at pushTime to lane `lane` (0, 1, ...: one per timeout source, so
   * that its pushes come in time order). One earlier than the lane's last goes to the heap instead:
   * the order is right either way, the lane only saves heap work.
   */
  pushLane(lane: number, code: number, extra: number): void {
    const t = this.pushTime;
    if (lane >= this.lanes) this.addLanes(lane + 1);
    const len = this.laneLen[lane];
    if (len > 0 && t < this.laneLast[lane]) { this.pushAt(code, extra); return; }
    let ring = this.laneRing[lane];
    if (len === ring.time.length) ring = this.growLane(lane);
    const s = this.counter++;
    const cap = ring.time.length;
    const k = (this.laneHead[lane] + len) & (cap - 1);
    ring.time[k] = t; ring.seq[k] = s; ring.code[k] = code; ring.extra[k] = extra;
    this.laneLen[lane] = len + 1;
    this.laneLast[lane] = t;
    // An empty lane's new head goes into the heap as its marker (at pushTime, which is t).
    if (len === 0) { this.pushSeq = s; this.insert(-1 - lane, 0); }
  }

  /** The sequence number of the event insert() adds (a field, like pushTime, so it is never boxed). */
  private pushSeq = 0;

  /** Adds (code, extra) at (pushTime, pushSeq) to the heap. */
  private insert(code: number, extra: number): void {
    if (this.hole) { this.hole = false; this.sinkTime = this.pushTime; this.sinkSeq = this.pushSeq; this.down(code, extra, this.n); return; }
    if (this.n === this.time.length) this.grow();
    const t = this.pushTime, s = this.pushSeq;
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
    if (this.hole) this.settle();
    if (this.n === 0) return false;
    this.popTime = this.time[0]; this.popCode = this.code[0]; this.popExtra = this.extra[0];
    this.hole = true;
    if (this.popCode < 0) this.popLane(-1 - this.popCode);
    return true;
  }

  /**
   * pop() when the next event is at or before `limit`; false (nothing removed) when it is later
   * or none is left. The run loop's one call per event, for size, peekTime and pop.
   */
  popUntil(limit: number): boolean {
    if (this.hole) this.settle();
    if (this.n === 0 || this.time[0] > limit) return false;
    this.popTime = this.time[0]; this.popCode = this.code[0]; this.popExtra = this.extra[0];
    this.hole = true;
    if (this.popCode < 0) this.popLane(-1 - this.popCode);
    return true;
  }

  /** Removes the hole at the root: the last entry takes its place and sifts down. */
  private settle(): void {
    this.hole = false;
    const last = --this.n;
    if (last > 0) { this.sinkTime = this.time[last]; this.sinkSeq = this.seq[last]; this.down(this.code[last], this.extra[last], last); }
  }

  // The (time, sequence) down() sifts: fields, so the doubles are not boxed across the call.
  private sinkTime = 0;
  private sinkSeq = 0;

  /** Puts (sinkTime, sinkSeq, c, x) at the root of the heap's first n entries and sifts it down to its place. */
  private down(c: number, x: number, n: number): void {
    const t = this.sinkTime, s = this.sinkSeq;
    const time = this.time, seq = this.seq, codes = this.code, extras = this.extra;
    let i = 0;
    // Sift down from the root, choosing the smaller child at each level.
    for (;;) {
      let m = (i << 1) + 1;
      if (m >= n) break;
      let mt = time[m], ms = seq[m];
      const r = m + 1;
      if (r < n) {
        const rt = time[r];
        if (rt < mt || (rt === mt && seq[r] < ms)) { m = r; mt = rt; ms = seq[r]; }
      }
      if (t < mt || (t === mt && s < ms)) break;
      time[i] = mt; seq[i] = ms; codes[i] = codes[m]; extras[i] = extras[m];
      i = m;
    }
    time[i] = t; seq[i] = s; codes[i] = c; extras[i] = x;
  }

  /** The heap gave lane `lane`'s marker: the event is the lane's head; its next head takes the marker's place. */
  private popLane(lane: number): void {
    const ring = this.laneRing[lane];
    const h = this.laneHead[lane];
    this.popCode = ring.code[h]; this.popExtra = ring.extra[h];
    const len = this.laneLen[lane] - 1;
    this.laneLen[lane] = len;
    const next = (h + 1) & (ring.time.length - 1);
    this.laneHead[lane] = next;
    if (len > 0) { this.pushTime = ring.time[next]; this.pushSeq = ring.seq[next]; this.insert(-1 - lane, 0); }
  }

  clear(): void {
    this.n = 0;
    this.hole = false;
    this.counter = 0;
    this.laneLen.fill(0);
    this.laneHead.fill(0);
  }

  // Lanes: rings of events in time order, capacity a power of two; laneLast the time of the last pushed.
  private lanes = 0;
  private laneRing: LaneRing[] = [];
  private laneHead = new Int32Array(0);
  private laneLen = new Int32Array(0);
  private laneLast = new Float64Array(0);

  private addLanes(count: number): void {
    const head = new Int32Array(count); head.set(this.laneHead); this.laneHead = head;
    const len = new Int32Array(count); len.set(this.laneLen); this.laneLen = len;
    const last = new Float64Array(count); last.set(this.laneLast); this.laneLast = last;
    for (let l = this.lanes; l < count; l++) this.laneRing.push(newRing(16));
    this.lanes = count;
  }

  /** Doubles lane `lane`'s ring, its events moved to the front in order. */
  private growLane(lane: number): LaneRing {
    const old = this.laneRing[lane];
    const cap = old.time.length;
    const ring = newRing(cap * 2);
    const h = this.laneHead[lane], len = this.laneLen[lane];
    for (let i = 0; i < len; i++) {
      const k = (h + i) & (cap - 1);
      ring.time[i] = old.time[k]; ring.seq[i] = old.seq[k]; ring.code[i] = old.code[k]; ring.extra[i] = old.extra[k];
    }
    this.laneRing[lane] = ring;
    this.laneHead[lane] = 0;
    return ring;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const c = new Int32Array(cap); c.set(this.code); this.code = c;
    const x = new Int32Array(cap); x.set(this.extra); this.extra = x;
  }
}

interface LaneRing {
  readonly time: Float64Array;
  readonly seq: Float64Array;
  readonly code: Int32Array;
  readonly extra: Int32Array;
}

function newRing(cap: number): LaneRing {
  return { time: new Float64Array(cap), seq: new Float64Array(cap), code: new Int32Array(cap), extra: new Int32Array(cap) };
}
