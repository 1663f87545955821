// The node form's edits go into the YAML text without losing comments or layout.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { parseScenario } from "../../simulator/index.ts";
import { formFields, moreFields, setField } from "./yaml-edit.ts";
import { componentFields } from "../../simulator/index.ts";
import { CLIENTS } from "./topology.ts";

const single = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");

describe("node form fields", () => {
  test("a station's fields as written, a distribution's mean edited in place", () => {
    const f = formFields(single, "api");
    expect(f.map((x) => [x.label, x.value])).toEqual([["servers", "8"], ["service.mean", "20ms"], ["buffer", ""], ["queue_timeout", ""]]);
    expect(f[1].path).toEqual(["components", "api", "service", "mean"]);
  });

  test("with the key fields, the form covers every field the loader reads for the kind: each listed once", () => {
    for (const kind of ["station", "service", "load_balancer", "cache", "database", "queue", "cdn", "function", "realtime"]) {
      const all = componentFields(kind).map((f) => f.name).filter((n) => n !== "kind");
      expect(all.length, kind).toBeGreaterThan(3);
      const text = `components:\n  x:\n    kind: ${kind}\n`;
      const m = moreFields(text, "x");
      const shown = [...formFields(text, "x").map((f) => f.path[2]), ...m.editable.map((f) => f.path[2]), ...m.nested.map((n) => n.name)];
      expect([...shown].sort(), kind).toEqual([...all].sort());
    }
    // a station: retries and the like are not its fields; routing is a list, written in the YAML
    const api = moreFields(single, "api");
    expect(api.nested.find((n) => n.name === "routing")).toMatchObject({ written: false });
    expect(api.editable.map((f) => f.label)).toContain("region");
    expect(componentFields("station").map((f) => f.name)).not.toContain("retries");
    expect(componentFields("service").map((f) => f.name)).toEqual(expect.arrayContaining(["retries", "circuit_breaker", "autoscaling", "handlers"]));
  });

  test("the clients node edits the open load's rate", () => {
    expect(formFields(single, CLIENTS).map((x) => [x.label, x.value])).toEqual([["rate", "300/s"]]);
  });

  test("setting a field changes only that value; comments and flow style stay", () => {
    const out = setField(single, ["components", "api", "service", "mean"], "25ms");
    expect(out).toContain("service: { dist: exponential, mean: 25ms }");
    expect(out.split("\n").filter((l) => l.startsWith("#"))).toEqual(single.split("\n").filter((l) => l.startsWith("#")));
    const diff = out.split("\n").filter((l, i) => l !== single.split("\n")[i]);
    expect(diff).toEqual(["    service: { dist: exponential, mean: 25ms }"]);
    const parsed = parseScenario(out, "x");
    expect(parsed.ok && parsed.scenario.components.api.kind === "station" && parsed.scenario.components.api.service).toEqual({ dist: "exponential", mean: 0.025 });
  });

  test("numbers stay numbers, new fields are added, empty removes", () => {
    const more = setField(single, ["components", "api", "servers"], "12");
    expect(more).toContain("servers: 12");
    const withBuffer = setField(more, ["components", "api", "buffer"], "50");
    const p = parseScenario(withBuffer, "x");
    expect(p.ok && p.scenario.components.api.kind === "station" && p.scenario.components.api.buffer).toBe(50);
    expect(setField(withBuffer, ["components", "api", "buffer"], "")).not.toContain("buffer");
  });

  test("a text that does not parse as YAML is left alone", () => {
    const broken = single + "\n  : [";
    expect(setField(broken, ["components", "api", "servers"], "3")).toBe(broken);
    expect(formFields(broken, "api")).toEqual([]);
  });
});
