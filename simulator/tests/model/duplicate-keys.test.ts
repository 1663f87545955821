// Duplicate keys and line/column positions, found without yaml's quadratic `uniqueKeys`: the
// loader's own pass (`indexKeys`) must report exactly the keys yaml's check reports, at the same
// offsets except where yaml points at the blank just before the key (after a key with an empty
// value; there ours points at the key itself) or an empty key starts at the blank before its `:`. `LineIndex` must agree with a
// count of the newlines before each offset, and with yaml's LineCounter on well-formed files (the
// counter skips the newline ending an unclosed quoted scalar).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { parseScenario } from "../../model/index.ts";
import { LineIndex } from "../../model/errors.ts";
import { indexKeys } from "../../model/yaml-keys.ts";

const root = join(import.meta.dirname, "../../../scenarios");
const bundled = [...readdirSync(root).map((f) => join(root, f)), ...readdirSync(join(root, "validation")).map((f) => join(root, "validation", f))]
  .filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(f, "utf8"));

/** Offsets of yaml's own duplicate-key errors, and of ours. */
function both(text: string): { yaml: number[]; ours: number[] } {
  const yaml = parseDocument(text, { uniqueKeys: true }).errors.filter((e) => e.code === "DUPLICATE_KEY").map((e) => e.pos[0]);
  const ours = indexKeys(parseDocument(text, { uniqueKeys: false })).duplicates.map((d) => d.offset).sort((a, b) => a - b);
  return { yaml, ours };
}

/** Ours equal yaml's, or only blanks lie between the two (yaml's before a key, or an empty key's). */
function expectSameKeys(text: string): { differ: number } {
  const { yaml, ours } = both(text);
  expect(ours.length, text).toBe(yaml.length);
  let differ = 0;
  ours.forEach((o, i) => {
    if (o === yaml[i]) return;
    differ++;
    expect(text.slice(Math.min(o, yaml[i]), Math.max(o, yaml[i])), text).toMatch(/^[ \t\r\n]+$/);
  });
  return { differ };
}

describe("duplicate keys", () => {
  it("hand-picked cases match yaml's check, offset for offset", () => {
    const cases = [
      "a: 1\na: 2\n",
      "a: 1\nb: { x: 1, x: 2, y: [ { z: 1, z: 2 } ] }\nb: 3\n",
      "~: 1\nnull: 2\n",                          // both keys are null scalars
      "1: a\n'1': b\n1.0: c\n",                   // 1 and 1.0 are the same number; '1' is a string
      ".nan: 1\n.nan: 2\n",                       // NaN never equals itself
      "&k a: 1\n*k : 2\n",                        // an alias key is compared by identity only
      "? [a]\n: 1\n? [a]\n: 2\n",                 // collection keys too
      "? \n: 1\n? \n: 2\n",                       // empty keys are null scalars
      "x:\n  - { p: 1, p: 2 }\n  - [a: 1, a: 2]\n", // one-pair mappings in a flow sequence are separate
      "\"a\": 1\n'a': 2\na: 3\n",
    ];
    const differ = cases.map((text) => expectSameKeys(text).differ);
    expect(differ).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]); // only the empty keys differ
    expect(both("a: 1\nb: { x: 1, x: 2, y: [ { z: 1, z: 2 } ] }\nb: 3\n").ours).toHaveLength(3);
    expect(both("1: a\n'1': b\n1.0: c\n").ours).toEqual([12]);
    expect(both(".nan: 1\n.nan: 2\n").ours).toEqual([]);
    expect(both("a:\na:\n")).toEqual({ yaml: [2], ours: [3] }); // yaml's is the newline before the key
  });

  it("bundled scenarios with lines duplicated, moved and re-indented match yaml's check", () => {
    let withDuplicates = 0;
    fc.assert(fc.property(
      fc.nat({ max: bundled.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom("dup", "move", "indent")), { minLength: 1, maxLength: 4 }),
      (d, ops) => {
        const lines = bundled[d].split("\n");
        for (const [i, j, op] of ops) {
          const a = i % lines.length;
          if (op === "dup") lines.splice(a, 0, lines[a]);
          else if (op === "move") lines.splice(j % lines.length, 0, ...lines.splice(a, 1));
          else lines[a] = `  ${lines[a]}`;
        }
        const text = lines.join("\n");
        if (both(text).yaml.length > 0) withDuplicates++;
        expectSameKeys(text);
      }), { numRuns: 400, seed: 13 });
    expect(withDuplicates).toBeGreaterThan(50); // the property did exercise duplicates
  });

  it("the loader reports a duplicate with yaml's message, its position and its field", () => {
    const text = "version: 1\nname: t\nload: { model: open, rate: 10/s, classes: { r: { flow: [api] } } }\ncomponents:\n  api: { kind: station, servers: 2, service: 10ms, servers: 3 }\n";
    const r = parseScenario(text, "dup.yaml");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([{ file: "dup.yaml", line: 5, column: 52, path: "components.api.servers", message: "YAML syntax: Map keys must be unique" }]);
    expect(text.split("\n")[4].slice(51, 58)).toBe("servers");
  });
});

