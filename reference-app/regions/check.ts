// What `headroom app check` says about a scenario's regions on this machine: each inter-region
// latency netem cannot hold, and what the machine lacks to run regions at all (namespaces, veth,
// netem, its normal table), found by trying them on a throwaway namespace (regions/netns.ts).
// Separate from the plan because it starts things; a run never goes ahead without its latency.
import { latencyBetween, regionNames, type Scenario } from "../../simulator/model/index.ts";
import { netemArgs, regionsUnsupported } from "./netns.ts";

export interface RegionIssue {
  readonly field: string;
  readonly reason: string;
}

/** Issues with realizing the scenario's regions here; empty without regions or when all works. */
export async function regionIssues(s: Scenario): Promise<RegionIssue[]> {
  const regions = regionNames(s);
  if (regions.length === 0) return [];
  const issues: RegionIssue[] = [];
  let normal = false;
  regions.forEach((a, i) => {
    for (const b of regions.slice(i + 1)) {
      const d = latencyBetween(s, a, b);
      try {
        netemArgs(d, `regions.${a}.latency.${b}`);
        if (d?.dist === "normal" && d.sd > 0) normal = true;
      } catch (e) {
        issues.push({ field: `regions.${a}.latency.${b}`, reason: (e as Error).message.replace(/^[^:]*: /, "") });
      }
    }
  });
  const missing = await regionsUnsupported(normal);
  if (missing) issues.push({ field: "regions", reason: `${missing}; regions never run without their latency` });
  return issues;
}
