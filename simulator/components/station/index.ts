// The station kind: a queueing center with c servers, a finite buffer, a queue timeout and
// probabilistic routing to other stations. Flows reach it with `visit:`. Schema and checks still
// live in model/schema.ts and model/check.ts; the kernel serves its one resource (request, grant,
// serviceDone) as it serves every service-mode resource, and asks the runtime where a finished
// visit goes next.
import type { KindModule } from "../kind.ts";
import { compileStation, emitStationCall, type StationSpec } from "./compile.ts";
import { StationRuntime } from "./runtime.ts";
import { stationResult } from "./result.ts";

export { emitVisit, stationRouting, type StationSpec } from "./compile.ts";
export { StationRuntime } from "./runtime.ts";
export { stationAnalytic, stationVisits } from "./analytic.ts";

export const station: KindModule<"station", StationSpec, StationRuntime> = {
  kind: "station",
  compile: compileStation,
  emitCall: emitStationCall,
  runtime: (specs, ctx) => new StationRuntime(specs, ctx),
  result: stationResult,
};
