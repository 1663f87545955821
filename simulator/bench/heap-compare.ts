// Measures the calendar's heap arity: the classic "hold" model (pop the earliest event, push one
// exponentially later) at several calendar sizes, for the binary heap the engine uses and a 4-ary
// heap kept here only for the comparison. Same arrays, same (time, seq) order; only arity differs.
import { Calendar } from "../engine/calendar.ts";
import { Rng } from "../engine/rng.ts";

class QuaternaryCalendar {
  private time = new Float64Array(1 << 20);
  private seq = new Float64Array(1 << 20);
  private code = new Int32Array(1 << 20);
  private extra = new Int32Array(1 << 20);
  private n = 0;
  private counter = 0;
  popTime = 0;
  popCode = 0;
  popExtra = 0;
  push(t: number, c: number, x: number): void {
    const time = this.time, seq = this.seq, code = this.code, extra = this.extra;
    const s = this.counter++;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 2;
      if (time[p] < t || (time[p] === t && seq[p] < s)) break;
      time[i] = time[p]; seq[i] = seq[p]; code[i] = code[p]; extra[i] = extra[p];
      i = p;
    }
    time[i] = t; seq[i] = s; code[i] = c; extra[i] = x;
  }
  pop(): void {
    const time = this.time, seq = this.seq, code = this.code, extra = this.extra;
    this.popTime = time[0]; this.popCode = code[0]; this.popExtra = extra[0];
    const last = --this.n;
    const t = time[last], s = seq[last], c = code[last], x = extra[last];
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= last) break;
      let m = first, mt = time[first], ms = seq[first];
      const end = first + 4 < last ? first + 4 : last;
      for (let k = first + 1; k < end; k++) {
        if (time[k] < mt || (time[k] === mt && seq[k] < ms)) { m = k; mt = time[k]; ms = seq[k]; }
      }
      if (t < mt || (t === mt && s < ms)) break;
      time[i] = mt; seq[i] = ms; code[i] = code[m]; extra[i] = extra[m];
      i = m;
    }
    time[i] = t; seq[i] = s; code[i] = c; extra[i] = x;
  }
}

function hold(make: () => { push(t: number, c: number, x: number): void; pop(): unknown; popTime: number }, size: number, ops: number): number {
  const cal = make();
  const rng = new Rng(1, 0, "hold");
  for (let i = 0; i < size; i++) cal.push(-Math.log(rng.next()), i, 0);
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    cal.pop();
    cal.push(cal.popTime - Math.log(rng.next()), i, 0);
  }
  return ops / ((performance.now() - t0) / 1000);
}

const ops = 5_000_000;
for (const size of [16, 1_000, 100_000]) {
  // Alternate the two several times and keep the best of each: the machine is shared and noisy.
  let four = 0, two = 0;
  for (let r = 0; r < 3; r++) {
    two = Math.max(two, hold(() => new Calendar(1 << 20), size, ops));
    four = Math.max(four, hold(() => new QuaternaryCalendar(), size, ops));
  }
  console.log(`calendar size ${String(size).padStart(6)}: binary (engine) ${(two / 1e6).toFixed(1)} M hold ops/s, 4-ary ${(four / 1e6).toFixed(1)} M hold ops/s, 4-ary/binary ${(four / two).toFixed(2)}`);
}
