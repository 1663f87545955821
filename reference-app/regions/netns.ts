// The scenario's regions as Linux network namespaces: one namespace per region, a veth pair per
// pair of regions whose `tc netem` delay on each end is the YAML's one-way latency (so a round
// trip costs twice it, as every crossing in the model does), and optionally an access veth from
// the host's namespace into each region (no delay: where that region's users' load enters).
// Only addresses of a private /16 no host route overlaps are used; every namespace is named after
// the run, and its name is told (onCreate) before it exists so a reaper can delete it if the
// process dies; a failed start removes what it made before failing. Deleting a namespace removes
// its veth ends and with them their peers. A region outage sets its links down (setRegionUp).
// Where the kernel has no netem (this project's 6.18 Firecracker machine), `delay: relay` makes the
// links undelayed and the caller puts a userspace delaying relay (regions/relay.ts) in the path.
// It trades: Linux and root only; with netem, latency is constant or normal (netem's jitter table)
// only; routing is a full mesh of direct links (no transit through a third region).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import type { Dist } from "../../simulator/model/index.ts";

export interface RegionLink {
  readonly a: string;
  readonly b: string;
  /** One-way latency, each direction; undefined or constant 0: no delay. */
  readonly latency?: Dist;
}

export interface RegionNetSpec {
  /** Short run id: [a-z0-9]{1,8}, part of every name (interface names are at most 15 characters). */
  readonly runId: string;
  readonly regions: readonly string[];
  readonly links: readonly RegionLink[];
  /** A no-delay veth from the host into each region (for load that starts on the host). */
  readonly access?: boolean;
  /**
   * How the links' latency is realized: `netem` (default) puts a tc netem qdisc on each end;
   * `relay` leaves the links undelayed and the caller starts a delaying relay in each region
   * (regions/relay.ts, spawnRelay), for a kernel without sch_netem.
   */
  readonly delay?: "netem" | "relay";
}

export interface LinkInfo {
  readonly a: string;
  readonly b: string;
  /** The address of each end, inside its region's namespace. */
  readonly addrA: string;
  readonly addrB: string;
  readonly devA: string;
  readonly devB: string;
  /** The netem arguments on each end, empty without delay (and with `delay: relay`). */
  readonly netem: readonly string[];
  /** The one-way latency a relay must add on this link (`delay: relay`); undefined otherwise. */
  readonly relayLatency?: Dist;
}

export interface RegionNet {
  readonly runId: string;
  /** Region name to namespace name. */
  readonly namespaces: ReadonlyMap<string, string>;
  readonly links: readonly LinkInfo[];
  /** Region name to { host: host-side address, region: the region's address on its access link }. */
  readonly access: ReadonlyMap<string, { readonly host: string; readonly region: string; readonly hostDev: string }>;
  /** The /16 the run's addresses are in. */
  readonly subnet: string;
  /** The address of region `to` as seen from region `from` (the far end of their link). */
  addressOf(from: string, to: string): string;
  /** Sets every link of `region` down, both ends (an outage), or up again. */
  setRegionUp(region: string, up: boolean): Promise<void>;
  /** Removes every namespace and host-side interface; safe to call twice. */
  close(): Promise<void>;
}

export class RegionNetError extends Error {}

const IP = "ip";
const TC = "tc";

function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args as string[], { timeout: 20_000 }, (err, out, stderr) =>
      err ? reject(new RegionNetError(`${cmd} ${args.join(" ")}: ${(stderr || err.message).trim().split("\n")[0]}`)) : resolve(out),
    ),
  );
}

/** netem's arguments for a one-way latency; an error for a distribution netem cannot hold. */
export function netemArgs(d: Dist | undefined, where: string): string[] {
  if (!d) return [];
  const ms = (s: number) => `${Number((s * 1000).toFixed(3))}ms`;
  if (d.dist === "constant") return d.value === 0 ? [] : ["delay", ms(d.value)];
  if (d.dist === "normal") return d.sd === 0 ? ["delay", ms(d.mean)] : ["delay", ms(d.mean), ms(d.sd), "distribution", "normal"];
  throw new RegionNetError(`${where}: a ${d.dist} latency cannot be realized by tc netem (constant or normal only)`);
}

/** The namespace of one region of a run. */
export const namespaceName = (runId: string, region: string): string => `hr-${runId}-${region}`;

/** Private /16s tried in order; the first no host address or route overlaps is the run's. */
const CANDIDATES = Array.from({ length: 40 }, (_, i) => 200 + i);

