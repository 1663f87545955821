// The sustainability rule on a partitioned queue: its busiest partition decides, not the average.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { simulate, type Scenario } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { summarize } from "./verdict.ts";

const load = (file: string): Scenario => {
  return scenarioOf(readFileSync(file, "utf8"), file);
};

describe("summarize: a partitioned queue's saturation", () => {
  it("fails a level where the hot partition's consumer falls behind while the average is half busy", () => {
    // 4 partitions x 1 consumer of 25 ms (40/s each); Zipf keys send ~38% to one partition, so it
    // saturates near 105/s while the four together are ~70% busy
    const s = load("scenarios/validation/partitioned-queue.yaml");
    const at = (rate: number) => simulate({ ...s, load: { ...s.load, rate } } as Scenario, { duration: 30, warmup: 5, replications: 2 });
    const over = at(130);
    expect(over.components.events.utilization.mean).toBeLessThan(0.9);
    const r = summarize(130, over);
    expect(r.pass).toBe(false);
    expect(r.failed).toMatch(/^queue events saturated/);
    expect(summarize(60, at(60)).pass).toBe(true);
  });
});
