// `app check` on regions: nothing to say without regions; each pair's latency named where the file
// gives it and realized by the relay (with its priority); as root without chrt, an issue (exit 2).
import { describe, expect, it } from "vitest";
import { regionIssues, regionReport } from "./check.ts";
import { bundled } from "../testing.ts";
import type { Scenario } from "../../simulator/model/index.ts";

describe("app check on regions", () => {
  it("has nothing to say without regions", async () => {
    expect(await regionIssues(bundled("single-service"))).toEqual([]);
  });

  it("realizes every pair's latency with the relay, named where the file gives it", async () => {
    const s = bundled("one-million-users");
    const lognormal: Scenario = { ...s, regions: { "us-east": {}, "us-west": { latency: { "us-east": { dist: "lognormal", mean: 0.032, cv: 0.5 } } } } };
    const r = await regionReport(lognormal, () => true);
    expect(r.latency).toEqual([{ field: "regions.us-west.latency.us-east", by: "relay", how: expect.stringMatching(/delaying relay between the regions' loopback ports/) }]);
    expect(r.issues).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)("as root, names a missing chrt (the relay's real-time priority) as an issue", async () => {
    const r = await regionReport(bundled("one-million-users"), () => false);
    expect(r.issues).toEqual([{ field: "regions", reason: expect.stringMatching(/needs chrt/) }]);
    expect(r.latency[0]!.how).toMatch(/SCHED_FIFO priority 20/);
  });
});
