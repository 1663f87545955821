// Where the link relay (parts/link-relay.ts) stands for a plan's links: one route per path whose
// messages cross a link, as the model sends them (simulator/engine/payload-plan.ts: a transfer
// crosses its sender's link). A route carries one caller's connections to one target: its
// requests cross the caller's link (up) and the target's answers the target's link (down).
// The callers are the users (no link), the balancers (HAProxy's servers point at routes) and the
// services (their peers' addresses are routes, and a linked cache's or database's address a route
// speaking RESP or PostgreSQL's protocol). A path with neither end linked gets no route: its
// messages would cross nothing. Pure: the launcher (parts/link-relay-proc.ts) gives the routes
// ports, and plan.ts counts them among the ports a run needs.
import type { AppPlan } from "./plan.ts";

export interface PlannedRoute {
  /** "users->lb", "lb->api-1", "api->store-2", "api->inner". */
  readonly name: string;
  /** The service or balancer whose connections enter the route; null: the users. */
  readonly caller: string | null;
  /** The component reached: a balancer, or a service's replica place `place` (0-based). */
  readonly target: string;
  readonly place: number;
  /** Indices in plan.links; -1: none. */
  readonly up: number;
  readonly down: number;
  /** What its connections speak: HTTP, Redis's RESP to a cache, PostgreSQL's protocol to a database. */
  readonly protocol: "http" | "resp" | "pg";
}

export function linkRoutes(plan: AppPlan): PlannedRoute[] {
  if (plan.links.length === 0) return [];
  const link = (c: string | null) => (c === null ? -1 : plan.links.findIndex((l) => l.component === c));
  const routes: PlannedRoute[] = [];
  const add = (caller: string | null, target: string, place: number, name: string, protocol: "http" | "resp" | "pg" = "http") => {
    const up = link(caller), down = link(target);
    if (up >= 0 || down >= 0) routes.push({ name, caller, target, place, up, down, protocol });
  };
  // the users: through the entry balancer, else to a lone entry replica
  if (plan.lb) add(null, plan.lb.name, 0, `users->${plan.lb.name}`);
  else add(null, plan.service.name, 0, `users->${plan.service.name}-1`);
  // each balancer to each replica place of its backend
  for (const b of plan.balancers) {
    const backend = plan.services.find((p) => p.name === b.backends)!;
    for (let i = 0; i < backend.places; i++) add(b.name, backend.name, i, `${b.name}->${backend.name}-${i + 1}`);
  }
  // each service to the balancers and services it calls (a called service's running replicas)
  for (const sp of plan.services) {
    for (const c of sp.calls) {
      if (plan.balancers.some((b) => b.name === c)) add(sp.name, c, 0, `${sp.name}->${c}`);
      const callee = plan.services.find((p) => p.name === c);
      if (callee) for (let i = 0; i < callee.replicas; i++) add(sp.name, c, i, `${sp.name}->${c}-${i + 1}`);
      // a cache with a link: its replies cross it, the caller's commands its own link (if any). A
      // cache without one is reached straight: the commands of the caller's calls to it carry no
      // size the app realizes on its link (plan.ts refuses sizes on them)
      if (plan.caches.some((k) => k.name === c) && link(c) >= 0) add(sp.name, c, 0, `${sp.name}->${c}`, "resp");
      // a database with a link: a route per server (plan.ts realizes it on one), its answers on its link
      if (plan.db?.name === c && link(c) >= 0) {
        const servers = plan.db.shards * (1 + plan.db.replicas);
        for (let i = 0; i < servers; i++) add(sp.name, c, i, servers > 1 ? `${sp.name}->${c}-${i + 1}` : `${sp.name}->${c}`, "pg");
      }
    }
  }
  return routes;
}
