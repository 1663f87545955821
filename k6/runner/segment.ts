// k6's execution segments: how N load generators split one test so that together they send exactly
// what one would. A segment is a fraction (from, to] of the work; a sequence lists the segments of
// all generators. VU and iteration counts are scaled per segment, and arrival-rate iterations are
// striped: each generator starts the iterations whose global index it owns, so the union of all
// generators' arrivals is the unsegmented schedule, each arrival started once. The striping follows
// k6's documented rule (lib/execution_segment.go): over one period of LCD(denominators) indices,
// the segments, largest first, each take an index when their share so far has fallen behind their
// length; the pattern then repeats. Fractions are exact (integer numerators over a common LCD).

/** A fraction n/d in lowest terms (d > 0). */
interface Frac {
  n: number;
  d: number;
}

const gcd = (a: number, b: number): number => {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b) [a, b] = [b, a % b];
  return a || 1;
};
const frac = (n: number, d: number): Frac => {
  const g = gcd(n, d);
  return { n: n / g, d: d / g };
};
const cmp = (a: Frac, b: Frac) => a.n * b.d - b.n * a.d;

/** Parses k6's forms of a point: "1/3", "0.25", "25%", "1". */
export function parsePoint(text: string, what: string): Frac {
  const s = text.trim();
  let m: RegExpExecArray | null;
  if ((m = /^(\d+)%$/.exec(s))) return frac(Number(m[1]), 100);
  if ((m = /^(\d+)\/(\d+)$/.exec(s))) {
    if (Number(m[2]) === 0) throw new Error(`${what}: '${text}' divides by zero`);
    return frac(Number(m[1]), Number(m[2]));
  }
  if ((m = /^(\d+)(?:\.(\d+))?$/.exec(s))) {
    const decimals = m[2] ?? "";
    if (decimals.length > 9) throw new Error(`${what}: '${text}' has more than 9 decimals`);
    return frac(Number(m[1] + decimals), 10 ** decimals.length);
  }
  throw new Error(`${what}: '${text}' is not a fraction, decimal or percentage (k6 accepts e.g. 1/3, 0.25, 25%)`);
}

export interface Segment {
  from: Frac;
  to: Frac;
}

/** k6's `--execution-segment`: "from:to", or a single value meaning "0:value". */
export function parseSegment(text: string): Segment {
  const what = `execution segment '${text}'`;
  const [a, b] = text.includes(":") ? text.split(":", 2) : ["0", text];
  const seg = { from: parsePoint(a, what), to: parsePoint(b, what) };
  checkSegment(seg, what);
  return seg;
}

function checkSegment(s: Segment, what: string): void {
  if (cmp(s.to, { n: 1, d: 1 }) > 0) throw new Error(`${what}: the end must be at most 1`);
  if (cmp(s.from, s.to) >= 0) throw new Error(`${what}: the start must be below the end`);
}

/** k6's `--execution-segment-sequence`: "p0,p1,...,pn", increasing points. */
export function parseSequence(text: string): Segment[] {
  const what = `execution segment sequence '${text}'`;
  const points = text.split(",").map((p) => parsePoint(p, what));
  if (points.length < 2) throw new Error(`${what}: at least 2 points are needed`);
  const out: Segment[] = [];
  for (let i = 1; i < points.length; i++) {
    const s = { from: points[i - 1], to: points[i] };
    checkSegment(s, what);
    out.push(s);
  }
  return out;
}

/** The segments that split 0..1 into `n` equal parts, as k6-operator gives its `parallelism` pods. */
export function equalSequence(n: number): string {
  return Array.from({ length: n + 1 }, (_, i) => (i === 0 ? "0" : i === n ? "1" : `${i}/${n}`)).join(",");
}
export function equalSegment(i: number, n: number): string {
  return `${i === 0 ? "0" : `${i}/${n}`}:${i + 1 === n ? "1" : `${i + 1}/${n}`}`;
}

/**
 * One generator's place in the split: which indices it owns in each period of `lcd` (sorted), so
 * it can scale counts and recognize its arrival-rate iterations.
 */
export interface SegmentTuple {
  readonly segment: string;
  readonly lcd: number;
  /** indices in [0, lcd) this segment owns, increasing */
  readonly owned: readonly number[];
}

/** Fills a sequence to cover 0..1 (k6 does the same: gaps before and after become segments). */
function filled(seq: Segment[] | undefined, seg: Segment): Segment[] {
  const out = seq && seq.length ? [...seq] : [seg];
  if (out[0].from.n !== 0) out.unshift({ from: { n: 0, d: 1 }, to: out[0].from });
  const last = out[out.length - 1].to;
  if (cmp(last, { n: 1, d: 1 }) !== 0) out.push({ from: last, to: { n: 1, d: 1 } });
  for (let i = 1; i < out.length; i++) {
    if (cmp(out[i].from, out[i - 1].to) !== 0) throw new Error("execution segment sequence: each segment must start where the previous one ends");
  }
  return out;
}

/** The tuple for `segment` within `sequence` (default: the segment and the gaps around it). */
export function segmentTuple(segment: string, sequence?: string): SegmentTuple {
  const seg = parseSegment(segment);
  const seq = filled(sequence ? parseSequence(sequence) : undefined, seg);
  const index = seq.findIndex((s) => cmp(s.from, seg.from) === 0 && cmp(s.to, seg.to) === 0);
  if (index < 0) throw new Error(`execution segment '${segment}' is not in the sequence '${sequence}'`);
  const lengths = seq.map((s) => frac(s.to.n * s.from.d - s.from.n * s.to.d, s.to.d * s.from.d));
  let lcd = 1;
  for (const l of lengths) lcd = (lcd / gcd(lcd, l.d)) * l.d;
  if (lcd > 1_000_000) throw new Error(`execution segment sequence: the common denominator ${lcd} is too large (at most 1,000,000)`);
  const share = lengths.map((l) => (l.n * lcd) / l.d); // indices per period, all integers
  const order = share.map((_, i) => i).sort((a, b) => share[b] - share[a] || a - b); // largest first, stable
  const taken = new Array<number>(seq.length).fill(0);
  const owned: number[] = [];
  for (let i = 0; i < lcd; i++) {
    for (const s of order) {
      // s takes index i when i has reached taken[s] * lcd / share[s] (its next due position)
      const due = taken[s] * lcd;
      if (i * share[s] >= due) {
        taken[s]++;
        if (s === index) owned.push(i);
        break;
      }
    }
  }
  return { segment, lcd, owned };
}

/** How many of `value` things (VUs, iterations) this segment gets: its indices below `value`. */
export function scaleCount(t: SegmentTuple, value: number): number {
  const whole = Math.floor(value / t.lcd) * t.owned.length;
  const rest = value % t.lcd;
  let extra = 0;
  for (const i of t.owned) if (i < rest) extra++;
  return whole + extra;
}

/** Whether global iteration `k` (0-based, in the unsegmented schedule) is this segment's. */
export function owns(t: SegmentTuple, k: number): boolean {
  const r = k % t.lcd;
  // owned is short (at most lcd entries) and sorted; a linear scan is cheaper than a Set for small lcd
  for (const i of t.owned) {
    if (i === r) return true;
    if (i > r) return false;
  }
  return false;
}
