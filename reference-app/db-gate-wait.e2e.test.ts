// The gate's mean wait for a connection against the model's (npm run test:app, so CI):
// the setting of app-db-gate.e2e.test.ts (4 connections under 2 x 16 callers at about 75% load,
// the model fed the hold the gate measured), judged on the gate's SHOW STATS wait within the 95%
// intervals of its 2 s batch means and of the replications plus the prediction's shift for the
// hold's half-width. Not yet passed on this shared 2-core machine (load average 9-14, 3 Dec 2026):
// 19.4-38.4 ms measured against 8.6-11.7 ms predicted in four runs, while the share of time all 4
// are busy matched (0.43-0.57 against 0.48-0.54) and the gate never left a connection idle with a
// client waiting: the holds stretch together when the machine is busy (episodes of 9 and more
// waiting clients in SHOW POOLS), which the model's independent holds do not have. Alone (4 Dec
// 2026, load 1.0-1.5) it passed 3 of 3: 6.53 and 6.67 ms against 6.30 (tolerance 2.9-3.0 ms), so
// it runs in test:app (one retry, as the suite's other timings).
import { describe, expect, it } from "vitest";
import { measureGate } from "./testing/db-gate-levels.ts";
import { leftovers } from "./testing.ts";

describe("the max_connections gate's wait against the model's", () => {
  it("the mean wait for a connection at about 75% load, as the simulator's at the measured hold", async () => {
    const r = await measureGate();
    expect(r.refused).toBe(0);
    expect(Math.abs(r.wait.mean - r.pred.waitMs.mean.mean)).toBeLessThanOrEqual(r.tolWait);
    expect(await leftovers(r.runDir, r.ports)).toEqual([]);
  }, 180_000);
});
