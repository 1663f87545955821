// Fuzzing the loader: random documents and mutations of the bundled scenarios never crash it;
// every outcome is a typed scenario or a list of located errors.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScenario } from "../../model/index.ts";

const dir = join(import.meta.dirname, "../../../scenarios");
const seeds = readdirSync(dir).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(dir, f), "utf8"));

function wellFormed(text: string): void {
  const r = parseScenario(text, "fuzz.yaml");
  if (r.ok) return;
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(e.file).toBe("fuzz.yaml");
    expect(Number.isInteger(e.line) && e.line >= 1).toBe(true);
    expect(Number.isInteger(e.column) && e.column >= 1).toBe(true);
    expect(typeof e.message).toBe("string");
    expect(e.message.length).toBeGreaterThan(3);
    expect(e.message).not.toMatch(/at .*\.ts:\d+/); // no stack traces
  }
}

describe("loader fuzzing", () => {
  it("random text", () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (s) => wellFormed(s)), { numRuns: 500, seed: 1 });
  });
  it("random JSON-like documents", () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => wellFormed(JSON.stringify(v))), { numRuns: 500, seed: 2 });
  });
  it("bundled scenarios with lines deleted, duplicated or changed", () => {
    const mutation = fc.record({
      doc: fc.nat({ max: seeds.length - 1 }),
      line: fc.nat(),
      op: fc.constantFrom("delete", "duplicate", "replace", "truncate", "indent"),
      text: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("-1", "0", "1e9/s", "abc", "~", "[]", "{}", "kind: x", "10", "-5ms")),
    });
    fc.assert(fc.property(mutation, (m) => {
      const lines = seeds[m.doc].split("\n");
      const i = m.line % lines.length;
      switch (m.op) {
        case "delete": lines.splice(i, 1); break;
        case "duplicate": lines.splice(i, 0, lines[i]); break;
        case "replace": lines[i] = lines[i].replace(/:\s*(.*)$/, `: ${m.text}`); break;
        case "truncate": lines.length = i; break;
        case "indent": lines[i] = `  ${lines[i]}`; break;
      }
      wellFormed(lines.join("\n"));
    }), { numRuns: 1500, seed: 3 });
  });
});
