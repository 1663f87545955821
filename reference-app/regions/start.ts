// The running side of a scenario's regions (what regions/placement.ts planned): the delaying relay
// that carries every crossing between regions, and one geo router per origin region of the users.
// Both are scoped resources of the launcher's run, released (the relay stopped, HAProxy stopped)
// on success, failure or interruption; the relay also exits when the launcher dies (its stdin).
//
// The relay is one process (regions/relay-main.ts, at a real-time priority as root) holding a
// route per (caller region, target port): a caller in region A reaches a service, balancer,
// cache, database server or queue broker of region B on the route's port of 127.0.0.1, and every
// chunk each way waits the YAML's one-way latency between A and B. The geo router of origin region R is an HAProxy on 127.0.0.1 whose
// servers are the geo route's entries in the order R tries them (its own region's first), the
// later ones `backup`: HAProxy sends to the first entry whose health check (GET /healthz every
// GEO_CHECK_S, down after one failure) passes, which is the model's "nearest healthy region";
// an entry in another region is reached through the relay, so the users' crossing costs its latency.
// What it trades: the router is one more HAProxy hop in every request (the model has none), and a
// region that goes down is seen after a failed check (at most GEO_CHECK_S plus the check's round
// trip; up to GEO_CHECK_TIMEOUT_S more when the entry is a balancer) where the model knows it at once, and a request sent there meanwhile fails (HAProxy retries
// a refused connection once on the next entry, but a crossing's connection is the relay's, which
// resets it instead).
import { Effect, Scope } from "effect";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { StartFailed, type PortsExhausted } from "../errors.ts";
import { freePort, waitReady } from "../resources.ts";
import { haproxyCommand, isUp, launchHaproxy, parseStat } from "../parts/haproxy.ts";
import type { Tools } from "../preflight.ts";
import type { RegionPlan } from "./placement.ts";
import { routeKey } from "./placement.ts";
import { spawnRelay } from "./relay-proc.ts";
import type { RelayRoute } from "./relay.ts";
import type { LinkDef, LinkReport } from "../parts/link-relay.ts";

/** The geo routers' health-check interval (seconds): how soon a region's outage is seen. */
export const GEO_CHECK_S = 0.2;
/**
 * How long a geo router's check waits for its answer (seconds). An entry that is a balancer whose
 * pool was killed by an outage held the check this long (HAProxy's log: "Layer7 timeout, check
 * duration: 2001ms", regions-cdn.yaml's lb-west), so the outage was seen after about 2 s, not 0.2 s.
 */
export const GEO_CHECK_TIMEOUT_S = 2;

export interface RelayRoutes {
  readonly pid: number;
  /** Each route with the region its calls come from and the region of what it reaches. */
  readonly routes: ReadonlyArray<RelayRoute & { readonly from: string; readonly toRegion: string }>;
  /** A region's outage: cuts (down) or restores every route into it, so no crossing reaches its parts. */
  cutInto(region: string, down: boolean): Promise<void>;
  /** The relay's port for a call from region `from` to `targetPort`; the target itself when no route crosses. */
  portFor(from: string | undefined, targetPort: number): number;
  /**
   * The links between regions the routes cross ("us->eu", each way; `regions.<a>.bandwidth.<b>`),
   * and the relay's figures of them since the start or the last reset; absent without any.
   */
  readonly links?: {
    readonly defs: readonly LinkDef[];
    report(): Promise<LinkReport[]>;
    reset(): Promise<void>;
  };
}

/**
 * Starts the relay with a route for every crossing of the plan. `portsOf` gives a component's
 * ports as callers reach it (a balancer's one, else the running replicas', known before they
 * start; a database's servers, a cache's, a queue's broker, started before), `hostOf` the host of
 * a cache, database or queue (the broker's may be another than loopback).
 */
