// The editor's validation: the CLI's parser, its errors placed on the right editor line.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { check, diagnose, lineAt, lineStarts, toDiagnostics, MAX_DIAGNOSTICS } from "./validate.ts";
import { presets } from "./scenarios.ts";

const single = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split("\n").length;
}

function lineAtOffset(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

describe("diagnose", () => {
  test("a valid scenario has no errors", () => {
    const { outcome, diagnostics } = diagnose(single);
    expect(outcome.ok).toBe(true);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  test("a bad field value is underlined on its own line, with its path", () => {
    const text = single.replace("servers: 8", "servers: eight");
    const { outcome, diagnostics } = diagnose(text);
    expect(outcome.ok).toBe(false);
    expect(diagnostics).toHaveLength(1);
    const d = diagnostics[0];
    expect(d.line).toBe(lineOf(text, "servers: eight"));
    expect(lineAtOffset(text, d.from)).toBe(d.line);
    expect(text.slice(d.from, d.to)).toBe('eight');
    expect(d.message).toMatch(/^components\.api\.servers: /);
  });

  test("a YAML syntax error is reported at the line where the parser stopped", () => {
    const text = single.replace("  rate: 300/s", "  rate: [300/s");
    const { diagnostics } = diagnose(text);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0].message).toMatch(/YAML syntax/);
    expect(diagnostics[0].line).toBeGreaterThanOrEqual(lineOf(text, "rate: [300/s"));
    expect(diagnostics[0].from).toBeLessThanOrEqual(text.length);
  });

  test("an unknown component in a flow points at the flow, not at line 1", () => {
    const text = single.replace("flow: [api]", "flow: [apx]");
    const { diagnostics } = diagnose(text);
    expect(diagnostics.some((d) => d.line === lineOf(text, "flow: [apx]"))).toBe(true);
  });

  test("an error on the last line without a newline still gets a visible span", () => {
    const text = single.trimEnd().replace(/error_rate: 0\.1%$/, "error_rate: lots");
    const { diagnostics } = diagnose(text);
    const d = diagnostics.find((x) => x.line === lineOf(text, "error_rate: lots"))!;
    expect(d).toBeDefined();
    expect(d.to).toBeGreaterThan(d.from);
    expect(d.to).toBeLessThanOrEqual(text.length);
  });
});

describe("line lookup", () => {
  test("line starts and the binary search agree with counting newlines", () => {
    const text = "a\n\nbb\nccc\n\nd";
    const starts = lineStarts(text);
    expect([...starts]).toEqual([0, 2, 3, 6, 10, 11]);
    for (let o = 0; o <= text.length; o++) expect(lineAt(starts, o), `offset ${o}`).toBe(lineAtOffset(text, o));
    expect([...lineStarts("")]).toEqual([0]);
  });

  test("placing a problem on each of 80k lines costs about one pass over the text (it was quadratic)", () => {
    // Best-of-5 times in the same process, against splitting the same text into lines (one linear
    // pass), so machine load cancels out. The old per-problem scan from the top was >1000x that.
    const n = 80_000;
    const text = "key: value\n".repeat(n);
    const problems = Array.from({ length: n }, (_, i) => ({ file: "x", line: i + 1, column: 6, path: "", message: "m" }));
    const best = (f: () => void) => {
      let t = Infinity;
      for (let k = 0; k < 5; k++) { const t0 = performance.now(); f(); t = Math.min(t, performance.now() - t0); }
      return t;
    };
    let d: ReturnType<typeof toDiagnostics> = [];
    const place = best(() => { d = toDiagnostics(text, problems, "error"); });
    const split = best(() => { text.split("\n"); });
    expect(text.slice(d[n - 1].from, d[n - 1].to)).toBe("value");
    expect(place / Math.max(split, 0.05)).toBeLessThan(50);
  });
});

describe("check (what the check worker posts)", () => {
  // templates (the empty canvas for building by hand) are incomplete on purpose: below
  test.each(presets.filter((p) => p.group !== "template").map((p) => [p.id, p.text] as const))("%s: valid, and survives structured cloning unchanged", (_, text) => {
    const c = check(text);
    expect(c.failure).toBeUndefined();
    expect(c.scenario).not.toBeNull();
    expect(structuredClone(c)).toEqual(c);
  });
  test.each(presets.filter((p) => p.group === "template").map((p) => [p.id, p.text] as const))("%s: checked without a crash, its problems listed, and survives structured cloning", (_, text) => {
    const c = check(text);
    expect(c.failure).toBeUndefined();
    expect(structuredClone(c)).toEqual(c);
  });

  test("prototype names in any position give errors or a failure message, never a throw", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf"]) {
      const texts = [
        single.replace(/dist: \w+/, `dist: ${name}`),
        single.replace(/\bapi\b/g, name),
        single.replace(/servers: 8/, `servers: ${name}`),
      ];
      for (const text of texts) {
        const c = check(text);
        expect(c.scenario === null ? c.errors > 0 || !!c.failure : true, `${name}: ${c.failure ?? ""}`).toBe(true);
        expect(() => structuredClone(c)).not.toThrow();
      }
    }
  });

  test("a file with thousands of errors keeps the first MAX_DIAGNOSTICS and counts them all", () => {
    const text = single + Array.from({ length: 3000 }, (_, i) => `extra_${i}: 1`).join("\n") + "\n";
    const c = check(text);
    expect(c.scenario).toBeNull();
    expect(c.errors).toBeGreaterThanOrEqual(3000);
    expect(c.diagnostics).toHaveLength(MAX_DIAGNOSTICS);
  });
});
