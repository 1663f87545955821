// Round axis ticks: steps of 1, 2, 2.5 or 5 times a power of ten, so axes read 0-100-200-300-400
// rather than 0-95-190-285-380 or 0-125-250-375-500.

const MULTIPLIERS = [1, 2, 2.5, 5];

function candidates(max: number): number[] {
  const base = 10 ** Math.floor(Math.log10(max));
  const out: number[] = [];
  for (const p of [base / 100, base / 10, base, base * 10]) for (const m of MULTIPLIERS) out.push(m * p);
  return out;
}

/** Fix floating-point noise in multiples of a decimal step (0.30000000000000004 -> 0.3). */
const tidy = (v: number) => +v.toPrecision(12);

/** A 0-based axis that covers max: the lowest round top with 4 to 6 intervals. */
export function niceScale(max: number): { top: number; ticks: number[] } {
  if (!(max > 0) || !Number.isFinite(max)) return { top: 1, ticks: [0, 0.25, 0.5, 0.75, 1] };
  let best: { top: number; step: number } | undefined;
  for (const step of candidates(max)) {
    const n = Math.ceil(tidy(max / step));
    if (n < 4 || n > 6) continue;
    const top = tidy(n * step);
    if (!best || top < best.top) best = { top, step };
  }
  const { top, step } = best ?? { top: max, step: max / 4 };
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 1e6; v += step) ticks.push(tidy(v));
  return { top, ticks };
}

/** Ticks inside [0, max] for an axis that must end exactly at max (simulated time): 4 to 8 of them. */
export function ticksWithin(max: number): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0];
  for (const step of candidates(max)) {
    const n = Math.floor(tidy(max / step));
    if (n >= 3 && n <= 7) {
      const ticks: number[] = [];
      for (let i = 0; i <= n; i++) ticks.push(tidy(i * step));
      if (ticks[ticks.length - 1] < max && (max - ticks[ticks.length - 1]) / step > 0.4) ticks.push(max);
      return ticks;
    }
  }
  return [0, max];
}

/** Largest finite value of the given keys over rows (0 if none). */
export function maxOf<R extends object>(rows: ReadonlyArray<R>, keys: ReadonlyArray<string>, extra: ReadonlyArray<number | undefined> = []): number {
  let m = 0;
  for (const r of rows) for (const k of keys) { const v = (r as Record<string, unknown>)[k]; if (typeof v === "number" && Number.isFinite(v) && v > m) m = v; }
  for (const v of extra) if (v !== undefined && Number.isFinite(v) && v > m) m = v;
  return m;
}