export const startRelayRoutes = (
  r: RegionPlan,
  portsOf: (component: string) => readonly number[],
  seed: number,
  runPath: string,
  progress: (line: string) => void,
  hostOf: (component: string) => string = () => "127.0.0.1",
): Effect.Effect<RelayRoutes, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const wanted = new Map<string, { from: string; to: string; toRegion: string; host: string; port: number; latency: RegionPlan["calls"][number]["latency"]; bandwidth?: number }>();
    for (const c of r.calls) for (const p of portsOf(c.callee)) wanted.set(routeKey(c.from, p), { from: c.from, to: c.callee, toRegion: c.to, host: "127.0.0.1", port: p, latency: c.latency, bandwidth: c.bandwidth });
    for (const c of r.stores) for (const p of portsOf(c.store)) wanted.set(routeKey(c.from, p), { from: c.from, to: c.kind === "queue" ? `the broker of ${c.store}` : c.store, toRegion: c.to, host: hostOf(c.store), port: p, latency: c.latency });
    for (const o of r.origins) {
      for (const e of o.entries) if (e.latency) for (const p of portsOf(e.name)) wanted.set(routeKey(o.region, p), { from: o.region, to: e.name, toRegion: e.region, host: "127.0.0.1", port: p, latency: e.latency, bandwidth: e.bandwidth });
    }
    // the links between regions, one each way, in order of first use: named as the model's regionLinks
    const links: LinkDef[] = [];
    const linkOf = (a: string, b: string, bits: number) => {
      const name = `${a}->${b}`;
      const i = links.findIndex((l) => l.name === name);
      return i >= 0 ? i : links.push({ name, bytesPerSecond: bits / 8 }) - 1;
    };
    const routes: Array<RelayRoute & { from: string; toRegion: string }> = [];
    for (const [key, w] of wanted) {
      const across = w.bandwidth !== undefined ? { up: linkOf(w.from, w.toRegion, w.bandwidth), down: linkOf(w.toRegion, w.from, w.bandwidth) } : {};
      routes.push({ name: key, from: w.from, toRegion: w.toRegion, listenHost: "127.0.0.1", listenPort: yield* freePort, targetHost: w.host, targetPort: w.port, latency: w.latency, ...across });
    }
    const byKey = new Map(routes.map((x) => [x.name, x.listenPort]));
    if (routes.length === 0) return { pid: 0, routes, cutInto: async () => {}, portFor: (_from: string | undefined, p: number) => p };
    const relay = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => spawnRelay(undefined, routes, seed, runPath, "regions", links),
        catch: (e) => new StartFailed({ part: "region relay", reason: e instanceof Error ? e.message : String(e) }),
      }),
      (x) => Effect.promise(async () => {
        // its last words: chunks forwarded, how late past their due moment, CPU
        const said = await x.stop();
        await writeFile(join(runPath, "logs", "region-relay.log"), said + "\n").catch(() => {});
      }),
    );
    for (const x of routes) {
      const bw = x.up !== undefined ? `, across ${links[x.up]!.name} and back ${links[x.down!]!.name} at ${+((links[x.up]!.bytesPerSecond * 8) / 1e6).toPrecision(4)} Mbit/s each (processor sharing)` : "";
      progress(`region relay 127.0.0.1:${x.listenPort} -> ${x.targetHost}:${x.targetPort} (${x.from} -> ${wanted.get(x.name)!.to}: ${describeDist(x.latency!)} one way, each direction${bw})`);
    }
    const cutInto = (region: string, down: boolean) => relay.cut(routes.filter((x) => x.toRegion === region).map((x) => x.name), down);
    return {
      pid: relay.pid,
      routes,
      cutInto,
      portFor: (from, p) => (from === undefined ? p : byKey.get(routeKey(from, p)) ?? p),
      ...(links.length ? { links: { defs: links, report: () => relay.links(), reset: () => relay.resetLinks() } } : {}),
    };
  });

function describeDist(d: NonNullable<RelayRoute["latency"]>): string {
  if (d.dist === "constant") return `${+(d.value * 1000).toFixed(3)} ms`;
  return `${d.dist} ${JSON.stringify(d)}`;
}

/** HAProxy's configuration for an origin region's geo router: the entries' ports in the order tried, the later ones `backup`. */
export function geoRouterConfig(port: number, servers: readonly number[], statsSocket: string): string {
  const ms = (s: number) => `${Math.max(1, Math.round(s * 1000))}ms`;
  return [
    "global",
    "  nbthread 1",
    "  maxconn 4096",
    `  stats socket ${statsSocket} mode 600 level admin`,
    "",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 24h",
    "  timeout server 24h",
    `  timeout check ${ms(GEO_CHECK_TIMEOUT_S)}`,
    // a refused connection (the entry's region just went down) is tried once more, on the next entry
    "  retries 1",
    "  option redispatch",
    "  option http-keep-alive",
    "",
    "frontend entry",
    `  bind 127.0.0.1:${port}`,
    "  maxconn 4096",
    "  default_backend service",
    "",
    "backend service",
    "  option httpchk GET /healthz",
    `  default-server inter ${ms(GEO_CHECK_S)} fastinter ${ms(GEO_CHECK_S)} downinter ${ms(GEO_CHECK_S)} rise 1 fall 1`,
    ...servers.map((p, i) => `  server e${i + 1} 127.0.0.1:${p} check${i > 0 ? " backup" : ""}`),
    "",
  ].join("\n");
}

