// The editor's validation: the CLI's parser, its errors placed on the right editor line.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { diagnose } from "./validate.ts";

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
