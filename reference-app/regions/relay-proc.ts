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
  /** Cuts (down) or restores the named routes; resolves once the relay acknowledged it. */
  cut(names: readonly string[], down: boolean): Promise<void>;
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
  // stdout: the ports line, then one acknowledgement per cut, in order
  const acks: Array<() => void> = [];
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = "";
    let first = true;
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      for (let nl = out.indexOf("\n"); nl >= 0; nl = out.indexOf("\n")) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (first) {
          first = false;
          resolve((JSON.parse(line) as { ports: number[] }).ports);
        } else acks.shift()?.();
      }
    });
    child.once("exit", (code) => reject(new Error(`relay ${name} exited ${code} before listening: ${err.trim().split("\n").slice(-3).join(" | ")}`)));
  });
  return {
    pid: child.pid!,
    ports,
    cut: (names, down) =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null || !child.stdin!.writable) return reject(new Error(`relay ${name} is not running`));
        acks.push(resolve);
        child.stdin!.write(`${JSON.stringify({ cut: names, down })}\n`);
      }),
    stop: async () => {
      child.stdin!.end();
      const t = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
      return err.trim();
    },
  };
}
