// The geo kind: a geo route (the scenario's `geo:` section), a name calls use like a component that
// sends each request to the entry in its users' region, or the nearest healthy one when that region
// is down or its service has no replica serving. It is not a component (no units, no component
// result), so it is not a KindModule: its compile step takes the route's entries, its runtime the
// balancers' health view. Schema and checks still live in model/schema.ts and model/check.ts; the
// order of the entries per origin is model/regions.ts's geoOrder (the reference app uses it too).
export { compileGeo, emitGeoCall, type GeoCompileContext, type GeoSpec } from "./compile.ts";
export { GeoRuntime } from "./runtime.ts";
export { geoEntry } from "./analytic.ts";
export { failedOver } from "./result.ts";
