// What `headroom app check` says about a scenario's regions on this machine: what the machine lacks
// to run regions at all (root, namespaces, veth), found by trying them on a throwaway namespace
// (regions/netns.ts). The inter-region latency itself is always realizable: by tc netem where the
// kernel has it and the distribution is netem's (constant, normal with its table), else by the
// userspace delaying relay (regions/relay.ts), which draws any distribution the YAML allows.
// Separate from the plan because it starts things; a run never goes ahead without its latency.
import { latencyBetween, regionNames, type Scenario } from "../../simulator/model/index.ts";
import { netemArgs, regionsUnsupported } from "./netns.ts";

export interface RegionIssue {
  readonly field: string;
  readonly reason: string;
}

/** How each pair of regions' latency would be realized here: netem, or the relay (and why). */
export interface LatencyRealization {
  readonly field: string;
  readonly by: "netem" | "relay";
  readonly why?: string;
}

/** Issues with realizing the scenario's regions here; empty without regions or when all works. */
export async function regionIssues(s: Scenario): Promise<RegionIssue[]> {
  return (await regionReport(s)).issues;
}

/** The issues, and how each link's latency would be realized. */
export async function regionReport(s: Scenario): Promise<{ issues: RegionIssue[]; latency: LatencyRealization[] }> {
  const regions = regionNames(s);
  if (regions.length === 0) return { issues: [], latency: [] };
  const issues: RegionIssue[] = [];
  const missing = await regionsUnsupported(true);
  // netem (or its normal table) missing is not a shortfall: the relay realizes the latency
  const netemMissing = missing !== undefined && /netem|normal\.dist/.test(missing);
  if (missing && !netemMissing) issues.push({ field: "regions", reason: `${missing}; regions never run without their latency` });
  const latency: LatencyRealization[] = [];
  regions.forEach((a, i) => {
    for (const b of regions.slice(i + 1)) {
      const field = `regions.${a}.latency.${b}`;
      const d = latencyBetween(s, a, b);
      let why = netemMissing ? missing : undefined;
      if (!why) {
        try {
          netemArgs(d, field);
        } catch (e) {
          why = (e as Error).message.replace(/^[^:]*: /, "");
        }
      }
      latency.push(why ? { field, by: "relay", why } : { field, by: "netem" });
    }
  });
  return { issues, latency };
}
