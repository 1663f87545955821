// Which points a sweep simulates: `--vary PATH=VALUES` specs parsed, then either the full grid
// (every combination, the first --vary outermost) or a Latin hypercube of N samples (each range
// cut into N equal strata, every stratum used exactly once per parameter, strata paired at random
// by a seeded generator). The hypercube trades the grid's regular layout for covering many
// parameters with few runs; the same seed gives the same samples.
import { seededUniform } from "../simulator/random.ts";

export type Values =
  | { readonly kind: "list"; readonly values: number[] }
  /** LO..HI, with `count` evenly spaced values for a grid (LO..HI:N); integer when both ends are. */
  | { readonly kind: "range"; readonly lo: number; readonly hi: number; readonly count: number | null; readonly integer: boolean };

export interface VarySpec { readonly path: string; readonly values: Values }

/** A usage problem in a --vary spec (the CLI turns it into exit 2). */
export class DesignError extends Error {
  override readonly name = "DesignError";
}

const NUM = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const RANGE = new RegExp(`^(${NUM})\\.\\.(${NUM})(?::(\\d+))?$`);
const NUMBER = new RegExp(`^${NUM}$`);

/** `components.api.servers=2,4,8`, `load.rate=100..500:5`, `load.rate=100..500` (with --samples). */
export function parseVary(spec: string): VarySpec {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new DesignError(`--vary '${spec}': expected PATH=VALUES, e.g. components.api.servers=2,4,8 or load.rate=100..500:5`);
  const path = spec.slice(0, eq).trim();
  const text = spec.slice(eq + 1).trim();
  const r = RANGE.exec(text);
  if (r) {
    const lo = Number(r[1]), hi = Number(r[2]);
    const count = r[3] === undefined ? null : Number(r[3]);
    if (!(lo < hi)) throw new DesignError(`--vary ${path}: the range ${text} must go from a lower to a higher number`);
    if (count !== null && count < 2) throw new DesignError(`--vary ${path}: ${text} needs at least 2 values (LO..HI:N with N >= 2)`);
    const integer = !/[.eE]/.test(r[1]) && !/[.eE]/.test(r[2]);
    return { path, values: { kind: "range", lo, hi, count, integer } };
  }
  const items = text.split(",").map((s) => s.trim());
  const bad = items.find((s) => !NUMBER.test(s));
  if (bad !== undefined) throw new DesignError(`--vary ${path}: '${bad}' is not a number (VALUES is a list like 2,4,8 or a range like 100..500:5, in the unit the file writes the field in)`);
  const values = [...new Set(items.map(Number))];
  return { path, values: { kind: "list", values } };
}

/** Every combination, first spec outermost. */
export function gridPoints(specs: ReadonlyArray<VarySpec>): number[][] {
  const axes = specs.map((s) => {
    const v = s.values;
    if (v.kind === "list") return v.values;
    if (v.count === null) throw new DesignError(`--vary ${s.path}: a grid needs the number of values, e.g. ${v.lo}..${v.hi}:5 (or use --samples N for a Latin hypercube)`);
    const step = (v.hi - v.lo) / (v.count - 1);
    const xs = Array.from({ length: v.count }, (_, i) => (i === v.count! - 1 ? v.hi : v.lo + step * i));
    return [...new Set(v.integer ? xs.map(Math.round) : xs.map(tidy))];
  });
  let points: number[][] = [[]];
  for (const axis of axes) points = points.flatMap((p) => axis.map((x) => [...p, x]));
  return points;
}

/** N points of a Latin hypercube: per parameter, one sample in each of N equal strata. */
export function latinHypercube(specs: ReadonlyArray<VarySpec>, samples: number, seed: number): number[][] {
  const random = seededUniform(seed, "sweep-design");
  const columns = specs.map((s) => {
    const order = shuffle(Array.from({ length: samples }, (_, i) => i), random);
    return order.map((stratum) => {
      const u = (stratum + random()) / samples; // uniform within the stratum
      const v = s.values;
      if (v.kind === "list") return v.values[Math.min(v.values.length - 1, Math.floor(u * v.values.length))];
      if (v.integer) return Math.min(v.hi, Math.floor(v.lo + u * (v.hi - v.lo + 1)));
      return tidy(v.lo + u * (v.hi - v.lo));
    });
  });
  return Array.from({ length: samples }, (_, i) => columns.map((c) => c[i]));
}

function shuffle(xs: number[], random: () => number): number[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Six significant digits: enough for a rate or a mean, short in a YAML file and a table. */
function tidy(x: number): number {
  return Number(x.toPrecision(6));
}