function ipToInt(a: string): number {
  return a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

/** Whether 10.x.0.0/16 overlaps any IPv4 address or route of the host's namespace. */
export function overlaps(second: number, routes: ReadonlyArray<{ dst: string }>): boolean {
  const lo = ipToInt(`10.${second}.0.0`), hi = lo + 65535;
  return routes.some(({ dst }) => {
    if (dst === "default") return false;
    const [addr, len = "32"] = dst.split("/");
    if (!addr || !/^\d+\.\d+\.\d+\.\d+$/.test(addr)) return false;
    const bits = Number(len);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const start = (ipToInt(addr) & mask) >>> 0;
    const end = start + 2 ** (32 - bits) - 1;
    return start <= hi && end >= lo;
  });
}

async function hostRoutes(): Promise<Array<{ dst: string }>> {
  const routes = JSON.parse(await run(IP, ["-j", "-4", "route", "show", "table", "all"])) as Array<{ dst: string }>;
  const addrs = JSON.parse(await run(IP, ["-j", "-4", "addr"])) as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  for (const l of addrs) for (const a of l.addr_info ?? []) routes.push({ dst: `${a.local}/${a.prefixlen}` });
  return routes;
}

function checkSpec(spec: RegionNetSpec): void {
  if (!/^[a-z0-9]{1,8}$/.test(spec.runId)) throw new RegionNetError(`run id '${spec.runId}' must be 1-8 of [a-z0-9]`);
  for (const r of spec.regions) if (!/^[A-Za-z0-9_.-]{1,40}$/.test(r)) throw new RegionNetError(`region name '${r}' must be 1-40 of [A-Za-z0-9_.-]`);
  if (new Set(spec.regions).size !== spec.regions.length) throw new RegionNetError("region names repeat");
  if (spec.regions.length > 64) throw new RegionNetError(`${spec.regions.length} regions: at most 64`);
  for (const l of spec.links) {
    if (!spec.regions.includes(l.a) || !spec.regions.includes(l.b) || l.a === l.b) throw new RegionNetError(`link ${l.a}-${l.b} must join two different regions of the run`);
  }
}

/**
 * Creates the run's namespaces, links and delays. `onCreate` hears each namespace name and
 * host-side interface before it is made; on any failure everything made so far is removed and the
 * error says which command failed. Never leaves a link without its delay: a netem failure fails.
 */
export async function createRegionNet(spec: RegionNetSpec, onCreate: (what: "netns" | "link", name: string) => void = () => {}): Promise<RegionNet> {
  checkSpec(spec);
  const byRelay = spec.delay === "relay";
  const netem = spec.links.map((l) => (byRelay ? [] : netemArgs(l.latency, `latency ${l.a}-${l.b}`)));
  const routes = await hostRoutes();
  const second = CANDIDATES.find((s) => !overlaps(s, routes));
  if (second === undefined) throw new RegionNetError("no free private /16 in 10.200.0.0-10.239.255.255: every one overlaps a host address or route");
  const made = { netns: [] as string[], hostDevs: [] as string[] };
  const namespaces = new Map(spec.regions.map((r) => [r, namespaceName(spec.runId, r)]));
  const links: LinkInfo[] = [];
  const access = new Map<string, { host: string; region: string; hostDev: string }>();
  const close = async () => {
    for (const d of made.hostDevs.splice(0)) await run(IP, ["link", "del", d]).catch(() => {});
    for (const n of made.netns.splice(0)) await run(IP, ["netns", "del", n]).catch(() => {});
  };
  try {
    for (const ns of namespaces.values()) {
      onCreate("netns", ns);
      await run(IP, ["netns", "add", ns]);
      made.netns.push(ns);
      await run(IP, ["-n", ns, "link", "set", "lo", "up"]);
    }
    // Link k: 10.S.(k / 64).(k % 64 * 4) /30, end a = .1, end b = .2.
    for (const [k, l] of spec.links.entries()) {
      const base = `10.${second}.${k >> 6}.`;
      const off = (k & 63) * 4;
      const info: LinkInfo = {
        a: l.a, b: l.b, addrA: base + (off + 1), addrB: base + (off + 2),
        devA: `h${spec.runId}l${k}a`, devB: `h${spec.runId}l${k}b`, netem: netem[k]!,
        ...(byRelay && l.latency ? { relayLatency: l.latency } : {}),
      };
      const nsA = namespaces.get(l.a)!, nsB = namespaces.get(l.b)!;
      // Made in A's namespace, so a failure before the move leaves nothing in the host's.
      await run(IP, ["-n", nsA, "link", "add", info.devA, "type", "veth", "peer", "name", info.devB, "netns", nsB]);
      await run(IP, ["-n", nsA, "addr", "add", `${info.addrA}/30`, "dev", info.devA]);
      await run(IP, ["-n", nsB, "addr", "add", `${info.addrB}/30`, "dev", info.devB]);
      for (const [ns, dev] of [[nsA, info.devA], [nsB, info.devB]] as const) {
        if (info.netem.length) await run(TC, ["-n", ns, "qdisc", "add", "dev", dev, "root", "netem", ...info.netem]);
        await run(IP, ["-n", ns, "link", "set", dev, "up"]);
      }
      links.push(info);
    }
    if (spec.access) {
      // Access r: 10.S.255.(r * 4) /30, host end .1, region end .2; the host routes nothing else there.
      for (const [r, region] of spec.regions.entries()) {
        const ns = namespaces.get(region)!;
        const hostDev = `h${spec.runId}x${r}h`, nsDev = `h${spec.runId}x${r}r`;
        const host = `10.${second}.255.${r * 4 + 1}`, inRegion = `10.${second}.255.${r * 4 + 2}`;
        onCreate("link", hostDev);
        await run(IP, ["link", "add", hostDev, "type", "veth", "peer", "name", nsDev, "netns", ns]);
        made.hostDevs.push(hostDev);
        await run(IP, ["addr", "add", `${host}/30`, "dev", hostDev]);
        await run(IP, ["-n", ns, "addr", "add", `${inRegion}/30`, "dev", nsDev]);
        await run(IP, ["link", "set", hostDev, "up"]);
        await run(IP, ["-n", ns, "link", "set", nsDev, "up"]);
        access.set(region, { host, region: inRegion, hostDev });
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    runId: spec.runId,
    namespaces,
    links,
    access,
    subnet: `10.${second}.0.0/16`,
    addressOf(from, to) {
      const l = links.find((x) => (x.a === from && x.b === to) || (x.b === from && x.a === to));
      if (!l) throw new RegionNetError(`no link between ${from} and ${to}`);
      return l.a === to ? l.addrA : l.addrB;
    },
    async setRegionUp(region, up) {
      const ns = namespaces.get(region);
      if (!ns) throw new RegionNetError(`no region ${region}`);
      const state = up ? "up" : "down";
      // Both ends of each of its links: the far end down too removes the route to it in the other
      // region, so a call there fails at once (unreachable), as the model fails a call to a region
      // that is down, instead of waiting out TCP's retransmissions on a link without carrier.
      for (const l of links) {
        if (l.a !== region && l.b !== region) continue;
        await run(IP, ["-n", namespaces.get(l.a)!, "link", "set", l.devA, state]);
        await run(IP, ["-n", namespaces.get(l.b)!, "link", "set", l.devB, state]);
      }
      const acc = access.get(region);
      if (acc) await run(IP, ["link", "set", acc.hostDev, state]);
    },
    close,
  };
}

/**
 * Whether tc netem works here, tried on a throwaway namespace (false where namespaces or veth do
 * not work either). Where it does not, the links' latency is realized by relays (delay: relay).
 */
export async function netemAvailable(): Promise<boolean> {
  return (await regionsUnsupported()) === undefined;
}

/** What a region run needs and this machine lacks, tried on a throwaway namespace; undefined when all works. */
export async function regionsUnsupported(needNormal = false): Promise<string | undefined> {
  if (process.platform !== "linux") return "regions need Linux network namespaces";
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "regions need root (ip netns, tc)";
  const ns = `hr-probe-${process.pid}`;
  try {
    await run(IP, ["netns", "add", ns]).catch((e: Error) => {
      throw new RegionNetError(`cannot create a network namespace (${e.message})`);
    });
    await run(IP, ["-n", ns, "link", "add", "hp0", "type", "veth", "peer", "name", "hp1"]).catch((e: Error) => {
      throw new RegionNetError(`cannot create a veth pair (${e.message})`);
    });
    await run(TC, ["-n", ns, "qdisc", "add", "dev", "hp0", "root", "netem", "delay", "1ms"]).catch((e: Error) => {
      throw new RegionNetError(`tc netem is not available, so inter-region latency cannot be realized (${e.message}; the kernel needs sch_netem, CONFIG_NET_SCH_NETEM)`);
    });
    if (needNormal && !["/usr/lib/tc/normal.dist", "/usr/lib64/tc/normal.dist", "/usr/share/tc/normal.dist"].some(existsSync)) {
      return "tc's normal.dist table is missing (install iproute2's tc data), so a normal latency's jitter cannot be realized";
    }
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await run(IP, ["netns", "del", ns]).catch(() => {});
  }
}
