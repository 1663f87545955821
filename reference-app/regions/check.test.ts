// `app check`'s region issues: none without regions; a latency netem cannot hold named by its
// field; and this machine's shortfall (as the probe finds it) named under `regions`.
import { describe, expect, it } from "vitest";
import { regionIssues } from "./check.ts";
import { regionsUnsupported } from "./netns.ts";
import { bundled } from "../testing.ts";
import type { Scenario } from "../../simulator/model/index.ts";

describe("app check on regions", () => {
  it("has nothing to say without regions", async () => {
    expect(await regionIssues(bundled("single-service"))).toEqual([]);
  });

  it("names a latency netem cannot hold, and what this machine lacks", async () => {
    const s = bundled("one-million-users");
    const lognormal: Scenario = { ...s, regions: { "us-east": { latency: { "us-west": { dist: "lognormal", mean: 0.032, cv: 0.5 } } }, "us-west": {} } };
    const issues = await regionIssues(lognormal);
    expect(issues[0]).toEqual({ field: "regions.us-east.latency.us-west", reason: "a lognormal latency cannot be realized by tc netem (constant or normal only)" });
    // The probe's namespace name carries its pid; the rest of the reason is the machine's.
    const strip = (x: string) => x.replace(/hr-probe-\d+/, "hr-probe");
    const missing = await regionsUnsupported(true);
    expect(issues.slice(1).map((i) => ({ ...i, reason: strip(i.reason) }))).toEqual(missing ? [{ field: "regions", reason: `${strip(missing)}; regions never run without their latency` }] : []);
  });
});
