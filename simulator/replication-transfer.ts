// Replication results across a thread boundary (cli/parallel-simulate.ts). postMessage copies a
// ReplicationResult by the structured-clone algorithm: numbers (NaN and -0 included), typed arrays
// and plain objects arrive exactly, but class instances arrive as plain objects. The only class in
// there is the latency Histogram; this gives the copies their prototype back, so
// combineReplications() reads them as it reads histograms made in this thread, and the result is
// byte-identical to a serial run's. Histograms are found by shape (the own keys of a new one), so a
// histogram added to the statistics later comes back without a change here. Costs one walk over
// the result's objects (not over typed-array contents), small beside the replication itself.
import { Histogram } from "./engine/histogram.ts";
import type { ReplicationResult } from "./engine/simulation.ts";

const HISTOGRAM_KEYS = Object.keys(new Histogram()).join(",");

/** `copy` (a structured clone of a ReplicationResult), its histograms revived in place. */
export function reviveReplication(copy: unknown): ReplicationResult {
  revive(copy);
  return copy as ReplicationResult;
}

function revive(x: unknown): void {
  if (x === null || typeof x !== "object" || ArrayBuffer.isView(x)) return;
  if (Array.isArray(x)) {
    for (const v of x) revive(v);
    return;
  }
  if (Object.getPrototypeOf(x) === Object.prototype && Object.keys(x).join(",") === HISTOGRAM_KEYS) {
    Object.setPrototypeOf(x, Histogram.prototype);
    return;
  }
  for (const v of Object.values(x)) revive(v);
}
