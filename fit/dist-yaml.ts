// A fitted distribution written the scenario's way: `{ dist: lognormal, mean: 2.13ms, cv: 0.48 }`,
// durations in ms to 4 significant digits (what parse.ts reads back). Trades away digits beyond 4:
// below the fits' own standard errors for any sample under a million.
import { chosenMoments, type FitResult } from "./fit-dist.ts";

export function ms(seconds: number): string {
  return `${Number((seconds * 1000).toPrecision(4))}ms`;
}

const sig = (x: number) => Number(x.toPrecision(4));

/** The scenario distribution for a fit; the caller says what to write when there is none. */
export function distOf(fit: FitResult): Record<string, unknown> | string {
  const { mean, cv } = chosenMoments(fit);
  switch (fit.chosen) {
    case "exponential":
      return { dist: "exponential", mean: ms(mean) };
    case "lognormal":
    case "gamma":
      return { dist: fit.chosen, mean: ms(mean), cv: sig(cv) };
    case "constant":
      return ms(mean);
    case "empirical":
      return { dist: "empirical", samples: fit.empirical.map(ms) };
  }
}
