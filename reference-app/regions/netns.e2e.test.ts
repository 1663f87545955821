// Regions as network namespaces (regions/netns.ts) on this machine, as root: the namespaces and
// links are made, a TCP round trip between two regions costs 2x the one-way delay within 10%
// (where tc netem exists; where it does not, a delayed link is refused, nothing is left, and the
// probe says why), an outage takes the links down, and everything is gone afterwards, also after
// SIGKILL of the process that made them (the reaper removes them). Where netem is missing, the same
// link with `delay: relay` and the userspace relay (regions/relay.ts) in east's namespace: RTT =
// 2 x 20 ms within 2 ms (median of 60), the relay's own cost measured with no delay, and an outage
// through the relay. About 25 s.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRegionNet, namespaceName, regionsUnsupported, type RegionNet } from "./netns.ts";
import { spawnRelay, type RelayProc } from "./relay-proc.ts";

const ECHO = fileURLToPath(new URL("./fixtures/echo.mjs", import.meta.url));
const HOLD = fileURLToPath(new URL("./fixtures/hold-net.ts", import.meta.url));
const RUN_TS = fileURLToPath(new URL("../../bin/run-ts.mjs", import.meta.url));
const isRoot = process.platform === "linux" && process.getuid?.() === 0;
const id = () => (process.pid % 10000).toString(36) + Math.floor(Math.random() * 36 ** 3).toString(36);

const netnsList = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").map((l) => l.split(" ")[0]).filter(Boolean);
const linkExists = (dev: string) => execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).split("\n").some((l) => l.split(": ")[1]?.split("@")[0] === dev);

/** An echo server in `ns` on `addr`, ended by closing its stdin. */
async function echoServer(ns: string, addr: string, rt = false): Promise<ChildProcess> {
  const child = spawn("ip", ["netns", "exec", ns, ...(rt ? RT : []), process.execPath, ECHO, "serve", addr], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (c) => reject(new Error(`echo server exited ${c}`)));
  });
  return child;
}

/** Round-trip times in ms from inside `ns` to `addr`. */
function pingFrom(ns: string, addr: string, n = 20, port = 7007, rt = false): number[] {
  return JSON.parse(execFileSync("ip", ["netns", "exec", ns, ...(rt ? RT : []), process.execPath, ECHO, "ping", addr, String(n), String(port)], { encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] })) as number[];
}

