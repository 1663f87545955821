// Starts a region's relay (regions/relay-main.ts) as its own process inside the region's network
// namespace (`ip netns exec`), or on the host's when no namespace is given; resolves with the ports
// it listens on once every route listens. `stop()` closes its stdin (it exits), waits for the exit
// and returns its last words (chunks forwarded, CPU seconds). The process also exits when the
// starting process dies (its stdin closes).
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RelayRoute } from "./relay.ts";

const RUN_TS = fileURLToPath(new URL("../../bin/run-ts.mjs", import.meta.url));
const MAIN = fileURLToPath(new URL("./relay-main.ts", import.meta.url));

export interface RelayProc {
  readonly pid: number;
  readonly ports: readonly number[];
  stop(): Promise<string>;
}

/** The relay's real-time priority (SCHED_FIFO) as root: it is the network, as netem is the kernel's. */
export const RELAY_RT_PRIORITY = 20;

export async function spawnRelay(ns: string | undefined, routes: readonly RelayRoute[], seed: number, dir: string, name = ns ?? "host"): Promise<RelayProc> {
  const cfg = join(dir, `relay-${name}.json`);
  await writeFile(cfg, JSON.stringify({ seed, routes }), { mode: 0o600 });
  // As root, under SCHED_FIFO: it wakes when a chunk is due instead of waiting for a core behind
  // the machine's other work (at load 14 a normal-priority relay added ~7 ms to a 40 ms round trip).
  const rt = process.getuid?.() === 0 ? ["chrt", "-f", String(RELAY_RT_PRIORITY)] : [];
  const argv = [...rt, process.execPath, RUN_TS, MAIN, cfg];
  const child = ns ? spawn("ip", ["netns", "exec", ns, ...argv], { stdio: ["pipe", "pipe", "pipe"] }) : spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
  let err = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { ports: number[] }).ports);
    });
    child.once("exit", (code) => reject(new Error(`relay ${name} exited ${code} before listening: ${err.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  return {
    pid: child.pid!,
    ports,
    stop: async () => {
      child.stdin!.end();
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
      return err.trim();
    },
  };
}
