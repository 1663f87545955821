// `app check`'s region issues: none without regions; a latency netem cannot hold, or a machine
// without netem, is realized by the relay (not an issue, named with its reason); what this machine
// lacks besides netem (root, namespaces, veth), as the probe finds it, named under `regions`.
import { describe, expect, it } from "vitest";
import { regionIssues, regionReport } from "./check.ts";
import { regionsUnsupported } from "./netns.ts";
import { bundled } from "../testing.ts";
import type { Scenario } from "../../simulator/model/index.ts";

describe("app check on regions", () => {
  it("has nothing to say without regions", async () => {
    expect(await regionIssues(bundled("single-service"))).toEqual([]);
  });

  it("realizes a latency netem cannot hold with the relay, and names what this machine lacks", async () => {
    const s = bundled("one-million-users");
    const lognormal: Scenario = { ...s, regions: { "us-east": { latency: { "us-west": { dist: "lognormal", mean: 0.032, cv: 0.5 } } }, "us-west": {} } };
    const r = await regionReport(lognormal);
    expect(r.latency).toHaveLength(1);
    expect(r.latency[0]).toMatchObject({ field: "regions.us-east.latency.us-west", by: "relay" });
    const strip = (x: string) => x.replace(/hr-probe-\d+/, "hr-probe");
    const missing = await regionsUnsupported(true);
    const netemMissing = missing !== undefined && /netem|normal\.dist/.test(missing);
    // the probe's namespace name carries its pid; the rest of the reason is the machine's
    expect(strip(r.latency[0]!.why!)).toBe(netemMissing ? strip(missing!) : "a lognormal latency cannot be realized by tc netem (constant or normal only)");
    expect(r.issues.map((i) => ({ ...i, reason: strip(i.reason) }))).toEqual(missing && !netemMissing ? [{ field: "regions", reason: `${strip(missing)}; regions never run without their latency` }] : []);
  });
});
