// The result's top-level `edges`: per caller -> callee edge ("from->to", "users" for the classes'
// own calls; engine/edge-plan.ts lists which), the requests per second sent over it in the
// statistics window, with its 95% confidence half-width over replications as every figure of
// result.ts. Where payloads are modelled, the edge's bytes each way and the sized requests and
// responses that carried them join it (payload-result.ts); an edge only responses cross (a
// callee's answer to its caller) has those and no requests. Sent requests include those the callee then refused or failed, and
// retries: inbound edges add up to a component's arrivals, its throughput plus its losses.
import type { Program } from "./engine/program.ts";
import type { ReplicationResult } from "./engine/simulation.ts";
import { edgeBytes, type EdgeBytes } from "./payload-result.ts";
import { estimate, type Estimate } from "./engine/stats.ts";

export interface EdgeResult {
  /** Requests sent over the edge per second (retries included). */
  readonly requestsPerSecond: Estimate;
  /** Payloads only: bytes each way, and the requests and responses that carried sizes (bytes / sized transfers = mean size). */
  readonly requestBytesPerSecond?: Estimate;
  readonly responseBytesPerSecond?: Estimate;
  readonly sizedRequestsPerSecond?: Estimate;
  readonly responsesPerSecond?: Estimate;
}

export function edgesResult(p: Program, reps: readonly ReplicationResult[]): Record<string, EdgeResult> | undefined {
  const bytes: Record<string, EdgeBytes> = edgeBytes(p, reps) ?? {};
  const out: Record<string, EdgeResult> = {};
  p.edges.names.forEach((name, e) => {
    const sent = estimate(reps.map((r) => r.edges[e] / r.window));
    const b = Object.hasOwn(bytes, name) ? bytes[name] : undefined;
    out[name] = b ? { requestsPerSecond: sent, ...b } : { requestsPerSecond: sent };
  });
  for (const [name, b] of Object.entries(bytes)) if (!Object.hasOwn(out, name)) out[name] = { requestsPerSecond: estimate(reps.map(() => 0)), ...b };
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The edges of a result that carried bytes (payloads modelled), in the result's order; [] for none or an older file. */
export function payloadEdges(edges: Readonly<Record<string, EdgeResult>> | undefined): Array<[string, Required<EdgeResult>]> {
  return Object.entries(edges ?? {}).filter((x): x is [string, Required<EdgeResult>] => x[1].requestBytesPerSecond !== undefined);
}