describe("recursive aliases", () => {
  const scenario = (service: string) => `version: 1\nname: t\nload: { model: open, rate: 10/s, classes: { r: { flow: [api] } } }\ncomponents:\n  api: { kind: station, servers: 2, service: ${service} }\n`;
  const message = "YAML: this alias is inside the node its anchor names, so the data would contain itself";
  it("an alias inside its own anchor is refused at the alias (it used to crash the schema's messages)", () => {
    const cases: Array<[string, string, string]> = [
      ["{ dist: &self [*self], mean: 40ms }", "*self", "components.api.service.dist[0]"],
      ["&s { dist: exponential, mean: *s }", "*s", "components.api.service.mean"],
      ["&x [ *x, &x 1 ]", "*x", "components.api.service[0]"], // *x is the outer x: defined later, the inner one is not yet
    ];
    for (const [service, alias, path] of cases) {
      const text = scenario(service);
      const r = parseScenario(text, "a.yaml");
      expect(r.ok, service).toBe(false);
      if (r.ok) continue;
      expect(r.errors, service).toEqual([{ file: "a.yaml", line: 5, column: text.split("\n")[4].indexOf(alias) + 1, path, message }]);
    }
  });
  it("aliases to earlier nodes are not cycles: shared values still load", () => {
    expect(parseScenario(scenario("&x [ &x 1, *x ]"), "a.yaml")).toMatchObject({ ok: false, errors: [{ path: "components.api.service" }] }); // a schema error, no cycle
    const shared = "version: 1\nname: t\nload: { model: open, rate: 10/s, classes: { r: { flow: [api, db] } } }\ncomponents:\n  api: { kind: station, servers: 2, service: &svc { dist: exponential, mean: 10ms } }\n  db: { kind: station, servers: 2, service: *svc }\n";
    expect(parseScenario(shared, "a.yaml").ok).toBe(true);
  });
});

describe("line index", () => {
  it("counts the newlines before each offset, in random texts", () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom("a", " ", ":", "\n", "\r", "\r\n", "|", "\"", "#", "-", "\t"), maxLength: 80 }), (text) => {
      const index = new LineIndex(text);
      for (let offset = 0; offset <= text.length; offset++) {
        const before = text.slice(0, offset).split("\n");
        expect(index.at(offset), `${JSON.stringify(text)} @${offset}`).toEqual({ line: before.length, column: before[before.length - 1].length + 1 });
      }
    }), { numRuns: 300, seed: 7 });
  });
  it("gives yaml's LineCounter positions for every offset of the bundled scenarios", () => {
    let offsets = 0;
    for (const text of bundled) {
      const counter = new LineCounter();
      parseDocument(text, { lineCounter: counter });
      const index = new LineIndex(text);
      for (let offset = 0; offset <= text.length; offset++, offsets++) {
        const p = counter.linePos(offset);
        expect(index.at(offset)).toEqual({ line: p.line, column: p.col });
      }
    }
    expect(offsets).toBeGreaterThan(20_000);
  });
});
