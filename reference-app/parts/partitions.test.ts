// The pure parts of parts/partitions.ts: the partition of a key is the simulator's (the analytic
// solver's shares, built on the engine's hash, come out of partitionOf exactly), the per-run
// names, and the model's per-partition buffer as x-max-length.
import { describe, expect, it } from "vitest";
import { partitionArguments, partitionNames, partitionOf } from "./partitions.ts";
import { bucketShares } from "../../simulator/analytic/index.ts";

describe("partitions", () => {
  it("places keys as the simulator does: uniform shares over 1000 keys equal partitionOf's counts", () => {
    for (const n of [1, 3, 4, 7]) {
      const counts = new Array<number>(n).fill(0);
      for (let k = 0; k < 1000; k++) counts[partitionOf(k, n)]!++;
      const shares = bucketShares({ count: 1000, s: 0 }, n, "hash", 1000);
      counts.forEach((c, p) => expect(c / 1000).toBeCloseTo(shares[p]!, 12));
    }
    expect(partitionOf(0, 1)).toBe(0);
  });

  it("names one queue per partition after the run, and refuses a count that is not a positive integer", () => {
    expect(partitionNames("r1", "events", 3)).toEqual({ partitions: ["headroom.r1.events.p0", "headroom.r1.events.p1", "headroom.r1.events.p2"], dlq: "headroom.r1.events.dead" });
    expect(() => partitionNames("r1", "events", 0)).toThrow(/positive integer/);
  });

  it("splits max_length over the partitions as the simulator's buffer (rounded up), with the overflow", () => {
    expect(partitionArguments({ name: "q", partitions: 4, maxLength: 10, overflow: "drop_head" })).toEqual({ "x-max-length": 3, "x-overflow": "drop-head" });
    expect(partitionArguments({ name: "q", partitions: 4, overflow: "reject_publish" })).toEqual({});
  });
});
