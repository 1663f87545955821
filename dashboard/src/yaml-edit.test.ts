// The node form's edits go into the YAML text without losing comments or layout.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { parseScenario } from "../../simulator/index.ts";
import { formFields, moreFields, setBlock, setField } from "./yaml-edit.ts";
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

  test("adding or removing a field is one line: the file's flow maps and aligned comments stay as written", () => {
    const withBuffer = setField(single, ["components", "api", "buffer"], "50");
    const a = single.split("\n"), b = withBuffer.split("\n");
    expect(b.length).toBe(a.length + 1);
    const at = b.indexOf("    buffer: 50");
    expect(at).toBeGreaterThan(0);
    expect([...b.slice(0, at), ...b.slice(at + 1)]).toEqual(a);
    expect(setField(withBuffer, ["components", "api", "buffer"], "")).toBe(single);
    // removing a field not written changes nothing
    expect(setField(single, ["components", "api", "buffer"], "")).toBe(single);
  });

  test("a text that does not parse as YAML is left alone", () => {
    const broken = single + "\n  : [";
    expect(setField(broken, ["components", "api", "servers"], "3")).toBe(broken);
    expect(formFields(broken, "api")).toEqual([]);
  });

  describe("a map or list field, edited whole as a YAML block", () => {
    const million = readFileSync(new URL("../../scenarios/one-million-users.yaml", import.meta.url), "utf8");
    const comp = (text: string, name: string) => {
      const p = parseScenario(text, "x");
      if (!p.ok) throw new Error(p.errors.map((e) => e.message).join("; "));
      return p.scenario.components[name] as unknown as Record<string, unknown>;
    };
    const changed = (a: string, b: string) => {
      const x = a.split("\n"), y = b.split("\n");
      let i = 0;
      while (i < x.length && x[i] === y[i]) i++;
      let j = 0;
      while (j < x.length - i && x[x.length - 1 - j] === y[y.length - 1 - j]) j++;
      return { removed: x.slice(i, x.length - j), added: y.slice(i, y.length - j) };
    };

    test("the form shows a written map as a block and writes an edit back; every other line stays", () => {
      const name = "api_east";
      const f = moreFields(million, name).nested.find((n) => n.name === "autoscaling")!;
      expect(f.written).toBe(true);
      expect(f.block.split("\n")).toContain("min: 20");
      const r = setBlock(million, f.path, f.block.replace("max: 160", "max: 200"));
      if (!("text" in r)) throw new Error(r.error);
      expect((comp(r.text, name)["autoscaling"] as { max: number }).max).toBe(200);
      const d = changed(million, r.text);
      expect(d.removed).toEqual([expect.stringContaining("autoscaling: { min: 20, max: 160")]);
      expect(d.added[0]).toBe("    autoscaling:");
      expect(d.added).toContain("      max: 200");
      // the untouched rest keeps its flow style and comments byte for byte
      expect(r.text.split("\n").filter((l) => l.trimStart().startsWith("#"))).toEqual(million.split("\n").filter((l) => l.trimStart().startsWith("#")));
    });

    test("a field not yet written is added after the component's last field, with the block's comments", () => {
      const r = setBlock(single, ["components", "api", "cost"], "instance_hour: 0.5  # list price\n");
      if (!("text" in r)) throw new Error(r.error);
      const d = changed(single, r.text);
      expect(d.removed).toEqual([]);
      expect(d.added).toEqual(["    cost:", "      instance_hour: 0.5  # list price"]);
      expect(comp(r.text, "api")["cost"]).toMatchObject({ instance_hour: 0.5 });
      // and removed again: the text is what it was
      const back = setBlock(r.text, ["components", "api", "cost"], "  ");
      expect("text" in back && back.text).toBe(single);
    });

    test("a block that does not parse, or is a single value, is refused with where and why; nothing written", () => {
      const bad = setBlock(single, ["components", "api", "routing"], "- a\n- [b,\n c: d");
      expect("error" in bad && bad.error).toMatch(/^line \d+, column \d+: \S/);
      expect(setBlock(single, ["components", "api", "routing"], "5")).toEqual({ error: "routing takes a map or a list, not a single value" });
      expect(setBlock(single + "\n  : [", ["components", "api", "routing"], "- a")).toHaveProperty("error");
    });
  });
});