/** The relay runs at a real-time priority (relay-proc.ts); so do the endpoints of its RTT test, so that what is measured is the relay, not how late a loaded machine wakes a sleeping client. */
const RT = ["chrt", "-f", "20"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const open: RegionNet[] = [];
const children: ChildProcess[] = [];
const relays: RelayProc[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.stop();
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const n of open.splice(0)) await n.close();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe.skipIf(!isRoot)("regions in network namespaces", async () => {
  const missing = await regionsUnsupported();
  // Namespaces and veth pairs without netem still run every test but the delay's.
  const noNamespaces = missing !== undefined && !/netem/.test(missing);

  it.skipIf(noNamespaces)("makes a namespace per region, joins them, takes a region down and up, and removes everything", async () => {
    const runId = id();
    const net = await createRegionNet({ runId, regions: ["east", "west"], links: [{ a: "east", b: "west" }], access: true });
    open.push(net);
    expect(netnsList()).toEqual(expect.arrayContaining([namespaceName(runId, "east"), namespaceName(runId, "west")]));
    expect(net.subnet).toMatch(/^10\.2[0-3]\d\.0\.0\/16$/);
    const server = await echoServer(net.namespaces.get("west")!, net.addressOf("east", "west"));
    children.push(server);
    // Without a delay the crossing is a local veth: well under a millisecond on an idle machine.
    const rtt = median(pingFrom(net.namespaces.get("east")!, net.addressOf("east", "west")));
    expect(rtt).toBeLessThan(20);
    // The host reaches each region over its access link, and only its run's addresses are used.
    const access = net.access.get("west")!;
    expect(access.host.startsWith(net.subnet.split(".").slice(0, 2).join(".") + ".")).toBe(true);
    // An outage: east's links down, so west is unreachable from east; back up, reachable again.
    await net.setRegionUp("east", false);
    expect(() => pingFrom(net.namespaces.get("east")!, net.addressOf("east", "west"), 1)).toThrow();
    await net.setRegionUp("east", true);
    expect(pingFrom(net.namespaces.get("east")!, net.addressOf("east", "west"), 1)).toHaveLength(1);
    server.stdin!.end();
    await net.close();
    open.splice(0);
    expect(netnsList().filter((n) => n.startsWith(`hr-${runId}-`))).toEqual([]);
    expect(linkExists(access.hostDev)).toBe(false);
  });

  it.skipIf(missing !== undefined)("delays each direction by the YAML's one-way latency: RTT = 2 x 20 ms within 10%", async () => {
    const runId = id();
    const net = await createRegionNet({ runId, regions: ["east", "west"], links: [{ a: "east", b: "west", latency: { dist: "constant", value: 0.02 } }] });
    open.push(net);
    children.push(await echoServer(net.namespaces.get("west")!, net.addressOf("east", "west")));
    const rtts = pingFrom(net.namespaces.get("east")!, net.addressOf("east", "west"), 30);
    console.log(`RTT over a 20 ms one-way netem link: median ${median(rtts).toFixed(2)} ms, min ${Math.min(...rtts).toFixed(2)} ms`);
    expect(Math.abs(median(rtts) - 40) / 40).toBeLessThan(0.1);
  });

  it.skipIf(missing === undefined || noNamespaces)("where tc netem is missing, refuses a delayed link, says why and leaves nothing", async () => {
    console.log(`regionsUnsupported(): ${missing}`);
    expect(missing).toMatch(/netem|namespace|veth/);
    const runId = id();
    const made: string[] = [];
    await expect(
      createRegionNet({ runId, regions: ["east", "west"], links: [{ a: "east", b: "west", latency: { dist: "constant", value: 0.02 } }], access: true }, (_, n) => made.push(n)),
    ).rejects.toThrow(/tc .*netem/);
    expect(made.length).toBeGreaterThan(0);
    expect(netnsList().filter((n) => n.startsWith(`hr-${runId}-`))).toEqual([]);
  });

  it.skipIf(noNamespaces)("without netem, a relay in the caller's region delays each direction: RTT = 2 x 20 ms within 2 ms", async () => {
    const runId = id();
    const dir = await mkdtemp(join(tmpdir(), "hr-relay-"));
    dirs.push(dir);
    const latency = { dist: "constant" as const, value: 0.02 };
    const net = await createRegionNet({ runId, regions: ["east", "west"], links: [{ a: "east", b: "west", latency }], delay: "relay" });
    open.push(net);
    expect(net.links[0]!.netem).toEqual([]);
    expect(net.links[0]!.relayLatency).toEqual(latency);
    const east = net.namespaces.get("east")!, west = net.addressOf("east", "west");
    children.push(await echoServer(net.namespaces.get("west")!, west, true));
    // the link alone, the relay with no delay (its own cost), the relay with the link's latency
    const relay = await spawnRelay(east, [
      { name: "none", listenHost: "127.0.0.1", listenPort: 7101, targetHost: west, targetPort: 7007 },
      { name: "east-west", listenHost: "127.0.0.1", listenPort: 7102, targetHost: west, targetPort: 7007, latency: net.links[0]!.relayLatency },
    ], 1, dir, "east");
    relays.push(relay);
    const load = () => execFileSync("cat", ["/proc/loadavg"], { encoding: "utf8" }).split(" ")[0];
    const direct = pingFrom(east, west, 60, 7007, true);
    const bare = pingFrom(east, "127.0.0.1", 60, 7101, true);
    const delayed = pingFrom(east, "127.0.0.1", 60, 7102, true);
    // the same with a client at normal priority: on a loaded machine its wake-up after 40 ms asleep adds (shown, not judged)
    const plain = pingFrom(east, "127.0.0.1", 30, 7102);
    console.log(`before the outage: ${await relay.stop()}`);
    relays.splice(0);
    relays.push(await spawnRelay(east, [{ name: "east-west", listenHost: "127.0.0.1", listenPort: 7102, targetHost: west, targetPort: 7007, latency: net.links[0]!.relayLatency }], 1, dir, "east"));
    console.log(`RTT medians (load ${load()}): link ${median(direct).toFixed(3)} ms, relay without delay ${median(bare).toFixed(3)} ms ` +
      `(its cost ${(median(bare) - median(direct)).toFixed(3)} ms), relay with 20 ms one way ${median(delayed).toFixed(3)} ms ` +
      `(min ${Math.min(...delayed).toFixed(3)}, max ${Math.max(...delayed).toFixed(3)}); with a normal-priority client ${median(plain).toFixed(3)} ms`);
    // never early; the median within 2 ms of the configured 2 x 20 ms: the relay's own path and its
    // wake-ups add 0.8-1.1 ms to a round trip (40.81 ms at load 15, 41.04 ms at load 1.0)
    expect(Math.min(...delayed)).toBeGreaterThanOrEqual(40);
    expect(Math.abs(median(delayed) - 40)).toBeLessThan(2);
    // an outage: west's links down, the relay cannot reach it and the caller's connection fails
    await net.setRegionUp("west", false);
    expect(() => pingFrom(east, "127.0.0.1", 1, 7102)).toThrow();
    await net.setRegionUp("west", true);
    expect(pingFrom(east, "127.0.0.1", 1, 7102)).toHaveLength(1);
  });

  it.skipIf(noNamespaces)("is removed by the reaper after SIGKILL of the process that made it", async () => {
    const runId = id();
    const child = spawn(process.execPath, [RUN_TS, HOLD, runId], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    const made = await new Promise<{ namespaces: string[]; hostDevs: string[] }>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(JSON.parse(out));
      });
      child.once("exit", (c) => reject(new Error(`hold-net exited ${c}`)));
    });
    expect(netnsList()).toEqual(expect.arrayContaining(made.namespaces));
    expect(made.hostDevs.every(linkExists)).toBe(true);
    child.kill("SIGKILL");
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (made.namespaces.some((n) => netnsList().includes(n)) || made.hostDevs.some(linkExists))) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(netnsList().filter((n) => made.namespaces.includes(n))).toEqual([]);
    expect(made.hostDevs.filter(linkExists)).toEqual([]);
  });
});
