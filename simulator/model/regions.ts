// Regions of a scenario: which region each component is in, where the users are, the one-way
// latency between two regions and the order in which a geo step tries its targets. Shared by the
// checks, the compiler and the analytic solver so the three read the `regions:` section alike.
import type { Dist, Scenario } from "./schema.ts";
import { meanOf } from "./dist-moments.ts";
import { own } from "./own.ts";

/** Region names in file order; empty when the scenario has no `regions:` section. */
export function regionNames(s: Scenario): string[] {
  return Object.keys(s.regions ?? {});
}

/** The one-way latency from region a to b (symmetric; given under either region), or undefined within a region. */
export function latencyBetween(s: Scenario, a: string | undefined, b: string | undefined): Dist | undefined {
  if (a === undefined || b === undefined || a === b || !s.regions) return undefined;
  return own(own(s.regions, a)?.latency, b) ?? own(own(s.regions, b)?.latency, a);
}

/** The bandwidth of the link between regions a and b, each way, bits/s (symmetric; given under either region), or undefined. */
export function bandwidthBetween(s: Scenario, a: string | undefined, b: string | undefined): number | undefined {
  if (a === undefined || b === undefined || a === b || !s.regions) return undefined;
  return own(own(s.regions, a)?.bandwidth, b) ?? own(own(s.regions, b)?.bandwidth, a);
}

export function meanLatency(s: Scenario, a: string | undefined, b: string | undefined): number {
  const d = latencyBetween(s, a, b);
  return d ? meanOf(d) : 0;
}

/** A component's region: its own `region:`, or undefined (a CDN is at the edge, next to its caller). */
export function regionOf(s: Scenario, component: string): string | undefined {
  return own(s.components, component)?.region;
}

/** Where requests come from, shares summing to 1; one unnamed origin without regions. */
export function originShares(s: Scenario): Array<{ region: string | undefined; share: number }> {
  const r = s.load.regions;
  if (!r || regionNames(s).length === 0) return [{ region: undefined, share: 1 }];
  const total = Object.values(r).reduce((a, b) => a + b, 0);
  return Object.entries(r).map(([region, w]) => ({ region, share: w / total }));
}

/**
 * The order in which a geo step tries its targets for a request from `origin`: the target in the
 * origin region first, then the others by mean latency from the origin (file order on ties).
 */
export function geoOrder(s: Scenario, targets: ReadonlyArray<string>, origin: string | undefined): number[] {
  const idx = targets.map((_, i) => i);
  const dist = (i: number) => (regionOf(s, targets[i]) === origin ? -1 : meanLatency(s, origin, regionOf(s, targets[i])));
  return idx.sort((a, b) => dist(a) - dist(b) || a - b);
}
