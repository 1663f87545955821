// Analytic estimates of a scenario at a steady load (queueing theory instead of simulation):
// instant, approximate, used by `headroom simulate --analytic` and to bracket capacity searches.
export { solveAnalytic, nominalLoad, costPerHour, ANALYTIC_SCHEMA, type AnalyticResult, type AnalyticComponent, type AnalyticClass, type AnalyticOptions } from "./solve.ts";
export { erlangC, solveStation, quantileOf, type Moments } from "./station.ts";
export { mva, type MvaStation } from "./mva.ts";
export { bucketShares } from "./keys.ts";
export { lruHitRatio } from "./hit-ratio.ts";
export { scaleLoad, scaleSystem, loadUnit, type LoadUnit } from "./scale.ts";
export { analyticBracket, analyticMeetsSlo, type AnalyticBracket } from "./bracket.ts";
export { wakeMoments } from "./times.ts";
