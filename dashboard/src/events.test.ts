// The run's events for the time axis: load steps and failures from the scenario, scaling actions
// from the result's series.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import type { Scenario, SimResult } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { timeEvents } from "./events.ts";

function load(text: string): Scenario {
  return scenarioOf(text, "t.yaml");
}

const run = (durationS: number, instances: Record<string, number[]> = {}, t: number[] = []) => ({
  run: { durationS },
  series: { t, components: Object.fromEntries(Object.entries(instances).map(([n, a]) => [n, { instances: a }])) },
}) as unknown as SimResult;

describe("timeEvents", () => {
  test("one-million-users: the spike, the step back and the us-west outage, at their times", () => {
    const s = load(readFileSync(new URL("../../scenarios/one-million-users.yaml", import.meta.url), "utf8"));
    const { events, unmarkedRandomFailures } = timeEvents(s, run(600));
    // stages: 3m ramp, 4m hold, then a 1m step to 1.3M (t = 420 s) and a step back to 1M (t = 480 s);
    // failures: us-west down at 510 s for 1 m
    expect(events).toEqual([
      { kind: "load", t: 420, label: "spike to 1.3M users" },
      { kind: "load", t: 480, label: "drop to 1M users" },
      { kind: "outage", t: 510, until: 570, label: "us-west down" },
    ]);
    expect(unmarkedRandomFailures).toBe(0);
  });

  test("crashes with restarts, primary failover, random failures counted apart, scaling from the series", () => {
    const s = load(readFileSync(new URL("../../simulator/tests/dynamics/failures.fixture.yaml", import.meta.url), "utf8"));
    const fails = s.failures ?? [];
    const { events, unmarkedRandomFailures } = timeEvents(s, run(1e9));
    const scheduled = fails.filter((f) => !("random" in f));
    expect(unmarkedRandomFailures).toBe(fails.length - scheduled.length);
    // each scheduled failure gives one mark, two with a restart or a promotion
    const marks = scheduled.reduce((a, f) => a + ("restart_after" in f && f.restart_after !== undefined ? 2 : "promote_after" in f ? 2 : 1), 0);
    expect(events.filter((e) => e.kind !== "load")).toHaveLength(marks);
    expect(events.map((e) => e.t)).toEqual([...events.map((e) => e.t)].sort((a, b) => a - b));

    const scaled = timeEvents(null, run(100, { api: [2, 2, 3, 3, 1], db: [1, 1, 1, 1, 1] }, [10, 20, 30, 40, 50])).events;
    expect(scaled).toEqual([{ kind: "scaling", t: 30, label: "api 2→3" }, { kind: "scaling", t: 50, label: "api 3→1" }]);
  });
});
