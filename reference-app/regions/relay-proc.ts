// Starts a region's relay (regions/relay-main.ts) as its own process inside the region's network
// namespace (`ip netns exec`), or on the host's when no namespace is given; resolves with the ports
// it listens on once every route listens. It speaks JSON lines on stdio (line-child.ts): `cut()`
// is a command acknowledged by a line, `stop()` closes its stdin and returns its last words.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RelayRoute } from "./relay.ts";
import type { LinkDef, LinkReport } from "../parts/link-relay.ts";
import { spawnLineChild } from "../line-child.ts";

const RUN_TS = fileURLToPath(new URL("../../bin/run-ts.mjs", import.meta.url));
const MAIN = fileURLToPath(new URL("./relay-main.ts", import.meta.url));

export interface RelayProc {
  readonly pid: number;
  readonly ports: readonly number[];
  /** Cuts (down) or restores the named routes; resolves once the relay acknowledged it. */
  cut(names: readonly string[], down: boolean): Promise<void>;
  /** The links between regions' figures (its config's links, in order). */
  links(): Promise<LinkReport[]>;
  /** Restarts them now (a measurement window opens). */
  resetLinks(): Promise<void>;
  stop(): Promise<string>;
}

/** The relay's real-time priority (SCHED_FIFO) as root: it is the network, as netem is the kernel's. */
export const RELAY_RT_PRIORITY = 20;

export async function spawnRelay(ns: string | undefined, routes: readonly RelayRoute[], seed: number, dir: string, name = ns ?? "host", links: readonly LinkDef[] = []): Promise<RelayProc> {
  const cfg = join(dir, `relay-${name}.json`);
  await writeFile(cfg, JSON.stringify({ seed, routes, links }), { mode: 0o600 });
  // As root, under SCHED_FIFO: it wakes when a chunk is due instead of waiting for a core behind
  // the machine's other work (at load 14 a normal-priority relay added ~7 ms to a 40 ms round trip).
  const rt = process.getuid?.() === 0 ? ["chrt", "-f", String(RELAY_RT_PRIORITY)] : [];
  const argv = [...rt, process.execPath, RUN_TS, MAIN, cfg];
  const child = await spawnLineChild(ns ? ["ip", "netns", "exec", ns, ...argv] : argv, `relay ${name}`);
  return {
    pid: child.pid,
    ports: child.ports,
    cut: async (names, down) => void (await child.ask({ cut: names, down })),
    links: async () => (JSON.parse(await child.ask({ links: true })) as { links: LinkReport[] }).links,
    resetLinks: async () => void (await child.ask({ reset: true })),
    stop: () => child.stop(),
  };
}
