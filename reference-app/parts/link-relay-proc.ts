// Starts a run's link relay (parts/link-relay-main.ts) as its own process and talks to it over its
// stdin/stdout: resolves with its ports once every route listens; `report()` and `reset()` ask it
// for its links' figures; `stop()` closes its stdin (it exits), waits, and returns its last words.
// The process also exits when the starting process dies (its stdin closes), and it is in the run's
// process tree the reaper kills. As root it runs under SCHED_FIFO, as the region relay does: its
// releases are timed, and behind the machine's other work they would be late.
import { Effect, type Scope } from "effect";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LinkDef, LinkReport, LinkRoute } from "./link-relay.ts";
import { RELAY_RT_PRIORITY } from "../regions/relay-proc.ts";
import { spawnLineChild } from "../line-child.ts";
import { StartFailed, type PortsExhausted } from "../errors.ts";
import { freePort } from "../resources.ts";
import type { AppPlan } from "../plan.ts";
import { linkRoutes } from "../link-routes.ts";

const RUN_TS = fileURLToPath(new URL("../../bin/run-ts.mjs", import.meta.url));
const MAIN = fileURLToPath(new URL("./link-relay-main.ts", import.meta.url));

export interface LinkRelayProc {
  readonly pid: number;
  readonly ports: readonly number[];
  report(): Promise<LinkReport[]>;
  /** Restarts the links' figures now (a measurement window opens). */
  reset(): Promise<void>;
  stop(): Promise<string>;
}

export async function spawnLinkRelay(links: readonly LinkDef[], routes: readonly LinkRoute[], dir: string): Promise<LinkRelayProc> {
  const cfg = join(dir, "link-relay.json");
  await writeFile(cfg, JSON.stringify({ links, routes }), { mode: 0o600 });
  const rt = process.getuid?.() === 0 ? ["chrt", "-f", String(RELAY_RT_PRIORITY)] : [];
  const child = await spawnLineChild([...rt, process.execPath, RUN_TS, MAIN, cfg], "link relay");
  return {
    pid: child.pid,
    ports: child.ports,
    report: async () => (JSON.parse(await child.ask({ report: true })) as { report: LinkReport[] }).report,
    reset: async () => void (await child.ask({ reset: true })),
    stop: () => child.stop(),
  };
}

/** Where the run's parts connect once the links stand on their paths (link-routes.ts). */
export interface RunLinks {
  readonly proc: LinkRelayProc;
  /** Where clients enter instead of HAProxy (the balancer's link), or instead of a lone replica (the service's). */
  readonly front?: number;
  /** Per balancer whose servers a route stands in front of: the ports its servers point at instead of the replica places' own, in the places' order. */
  readonly servers: ReadonlyMap<string, readonly number[]>;
  /** Per caller service and callee (a balancer, a service's running replicas, or a cache with a link): the ports it calls instead. */
  readonly peers: ReadonlyMap<string, readonly number[]>;
  readonly links: readonly LinkDef[];
}

/** RunLinks.peers' key for a caller and a callee. */
export const peerKey = (caller: string, callee: string) => `${caller}>${callee}`;

const mbit = (bytesPerSecond: number) => `${+((bytesPerSecond * 8) / 1e6).toPrecision(4)} Mbit/s`;

/**
 * Starts the link relay for plan.links on the routes link-routes.ts plans (`portOf`: a target's
 * own port, a balancer's, a replica place's or a cache's Redis). Its routes listen before any caller is told of
 * them (the relay connects to a target when a caller connects, so the targets may start later).
 * Released (stopped, its last words in logs/link-relay.log) with the run's scope.
 */
export const startRunLinks = (
  plan: AppPlan,
  portOf: (target: string, place: number) => number,
  runPath: string,
  progress: (line: string) => void,
): Effect.Effect<RunLinks | undefined, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const planned = linkRoutes(plan);
    if (planned.length === 0) return undefined;
    const links: LinkDef[] = plan.links.map((l) => ({ name: l.component, bytesPerSecond: l.bytesPerSecond }));
    const routes: LinkRoute[] = [];
    let front: number | undefined;
    const servers = new Map<string, number[]>();
    const peers = new Map<string, number[]>();
    for (const r of planned) {
      const listenPort = yield* freePort;
      const targetPort = portOf(r.target, r.place);
      routes.push({ name: r.name, listenHost: "127.0.0.1", listenPort, targetHost: "127.0.0.1", targetPort, up: r.up, down: r.down, protocol: r.protocol });
      const into = (m: Map<string, number[]>, k: string) => (m.get(k) ?? m.set(k, []).get(k)!).push(listenPort);
      if (r.caller === null) front = listenPort;
      else if (plan.balancers.some((b) => b.name === r.caller)) into(servers, r.caller);
      else into(peers, peerKey(r.caller, r.target));
    }
    const proc = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => spawnLinkRelay(links, routes, runPath),
        catch: (e) => new StartFailed({ part: "link relay", reason: e instanceof Error ? e.message : String(e) }),
      }),
      (x) => Effect.promise(async () => {
        const said = await x.stop();
        await writeFile(join(runPath, "logs", "link-relay.log"), said + "\n").catch(() => {});
      }),
    );
    for (const [l, def] of plan.links.entries()) {
      const carries = [...new Set(planned.flatMap((r) => [...(r.up === l ? [`${r.caller ?? "users"}->${r.target}`] : []), ...(r.down === l ? [`${r.target}->${r.caller ?? "users"}`] : [])]))];
      progress(`link ${def.component} ${mbit(def.bytesPerSecond)}, processor sharing: ${carries.length ? carries.join(", ") : "nothing (no path of it is on a route)"}`);
    }
    progress(`link relay (pid ${proc.pid}) ${routes.map((r) => `127.0.0.1:${r.listenPort} -> 127.0.0.1:${r.targetPort} (${r.name})`).join(", ")}`);
    return { proc, front, servers, peers, links };
  });