export interface GeoRouter {
  readonly region: string;
  readonly port: number;
  readonly statsSocket: string;
  /** The entries in the order tried, with the port each is reached on (a relay route's when it crosses). */
  readonly entries: ReadonlyArray<{ readonly name: string; readonly port: number }>;
}

/** Starts one geo router per origin region; ready when every entry's health check passes. */
export const startGeoRouters = (
  r: RegionPlan,
  portsOf: (component: string) => readonly number[],
  relay: RelayRoutes,
  runPath: string,
  tools: Tools,
  progress: (line: string) => void,
): Effect.Effect<GeoRouter[], StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.forEach(r.origins, (o) =>
    Effect.gen(function* () {
      const label = `geo-${o.region}`;
      const port = yield* freePort;
      const entries = o.entries.map((e) => ({ name: e.name, port: relay.portFor(e.latency ? o.region : undefined, portsOf(e.name)[0]!) }));
      const { statsSocket, p } = yield* launchHaproxy(label, runPath, tools, (socket) => geoRouterConfig(port, entries.map((e) => e.port), socket));
      yield* waitReady(label, p, async () => {
        const servers = parseStat(await haproxyCommand(statsSocket, "show stat")).filter((s) => s.name !== "BACKEND" && s.name !== "FRONTEND");
        return servers.length === entries.length && servers.every((s) => isUp(s.status));
      });
      progress(`geo router of ${o.region}'s users 127.0.0.1:${port} -> ${o.entries.map((e, i) => `${e.name} (${e.region}${e.latency ? `, via 127.0.0.1:${entries[i]!.port}` : ""})`).join(", then ")}`);
      return { region: o.region, port, statsSocket, entries };
    }),
  );

/**
 * The CDN's edge latency (`edge_latency`) as a real wait: a relay process of its own (relay-main.ts,
 * at the region relay's priority) with one route per origin region in front of that region's
 * server of the nginx edge, each request's first chunk held a draw of the latency (the simulator's
 * sampler, a stream per region's route) and the answer forwarded at once, as the model charges
 * the edge latency once per request, hit or miss, before the lookup. What it trades: one more TCP
 * hop on loopback in front of the edge (its own cost, part of the app's cost per request).
 * Returns each region's users' URL of the edge (the relay's routes), by region; without regions one
 * route, keyed "" (the users are in one place).
 */
export const startEdgeRelay = (
  cdn: string,
  edgeLatency: NonNullable<RelayRoute["latency"]>,
  edgePorts: ReadonlyArray<{ readonly region: string; readonly port: number }>,
  seed: number,
  runPath: string,
  progress: (line: string) => void,
): Effect.Effect<Record<string, string>, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const routes: RelayRoute[] = [];
    for (const e of edgePorts) routes.push({ name: e.region ? `edge:${e.region}` : "edge", listenHost: "127.0.0.1", listenPort: yield* freePort, targetHost: "127.0.0.1", targetPort: e.port, latency: edgeLatency, oneWay: true });
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => spawnRelay(undefined, routes, seed, runPath, "edge"),
        catch: (e) => new StartFailed({ part: "CDN edge relay", reason: e instanceof Error ? e.message : String(e) }),
      }),
      (x) => Effect.promise(async () => {
        const said = await x.stop();
        await writeFile(join(runPath, "logs", "edge-relay.log"), said + "\n").catch(() => {});
      }),
    );
    const urls: Record<string, string> = {};
    routes.forEach((x, i) => {
      urls[edgePorts[i]!.region] = `http://127.0.0.1:${x.listenPort}`;
      progress(`CDN ${cdn}'s edge for ${edgePorts[i]!.region ? `${edgePorts[i]!.region}'s users` : "the users"} 127.0.0.1:${x.listenPort} -> nginx 127.0.0.1:${x.targetPort} (edge_latency ${describeDist(edgeLatency)} per request, on the way in)`);
    });
    return urls;
  });

/** Which entry each origin's geo router sends to now: the first one UP (undefined: none). */
export async function geoChoice(router: GeoRouter): Promise<string | undefined> {
  const servers = parseStat(await haproxyCommand(router.statsSocket, "show stat")).filter((s) => s.name !== "BACKEND" && s.name !== "FRONTEND");
  const i = servers.findIndex((s) => isUp(s.status));
  return i < 0 ? undefined : router.entries[i]!.name;
}
