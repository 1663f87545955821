// The capacity curve's inputs: a scenario rescaled to a given total arrival rate (every stage and
// the constant rate scaled by the same factor, so the load's shape is kept), the rates to sweep,
// and the knee read off the swept results, by the rule of `headroom capacity` (planning/verdict.ts).
import { peakRate, type Scenario, type SimResult } from "../../simulator/index.ts";
import { QUEUE_SATURATED } from "../../planning/verdict.ts";

export function atRate(s: Scenario, rate: number): Scenario {
  if (s.load.model !== "open") throw new Error("a capacity sweep needs an open load model (arrival rates)");
  const peak = peakRate(s) ?? 0;
  if (!(peak > 0)) throw new Error("the scenario's load has no positive rate to scale");
  const k = rate / peak;
  const load = s.load;
  return {
    ...s,
    load: {
      ...load,
      rate: load.rate !== undefined ? load.rate * k : undefined,
      start_rate: load.start_rate * k,
      stages: load.stages?.map((st) => ({
        ...st,
        target: st.target !== undefined ? st.target * k : undefined,
        min: st.min !== undefined ? st.min * k : undefined,
        max: st.max !== undefined ? st.max * k : undefined,
      })) as typeof load.stages,
    },
  };
}

/** Evenly spaced rates up to 150% of the scenario's peak rate, or, when the bottleneck's saturation
 * rate is known, up to 110% of it (the curve should show the wall, not stop before it). */
export function sweepRates(s: Scenario, points = 12, saturationRate?: number): number[] {
  const peak = peakRate(s) ?? 0;
  const top = saturationRate !== undefined && saturationRate > 0 ? Math.max(saturationRate * 1.1, peak) : peak * 1.5;
  const out: number[] = [];
  for (let i = 1; i <= points; i++) out.push(+((top * i) / points).toPrecision(4));
  return out;
}

/** The rate at which the bottleneck saturates, from one run: its throughput over utilization,
 * scaled by the share of the load it sees. Undefined without a busy component. */
export function saturationRate(result: SimResult, offeredRate: number): number | undefined {
  const b = result.bottleneck ? result.components[result.bottleneck] : undefined;
  if (!b || !(b.utilization.mean > 0.01)) return undefined;
  return offeredRate / b.utilization.mean;
}

/** One swept rate as the knee rule reads it. */
export interface KneePoint {
  readonly rate: number;
  /** worst class's p99 (ms) */
  readonly p99: number;
  /** the bottleneck's utilization */
  readonly utilization: number;
  /** whether the scenario has an SLO */
  readonly hasSlo: boolean;
  /** the CLI capacity's verdict at this rate (planning/verdict.ts firstFailure): the first
   * failing SLO check or saturated queue, null when sustainable */
  readonly failure: string | null;
}

/**
 * Whether a swept rate is sustainable. With an SLO it is `headroom capacity`'s rule exactly: every
 * latency limit and the error rate hold and no queue's workers are over 97% busy. Without an SLO,
 * the same queue rule, no bottleneck over 97% busy (saturation), and p99 within twice the lowest
 * rate's (where queueing starts to dominate).
 */
export function sustainable(p: KneePoint, baseP99: number): boolean {
  if (p.failure !== null) return false;
  if (p.hasSlo) return true;
  return !(p.utilization > QUEUE_SATURATED) && p.p99 <= 2 * baseP99;
}

/** The knee's bracket: `below` is the highest rate of the leading run of sustainable rates (the
 * knee), `above` the first rate past it; either is undefined when the sweep does not reach it. */
export function kneeBracket(points: ReadonlyArray<KneePoint>): { below?: number; above?: number } {
  const sorted = [...points].sort((a, b) => a.rate - b.rate);
  if (sorted.length === 0) return {};
  const base = sorted[0].p99;
  let below: number | undefined;
  for (const p of sorted) {
    if (!sustainable(p, base)) return { below, above: p.rate };
    below = p.rate;
  }
  return { below };
}

/** The knee: the highest sustainable rate before the first unsustainable one, so always before
 * saturation; undefined when the sweep never leaves the sustainable range (or starts outside it). */
export function knee(points: ReadonlyArray<KneePoint>): number | undefined {
  const b = kneeBracket(points);
  return b.above !== undefined ? b.below : undefined;
}

/** The rate halfway through a knee bracket, or undefined when there is no bracket to bisect. */
export function bisectKnee(points: ReadonlyArray<KneePoint>): number | undefined {
  const b = kneeBracket(points);
  if (b.below === undefined || b.above === undefined) return undefined;
  return +((b.below + b.above) / 2).toPrecision(4);
}
