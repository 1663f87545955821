// What `headroom app check` says about a scenario's regions on this machine: how each pair of
// regions' latency is realized, and what would keep it from being realized (then exit 2: a run
// never goes ahead without its latency). `app up` places each region's parts on the host's
// loopback (regions/placement.ts) and delays every crossing with the userspace relay
// (regions/relay.ts), which draws any distribution the YAML allows; tc netem is not used, since it
// delays an interface and the regions' parts share the host's loopback. The relay runs under
// SCHED_FIFO (chrt) as root, so a root run needs chrt; as another user it runs at normal priority,
// which a loaded machine turns into later releases (said, not refused).
// Separate from the plan because it looks at the machine.
import { execFileSync } from "node:child_process";
import { latencyBetween, regionNames, type Scenario } from "../../simulator/model/index.ts";
import { RELAY_RT_PRIORITY } from "./relay-proc.ts";

export interface RegionIssue {
  readonly field: string;
  readonly reason: string;
}

/** How each pair of regions' latency is realized: always the relay (see the header), with its priority. */
export interface LatencyRealization {
  readonly field: string;
  readonly by: "relay";
  readonly how: string;
}

/** Issues with realizing the scenario's regions here; empty without regions or when all works. */
export async function regionIssues(s: Scenario, hasChrt: () => boolean = chrtFound): Promise<RegionIssue[]> {
  return (await regionReport(s, hasChrt)).issues;
}

function chrtFound(): boolean {
  try {
    execFileSync("chrt", ["--max"], { stdio: "ignore", timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/** The issues, and how each link's latency would be realized. */
export async function regionReport(s: Scenario, hasChrt: () => boolean = chrtFound): Promise<{ issues: RegionIssue[]; latency: LatencyRealization[] }> {
  const regions = regionNames(s);
  if (regions.length === 0) return { issues: [], latency: [] };
  const root = process.getuid?.() === 0;
  const issues: RegionIssue[] = [];
  if (root && !hasChrt()) {
    issues.push({ field: "regions", reason: "the delaying relay runs at a real-time priority as root and needs chrt (apt-get install util-linux); regions never run without their latency" });
  }
  const how = root
    ? `the delaying relay between the regions' loopback ports (userspace, SCHED_FIFO priority ${RELAY_RT_PRIORITY}; not tc netem: the regions share the host's loopback)`
    : "the delaying relay between the regions' loopback ports (userspace, normal priority as this user is not root: a loaded machine releases crossings later; not tc netem: the regions share the host's loopback)";
  const latency: LatencyRealization[] = [];
  regions.forEach((a, i) => {
    for (const b of regions.slice(i + 1)) {
      if (!latencyBetween(s, a, b)) continue;
      // named where the file gives it (under either region)
      const underA = s.regions?.[a]?.latency !== undefined && Object.hasOwn(s.regions[a]!.latency!, b);
      latency.push({ field: underA ? `regions.${a}.latency.${b}` : `regions.${b}.latency.${a}`, by: "relay", how });
    }
  });
  return { issues, latency };
}
