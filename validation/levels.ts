// Load levels for a validation run: the predicted saturation rate of a scenario and the scenario
// re-rated to a fraction of it. Saturation comes from one short simulation: below saturation the
// bottleneck's utilization grows linearly with the offered rate, so rate_sat ≈ rate / max utilization.
import { simulate, type Scenario } from "../simulator/index.ts";

export class LevelError extends Error {
  override readonly name = "LevelError";
}

/** The scenario's constant open-model rate; validation needs one to scale. */
export function nominalRate(s: Scenario): number {
  if (s.load.model !== "open" || s.load.rate === undefined || s.load.stages !== undefined) {
    throw new LevelError(`scenario '${s.name}': validation needs load.model: open with a constant load.rate (no stages)`);
  }
  return s.load.rate;
}

/** The same scenario at another constant rate. */
export function withRate(s: Scenario, rate: number): Scenario {
  nominalRate(s);
  return { ...s, load: { ...s.load, rate } } as Scenario;
}

export interface Saturation {
  rate: number;
  bottleneck: string;
  /** utilization of the bottleneck at the probed rate */
  utilization: number;
  probedRate: number;
}

/** Components whose utilization means "busy share of a bounded resource". */
export function maxUtilization(components: Record<string, { kind: string; servers: number | null; utilization: { mean: number } }>): { name: string; u: number } {
  let best = { name: "", u: 0 };
  for (const [name, c] of Object.entries(components)) {
    if (c.servers === null || !Number.isFinite(c.utilization.mean)) continue;
    if (c.utilization.mean > best.u) best = { name, u: c.utilization.mean };
  }
  return best;
}

/**
 * Predicted saturation: simulate at a low rate (well below any knee, so utilization is linear in
 * the rate) and extrapolate. The probe rate is the nominal one, halved until the bottleneck is
 * below 60% busy.
 */
export function predictSaturation(s: Scenario, seed?: number): Saturation {
  let rate = nominalRate(s);
  for (let i = 0; i < 8; i++) {
    const r = simulate(withRate(s, rate), { duration: 40, warmup: 5, replications: 2, seed });
    const m = maxUtilization(r.components);
    if (m.u <= 0) throw new LevelError(`scenario '${s.name}': no component has a bounded utilization; cannot locate saturation`);
    if (m.u < 0.6) return { rate: rate / m.u, bottleneck: m.name, utilization: m.u, probedRate: rate };
    rate /= 2;
  }
  throw new LevelError(`scenario '${s.name}': still saturated at ${rate} req/s`);
}
