// The cache-loss validation on the real stack (npm run test:app, about 140 s): HAProxy, two
// replicas, Redis and PostgreSQL under 100 req/s of Zipf reads; 35, 65 and 95 s in, the harness
// restarts Redis empty through the admin fault (/faults/cache/restart) and the hit ratio climbs back (rows: means over the three).
// All three rows must meet docs/validation.md's targets: hit ratio before the losses within 3 points,
// in the 5 s after within 5 points, recovery time within 20%. (The recovery row was only required
// to be measured while it missed by 22-24% in runs at load averages 9-21 from other jobs; alone, on
// 3 Dec 2026, three runs at load 0.4-5.7 recovered in 14.65, 14.65 and 13.59 s against the model's
// 13.67: docs/validation.md.)
import { describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { validateDynamics } from "./dynamics.ts";

const FILE = "scenarios/validation/dynamic/cache-loss.yaml";

describe("cache loss, measured", () => {
  it("the hit ratio drops at each loss (Redis restarted empty) as the model says, and recovers", async () => {
    const out = await mkdtemp(join(tmpdir(), "headroom-cacheloss-"));
    try {
      const r = await validateDynamics(FILE, await loadScenarioFile(FILE), out);
      const rows = Object.fromEntries(r.rows.map((x) => [x.name, x]));
      const before = rows["hit ratio before the loss"]!, after = rows["hit ratio in the 5 s after the loss"]!;
      expect(before.measured - after.measured).toBeGreaterThan(0.1); // the restart really emptied it
      const recovery = rows["recovery time (s): 5-s trailing mean back to 90% of before"]!;
      // every row in the log: a first try that fails and is retried (test:app) still says which row
      for (const x of [before, after, recovery]) console.log(`  ${x.name}: predicted ${x.predicted}, measured ${x.measured} (pass: ${x.pass})`);
      expect([before.pass, after.pass, recovery.pass], JSON.stringify({ before, after, recovery })).toEqual([true, true, true]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
