// The slowed-dependency validation on the real stack (npm run test:app, about 80 s): HAProxy and two
// Node replicas, the load stepping past their capacity, sent from the Node client whose calls time
// out, retry and break the circuit with the model's semantics (reference-app/service/resilience.ts).
// Its rows must meet docs/validation.md's targets: retry amplification within 10%, short-circuited
// share within 5 points, error rate within 20% or 2 points, breaker open time share within 5
// points. Two runs at load average 15-16 measured 1.11 / 0.33-0.34 / 0.58 against 1.11 / 0.32 /
// 0.56, and an open time share of 0.22 before the model had one to compare.
// Each try draws its own run seed (printed; `--run-seed` reproduces it): every run of one seed is
// the same realization, and the scenario's seed 23 holds a service time past the timeout at the
// 43 s half-open that opens the breaker a fifth time in some runs (docs/validation.md, "One run is
// one realization"): a retry of the same seed would repeat that luck, not sample again.
import { describe, expect, it } from "vitest";
import { randomInt } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { validateDynamics } from "./dynamics.ts";

const FILE = "scenarios/validation/dynamic/slow-dependency.yaml";

describe("slowed dependency, measured", () => {
  it("retries, breaker and errors within the targets", async () => {
    const out = await mkdtemp(join(tmpdir(), "headroom-slowdep-"));
    try {
      const runSeed = randomInt(1, 2 ** 31);
      console.log(`  run seed ${runSeed} (npm run validate:dynamics -- ${FILE} --run-seed ${runSeed})`);
      const r = await validateDynamics(FILE, await loadScenarioFile(FILE), out, () => {}, { runSeed });
      const rows = Object.fromEntries(r.rows.map((x) => [x.name, x]));
      // every row in the log, so a first try that fails (retried by test:app) says which row and by how much
      for (const x of r.rows) console.log(`  ${x.name}: predicted ${x.predicted}, measured ${x.measured} (pass: ${x.pass})`);
      const amp = rows["retry amplification (1 + retries / calls)"]!;
      expect(amp.measured).toBeGreaterThan(1.02); // retries really happened
      expect(rows["breaker openings per run"]!.measured).toBeGreaterThanOrEqual(1);
      expect(r.rows.filter((x) => x.pass === false).map((x) => `${x.name}: ${x.predicted} vs ${x.measured}`)).toEqual([]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
