// The CDN's rows of a `headroom validate` level (issue 15: a CDN with regions, each region's users
// entering at its server of the edge): its hit ratio and its origin fetches per second, beside the
// region rows. Measured from what the app counts (validation/measure.ts `cdn`): the lookups are
// the load's requests of the classes served through the CDN, answered in the window; the origin
// fetches are those classes' requests the services answered. Pure: its tests start no app.
//
// - Hit ratio: 1 - origin fetches / lookups against the model's `components.<cdn>.hitRatio`,
//   absolute, 3 points widened to 3 binomial standard errors of the window's lookups plus the
//   model's 95% interval where wider (compare.ts hitRatioRow, as a cache's).
// - Origin throughput: the model's misses per second (throughput x (1 - hit ratio)) per lookup it
//   offered, times the measured lookups per second (conditioned on the load really sent, as the
//   class rows are). 3%, widened to 3 standard errors of the two counts' difference where wider: a
//   window's misses are counts (a cold edge's first fetch of each object, then one per TTL), about
//   Poisson, so sqrt(1/n) each side (a few hundred misses carry 5-10%).
// What it trades: nginx's proxy_cache_lock makes concurrent misses of one object wait for the one
// fetch (they count as hits here), where the model sends each to the origin; at the validation
// scenario's rates two lookups of one cold object within a fetch's time are rare.
import type { SimResult } from "../simulator/index.ts";
import { hitRatioRow, row, widened, type Row } from "./compare.ts";
import type { Measured } from "./measure.ts";

const windowOf = (sim: SimResult) => sim.run.replications * (sim.run.durationS - sim.run.warmupS);

export function cdnRows(sim: SimResult, measured: Measured["cdn"], windowS: number, applies: boolean): Row[] {
  if (!measured) return [];
  const c = sim.components[measured.name];
  const hr = c?.hitRatio;
  if (!c || !hr) return [];
  const hit = measured.lookups > 0 ? 1 - Math.min(1, measured.originPerSecond / measured.lookupsPerSecond) : undefined;
  const rows = [hitRatioRow(measured.name, hr.mean, hr.ci95 ?? null, hit, measured.lookups, applies)];
  const missesPerS = c.throughput.mean * (1 - hr.mean);
  const predicted = c.throughput.mean > 0 ? (missesPerS / c.throughput.mean) * measured.lookupsPerSecond : 0;
  const r = row(measured.name, "originThroughput", predicted, measured.originPerSecond, "relative", applies);
  const modelMisses = missesPerS * windowOf(sim);
  const measuredMisses = measured.originPerSecond * windowS;
  rows.push(modelMisses > 0 && measuredMisses > 0 ? widened(r, 3 * Math.sqrt(1 / modelMisses + 1 / measuredMisses)) : r);
  return rows;
}
