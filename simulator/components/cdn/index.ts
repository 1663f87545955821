// The CDN kind: an edge cache in front of an origin (a service, balancer or geo route). A request
// pays the edge latency; on a miss (object not fetched within the TTL) the edge calls the origin and
// keeps the answer. Schema and checks still live in model/schema.ts and model/check.ts.
import type { KindModule } from "../kind.ts";
import { compileCdn, emitCdnCall, type CdnSpec } from "./compile.ts";
import { CdnRuntime } from "./runtime.ts";
import { cdnResult } from "./result.ts";

export type { CdnSpec } from "./compile.ts";
export { CdnRuntime } from "./runtime.ts";
export { cdnAnalytic, cdnHitRatio, ttlHitRatio } from "./analytic.ts";

export const cdn: KindModule<"cdn", CdnSpec, CdnRuntime> = {
  kind: "cdn",
  compile: compileCdn,
  emitCall: emitCdnCall,
  runtime: (specs, ctx) => new CdnRuntime(specs, ctx),
  result: cdnResult,
};
