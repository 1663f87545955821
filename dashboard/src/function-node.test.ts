// The serverless function (kind: function) in the dashboard: its node says its limits, cold start
// and idle timeout; its handler's calls are edges; its form edits its key fields in place; and as
// the bottleneck the proposed move is one more instance at max_instances.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import type { Scenario } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { buildTopology, describeComponent } from "./topology.ts";
import { formFields, setField } from "./yaml-edit.ts";
import { check } from "./validate.ts";
import { proposeMove } from "./bottleneck-move.ts";

const text = readFileSync(new URL("../../scenarios/serverless-api.yaml", import.meta.url), "utf8");
function load(t: string): Scenario {
  return scenarioOf(t, "serverless-api.yaml");
}

describe("a function in the dashboard", () => {
  const s = load(text);
  test("node: limits, cold start, idle timeout, provisioned", () => {
    const lines = describeComponent(s.components.items_fn);
    expect(lines[0]).toBe("≤ 40 instances × 1");
    expect(lines[1]).toMatch(/^cold logN 450ms cv 0\.4 · idle (2m|120s)$/);
    expect(lines[2]).toBe("2 provisioned");
  });
  test("edges from the clients to the function and from its handlers to the cache and database", () => {
    const ids = buildTopology(s).edges.map((e) => `${e.source}->${e.target}`);
    expect(ids).toEqual(expect.arrayContaining(["items_fn->cache", "items_fn->db"]));
    expect(ids.some((e) => e.endsWith("->items_fn"))).toBe(true);
  });
  test("form: its fields as written; an edit changes only that value", () => {
    const f = formFields(text, "items_fn");
    expect(f.map((x) => [x.label, x.value])).toEqual([
      ["max_instances", "40"], ["concurrency", "1"], ["cold_start.mean", "450ms"], ["boot_capacity", ""], ["idle_timeout", "2m"], ["provisioned", "2"], ["memory", "512MiB"],
    ]);
    const out = setField(text, ["components", "items_fn", "provisioned"], "4");
    const diff = out.split("\n").filter((l, i) => l !== text.split("\n")[i]);
    expect(diff).toEqual(["    provisioned: 4             # kept warm, never reclaimed"]);
    const p = load(out).components.items_fn;
    expect(p.kind === "function" && p.provisioned).toBe(4);
  });
  test("boot_capacity: added as one line, read back by the loader, removed by emptying it", () => {
    const path = ["components", "items_fn", "boot_capacity"];
    const out = setField(text, path, "1.5");
    const a = text.split("\n"), b = out.split("\n");
    // one line inserted after the function's last field; every other line byte for byte
    const at = b.indexOf("    boot_capacity: 1.5");
    expect(at).toBeGreaterThan(a.indexOf("  items_fn:"));
    expect([...b.slice(0, at), ...b.slice(at + 1)]).toEqual(a);
    expect(b[at + 1]).toBe("  cache:");
    const p = load(out).components.items_fn;
    expect(p.kind === "function" && p.boot_capacity).toBe(1.5);
    expect(formFields(out, "items_fn").find((f) => f.label === "boot_capacity")?.value).toBe("1.5");
    expect(setField(setField(out, path, "2"), path, "")).toBe(text);
  });
  test("boot_capacity out of range: the loader's error at its line, with the field's path (the form lists it)", () => {
    for (const [v, why] of [["0", "got 0"], ["-1", "got -1"], [".inf", "got Infinity"], ["two", 'Expected number, actual "two"']] as const) {
      const out = setField(text, ["components", "items_fn", "boot_capacity"], v);
      const c = check(out);
      expect(c.scenario, v).toBeNull();
      expect(c.diagnostics.map((d) => [d.line, d.message]), v).toEqual([[out.split("\n").indexOf(`    boot_capacity: ${v}`) + 1, expect.stringContaining(`components.items_fn.boot_capacity: `)]]);
      expect(c.diagnostics[0]!.message, v).toContain(why);
    }
  });
  test("as the bottleneck: +1 instance at max_instances", () => {
    const fake = { bottleneck: "items_fn" } as Parameters<typeof proposeMove>[1];
    expect(proposeMove(s, fake)).toMatchObject({ move: { path: ["components", "items_fn", "max_instances"], from: 40, to: 41 } });
  });
});
