// The plan panel's planner run in the page: single-service (300 req/s of exponential 20 ms, SLO
// p95 <= 100 ms, p99 <= 200 ms) with its servers left to the plan between 4 and 16. The load needs
// more than 300 x 0.02 = 6 servers to be stable; the answer is the fewest servers whose simulation
// meets the SLO, so the chosen count passes and one server fewer, simulated with the same settings
// and seed, does not. Without bounds or an SLO the page says what to add.
import { describe, expect, test } from "vitest";
import { applyAssignment } from "../../planning/planner.ts";
import { summarize } from "../../planning/verdict.ts";
import { scaleLoad } from "../../simulator/analytic/index.ts";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { planHere, planSettings } from "./plan-run.ts";
import text from "../../scenarios/single-service.yaml?raw";

const planned = scenarioOf(`${text.trimEnd()}\nplan:\n  api.servers: [4, 16]\n`, "planned.yaml");

describe("planHere", () => {
  test("single-service at 300/s: the fewest servers that meet the SLO, one fewer does not", async () => {
    const seen: number[] = [];
    const r = await planHere(planned, 300, (done) => seen.push(done));
    expect(r.chosen).not.toBeNull();
    const n = r.chosen!.assignment["api.servers"];
    expect(n).toBeGreaterThan(6); // 6 servers are 100% busy
    expect(r.chosen!.simulated!.pass).toBe(true);
    expect(r.costBasis).toBe("instances");
    expect(seen.length).toBe(r.simulated);
    const st = planSettings(planned);
    expect(st).toEqual({ replications: 3, duration: 60, warmup: 12, seed: planned.seed, maxSimulations: 12 });
    const fewer = applyAssignment(scaleLoad(planned, 300), { "api.servers": n - 1 });
    const run = summarize(300, simulate(fewer, { seed: st.seed, replications: st.replications, duration: st.duration, warmup: st.warmup }));
    expect(run.pass).toBe(false);
    expect(r.explanation[1]).toContain(`Chosen: api.servers=${n}`);
  });

  test("without plan bounds, or without an SLO, it says what to add", async () => {
    await expect(planHere(scenarioOf(text, "s.yaml"), 300)).rejects.toThrow(/nothing to size; add bounds/);
    const noSlo = scenarioOf(`${text.replace(/\nslo:[\s\S]*$/, "\n")}plan:\n  api.servers: [4, 16]\n`, "n.yaml");
    await expect(planHere(noSlo, 300)).rejects.toThrow(/no slo: section/);
  });
});
