// Every scenario offered in one click parses; every template also runs and matches its analytic
// utilization (offered load over servers), so a new model starts from something that works.
import { describe, expect, test } from "vitest";
import { parseScenario, simulate, visitRatios, meanOf, peakRate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { presets, defaultPreset } from "./scenarios.ts";

describe("presets", () => {
  test("all files of scenarios/ are offered, single-service first opened", () => {
    expect(presets.filter((p) => p.group === "scenario").map((p) => p.label)).toEqual(
      expect.arrayContaining(["single-service.yaml", "cache-aside.yaml", "read-replicas.yaml", "queue-offload.yaml"]),
    );
    expect(defaultPreset.id).toBe("scenario:single-service");
  });

  // The empty canvas is a model to be built by hand: it says what is missing and nothing else.
  const EMPTY = "template:empty";
  test("the empty canvas reports only its missing components and flow", () => {
    const p = presets.find((x) => x.id === EMPTY)!;
    const outcome = parseScenario(p.text, p.label);
    expect(outcome.ok).toBe(false);
    const errors = outcome.ok ? [] : outcome.errors;
    expect(errors.map((e) => e.path).sort()).toEqual(["components", "load.classes.request.flow[0]"]);
  });

  test.each(presets.filter((p) => p.id !== EMPTY).map((p) => [p.id, p] as const))("%s parses", (_, p) => {
    const outcome = parseScenario(p.text, p.label);
    expect(outcome.ok ? [] : outcome.errors).toEqual([]);
  });

  test.each(presets.filter((p) => p.group === "template" && p.id !== EMPTY).map((p) => [p.id, p] as const))("%s runs, utilization as predicted", (_, p) => {
    const s = scenarioOf(p.text, p.label);
    const r = simulate(s, { replications: 3 });
    const rate = peakRate(s);
    if (rate === undefined) {
      // Closed model: every user completes; the result must have traffic.
      expect(r.accounting.completed).toBeGreaterThan(1000);
      return;
    }
    // Open model: offered work at each station = sum over classes of rate share x visits x service.
    const visits = visitRatios(s);
    const classes = Object.entries(s.load.classes);
    const total = classes.reduce((a, [, c]) => a + c.weight, 0);
    for (const [name, comp] of Object.entries(s.components)) {
      if (comp.kind !== "station") continue;
      let work = 0;
      for (const [cls, c] of classes) {
        const perClassService = c.flow.find((st) => typeof st === "object" && "visit" in st && st.visit === name && st.service);
        const mean = perClassService && "service" in perClassService && perClassService.service ? meanOf(perClassService.service) : meanOf(comp.service);
        work += rate * (c.weight / total) * (visits[cls][name] ?? 0) * mean;
      }
      const expected = work / comp.servers;
      // 3 replications of 60 s: the simulated utilization is within 5% (relative) of offered work.
      expect(r.components[name].utilization.mean, name).toBeGreaterThan(expected * 0.95);
      expect(r.components[name].utilization.mean, name).toBeLessThan(expected * 1.05);
    }
  });
});
