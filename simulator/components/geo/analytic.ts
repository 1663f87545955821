// A geo route's analytic form: in steady state (no failures, as everywhere in the analytic
// estimate) every request goes to the entry in its users' own region, the first in the origin's
// order; the traffic and time passes (analytic/traffic.ts, analytic/times.ts) follow that entry.
import type { Scenario } from "../../model/schema.ts";
import { geoOrder } from "../../model/regions.ts";
import { own } from "../../model/own.ts";

/** The component a call to `name` reaches from origin region `origin`: itself, or for a geo route its steady-state entry. */
export function geoEntry(s: Scenario, name: string, origin: string | undefined): string {
  const entries = own(s.geo, name);
  if (!entries || own(s.components, name)) return name;
  return entries[geoOrder(s, entries, origin)[0]];
}
