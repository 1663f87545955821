// The realtime kind: WebSocket servers holding long-lived connections (per-instance connection and
// memory limits, out-of-memory failures), clients that connect, publish to channels and reconnect
// with backoff after a drop, a pub/sub backbone between instances (Redis PUBLISH, one server) and a
// send queue per instance fanning each message out to its subscribers. Unlike the request kinds it
// runs its own events (runtime.ts). Schema and checks still live in model/schema.ts and
// model/check.ts; the load's `connections:` section feeds it (docs/scenario-format.md).
import type { KindModule } from "../kind.ts";
import { compileRealtime, emitRealtimeCall, type RealtimeSpec } from "./compile.ts";
import { RealtimeRuntime } from "./runtime.ts";
import { realtimeResult } from "./result.ts";

export { connectRealtime, MAX_SESSIONS, type RealtimeSpec } from "./compile.ts";
export { RealtimeRuntime, type RealtimeStats } from "./runtime.ts";
export { realtimeStats, type RealtimeResultSection } from "./result.ts";
export { channelConcentration, erlangB, realtimeAnalytic, realtimeEstimate, type RealtimeEstimate } from "./analytic.ts";

export const realtime: KindModule<"realtime", RealtimeSpec, RealtimeRuntime> = {
  kind: "realtime",
  compile: compileRealtime,
  emitCall: emitRealtimeCall,
  runtime: (specs, ctx) => new RealtimeRuntime(specs, ctx),
  result: realtimeResult,
};
