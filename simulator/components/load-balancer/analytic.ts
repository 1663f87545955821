// A balancer's analytic form: a request holds a backend connection while it waits for and holds
// a slot of the service behind (the slots' wait and holding time, analytic/times.ts), after the
// proxy's own time; its connections are maxconn per replica (unbounded without maxconn). The wait
// at the balancer is the slots' wait when the balancer is the central queue in front of them
// (`frontsSlots`: least connections, or maxconn at or below the slots) and maxconn at or below the
// service's concurrency; TLS handshakes' CPUs are a part of their own, counted in its peak.
import type { Component, LoadBalancerComponent } from "../../model/schema.ts";
import { meanOf } from "../../model/dist-moments.ts";
import type { Moments } from "../../analytic/station.ts";

/** The TLS CPUs' part: its name among the parts, its handshake rate and utilization. */
export interface BalancerTlsPart {
  readonly part: string;
  readonly lambda: number;
  readonly utilization: number;
}

/** The balancer's entry among the analytic estimate's components, at `lambda` requests per second. */
export function balancerAnalytic(c: LoadBalancerComponent, backend: Component, lambda: number, slots: { readonly wait: Moments; readonly holding: Moments }, frontsSlots: boolean, tls: BalancerTlsPart | undefined) {
  const replicas = backend.kind === "service" ? backend.replicas : 1;
  const overhead = c.overhead ? meanOf(c.overhead) : 0;
  const held = slots.wait.mean + slots.holding.mean;
  const servers = c.maxconn !== undefined ? c.maxconn * replicas : null;
  const u = servers !== null ? (lambda * held) / servers : null;
  const pooledHere = frontsSlots && c.maxconn !== undefined && backend.kind === "service" && c.maxconn <= backend.concurrency;
  return {
    kind: c.kind, servers, throughput: lambda, utilization: u, peakUtilization: tls ? Math.max(u ?? 0, tls.utilization) : u,
    waitMs: pooledHere ? slots.wait.mean * 1000 : 0, responseMs: (overhead + held) * 1000,
    ...(tls ? { parts: { [tls.part]: { utilization: tls.utilization, throughput: tls.lambda } } } : {}),
  };
}
