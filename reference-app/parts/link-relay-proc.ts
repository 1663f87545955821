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

/** Where the run's parts connect once the links stand on the entry's paths. */
export interface RunLinks {
  readonly proc: LinkRelayProc;
  /** Where clients enter instead of HAProxy (the balancer's link), or instead of a lone replica (the service's). */
  readonly front?: number;
  /** The ports HAProxy's servers point at instead of the replica places' own, in the places' order. */
  readonly servers?: readonly number[];
  readonly links: readonly LinkDef[];
}

const mbit = (bytesPerSecond: number) => `${+((bytesPerSecond * 8) / 1e6).toPrecision(4)} Mbit/s`;

/**
 * Starts the link relay for plan.links: a route in front of the entry balancer (its answers to the
 * users cross its link), one per replica place between HAProxy and the replica (requests cross the
 * balancer's link, answers the service's), or one in front of a lone replica. Released (stopped,
 * its last words in logs/link-relay.log) with the run's scope.
 */
export const startRunLinks = (
  plan: AppPlan,
  lbPort: number | undefined,
  placePorts: readonly number[],
  runPath: string,
  progress: (line: string) => void,
): Effect.Effect<RunLinks | undefined, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    if (plan.links.length === 0) return undefined;
    const links: LinkDef[] = plan.links.map((l) => ({ name: l.component, bytesPerSecond: l.bytesPerSecond }));
    const lbLink = plan.links.findIndex((l) => l.kind === "balancer");
    const svcLink = plan.links.findIndex((l) => l.kind === "service");
    const routes: LinkRoute[] = [];
    const route = (name: string, targetPort: number, up: number, down: number) =>
      Effect.map(freePort, (listenPort) => {
        routes.push({ name, listenHost: "127.0.0.1", listenPort, targetHost: "127.0.0.1", targetPort, up, down });
        return listenPort;
      });
    let front: number | undefined;
    let servers: number[] | undefined;
    if (plan.lb && lbPort !== undefined) {
      if (lbLink >= 0) front = yield* route(`users->${plan.lb.name}`, lbPort, -1, lbLink);
      servers = [];
      for (const [i, p] of placePorts.entries()) servers.push(yield* route(`${plan.lb.name}->${plan.service.name}-${i + 1}`, p, lbLink, svcLink));
    } else front = yield* route(`users->${plan.service.name}-1`, placePorts[0]!, -1, svcLink);
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
    for (const l of plan.links) {
      const carries = l.kind === "balancer" ? `its answers to the users and its requests to ${plan.service.name}'s replicas` : "its answers";
      progress(`link ${l.component} ${mbit(l.bytesPerSecond)}, processor sharing: ${carries}`);
    }
    progress(`link relay (pid ${proc.pid}) ${routes.map((r) => `127.0.0.1:${r.listenPort} -> 127.0.0.1:${r.targetPort} (${r.name})`).join(", ")}`);
    return { proc, front, servers, links };
  });
