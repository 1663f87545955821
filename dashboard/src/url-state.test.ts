// The scenario carried in the URL fragment: exact round trip, compact, and damaged links refused.
import { describe, expect, test } from "vitest";
import { encodeScenario, decodeScenario } from "./url-state.ts";
import { presets } from "./scenarios.ts";

describe("url state", () => {
  test.each(presets.map((p) => [p.id, p.text] as const))("%s round-trips byte for byte", async (_, text) => {
    const hash = await encodeScenario(text);
    expect(hash).toMatch(/^s=[A-Za-z0-9_-]+$/);
    expect(await decodeScenario(`#${hash}`)).toBe(text);
  });

  test("non-ASCII text and a 10k-line file survive", async () => {
    const text = "# ünïcødé ✓ — 日本\n" + "name: x\n".repeat(10_000);
    expect(await decodeScenario(await encodeScenario(text))).toBe(text);
  });

  test("deflate keeps links shorter than the text, under half of it for files over 3 kB", async () => {
    for (const p of presets) {
      const n = (await encodeScenario(p.text)).length;
      expect(n, p.id).toBeLessThan(p.text.length);
      if (p.text.length > 3000) expect(n / p.text.length, p.id).toBeLessThan(0.5);
    }
  });

  test("no fragment, or another fragment, means no scenario", async () => {
    expect(await decodeScenario("")).toBeNull();
    expect(await decodeScenario("#results")).toBeNull();
  });

  test("a link cut short is an error that says so", async () => {
    const hash = await encodeScenario(presets[0].text);
    await expect(decodeScenario(`#${hash.slice(0, hash.length / 2)}`)).rejects.toThrow(/cut short/);
    await expect(decodeScenario("#s=***")).rejects.toThrow(/base64url|cut short/);
  });
});
