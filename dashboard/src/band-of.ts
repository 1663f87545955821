// A band's [low, high] rows for a chart, from the means and half-widths bands.ts computes: its own
// module, so that the charts' code (the first chart of a run) loads no simulator (bands.ts takes
// Student's t from it).
/** A band's [low, high] at each index from a mean and half-width array (scaled; low floored at 0:
 * every charted figure is a rate, a time, a share or a count). null where there is no band. */
export function bandOf(mean: ReadonlyArray<number>, half: ReadonlyArray<number> | undefined, scale = 1): Array<[number, number] | null> {
  return mean.map((m, i) => {
    const h = half?.[i];
    if (!Number.isFinite(m) || h === undefined || !Number.isFinite(h)) return null;
    return [Math.max(0, (m - h) * scale), (m + h) * scale];
  });
}
