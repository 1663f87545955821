// scenarioOf (simulator/testing.ts), the one helper every folder's tests build a scenario with: it
// returns what parseScenario parses, and a text that does not parse fails with every problem,
// each as file:line:column: field: message.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../index.ts";
import { scenarioOf } from "../testing.ts";

const GOOD = `version: 1
name: t
load: { model: open, rate: 10/s, classes: { r: { flow: [s] } } }
components:
  s: { kind: station, servers: 2, service: 10ms }
`;

describe("scenarioOf", () => {
  it("returns the scenario parseScenario gives", () => {
    const r = parseScenario(GOOD, "test.yaml");
    if (!r.ok) throw new Error("GOOD must parse");
    expect(scenarioOf(GOOD)).toEqual(r.scenario);
    expect(scenarioOf(GOOD).components.s).toMatchObject({ kind: "station", servers: 2 });
  });

  it("fails with every problem, located in the named file", () => {
    const bad = GOOD.replace("servers: 2", "servers: -1").replace("rate: 10/s", "rate: fast");
    const r = parseScenario(bad, "inline.yaml");
    if (r.ok) throw new Error("bad must not parse");
    expect(r.errors.length).toBe(2);
    let message = "";
    try {
      scenarioOf(bad, "inline.yaml");
    } catch (e) {
      message = (e as Error).message;
    }
    const lines = message.split("\n");
    expect(lines[0]).toBe("inline.yaml does not parse:");
    expect(lines.slice(1)).toEqual(r.errors.map((e) => `inline.yaml:${e.line}:${e.column}: ${e.path}: ${e.message}`));
    expect(lines.slice(1).map((l) => l.split(":").slice(1, 3).join(":")).sort()).toEqual(["3:28", "5:32"]); // the values `fast` and `-1`
    expect(message).toContain("load.rate");
    expect(message).toContain("components.s.servers");
  });
});
