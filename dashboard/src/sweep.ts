// The capacity curve's inputs: a scenario rescaled to a given total arrival rate (every stage and
// the constant rate scaled by the same factor, so the load's shape is kept), the rates to sweep,
// and the knee read off the swept results.
import { peakRate, type Scenario, type SimResult } from "../../simulator/index.ts";

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

/** The knee: the first swept rate whose p99 is more than twice the lowest rate's p99 (where queueing
 * starts to dominate), or undefined if latency never doubles within the sweep. */
export function knee(points: ReadonlyArray<{ rate: number; p99: number }>): number | undefined {
  if (points.length < 2) return undefined;
  const base = points[0].p99;
  return points.find((p) => p.p99 > 2 * base)?.rate;
}
