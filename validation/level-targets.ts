// The rates a validation run offers, from the predicted saturation rate and the user's --levels or
// --rates: one place, so the plan printed before load is sent to someone's own system (validate
// --target) lists exactly the rates the run then uses.

/** Validation's default levels: fractions of the predicted saturation rate. */
export const DEFAULT_LEVELS: readonly number[] = [0.3, 0.5, 0.7];

export interface LevelTarget {
  /** fraction of the predicted saturation rate, null for an explicit rate */
  level: number | null;
  rate: number;
}

/** Explicit rates as given, else each level's fraction of the saturation rate (at least 1 req/s); none by default with the knee alone. */
export function levelTargets(saturationRate: number, o: { levels?: readonly number[]; rates?: readonly number[]; knee?: boolean }): LevelTarget[] {
  if (o.rates) return o.rates.map((rate) => ({ level: null, rate }));
  return (o.levels ?? (o.knee ? [] : DEFAULT_LEVELS)).map((level) => ({ level, rate: levelRate(saturationRate, level) }));
}

/** A fraction of the saturation rate as the whole rate a level offers. */
export function levelRate(saturationRate: number, fraction: number): number {
  return Math.max(1, Math.round(fraction * saturationRate));
}
