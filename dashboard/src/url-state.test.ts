// The scenario carried in the URL fragment: exact round trip, compact, and damaged, over-long and
// bomb links refused with a LinkError that says which, the bomb after about the cap's worth of work.
import { describe, expect, test } from "vitest";
import { deflateRawSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { encodeScenario, decodeScenario, LinkError, MAX_FRAGMENT_CHARS, MAX_SCENARIO_BYTES } from "./url-state.ts";
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

  // commented prose compresses less than YAML structure: serverless-api 0.55, realtime-chat 0.61
  test("deflate keeps links shorter than the text, under 2/3 of it for files over 3 kB", async () => {
    for (const p of presets) {
      const n = (await encodeScenario(p.text)).length;
      expect(n, p.id).toBeLessThan(p.text.length);
      if (p.text.length > 3000) expect(n / p.text.length, p.id).toBeLessThan(2 / 3);
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

  /** 128 MB of text in a 170 kB link (made once: zlib takes a while over 128 MB). */
  let bombLink: string | undefined;
  const bomb128 = () => (bombLink ??= "#s=" + deflateRawSync(Buffer.alloc(128 << 20, "a"), { level: 9 }).toString("base64url"));

  test("a deflate bomb (170 kB of link, 128 MB of text) is refused as too large", async () => {
    const bomb = bomb128();
    expect(bomb.length).toBeLessThan(MAX_FRAGMENT_CHARS);
    const e = await decodeScenario(bomb).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(LinkError);
    expect((e as LinkError).reason).toBe("too-large");
    expect((e as LinkError).message).toMatch(/inflates to more than 1 MB.*stopped/);
  });

  test("a bomb costs about what decoding a 1 MB link costs, not what it inflates to", async () => {
    // Ratio of best-of-3 times in the same process, so machine load cancels out. Inflating all of
    // the 128 MB, as before, took over 100x the 1 MB link.
    const ok = "a: " + "x".repeat(MAX_SCENARIO_BYTES - 10) + "\n";
    const okLink = await encodeScenario(ok);
    const bomb = bomb128();
    const best = async (f: () => Promise<unknown>) => {
      let t = Infinity;
      for (let i = 0; i < 3; i++) { const t0 = performance.now(); await f().catch(() => {}); t = Math.min(t, performance.now() - t0); }
      return t;
    };
    expect(await decodeScenario(okLink)).toBe(ok);
    const tOk = await best(() => decodeScenario(okLink));
    const tBomb = await best(() => decodeScenario(bomb));
    expect(tBomb / tOk).toBeLessThan(10);
  });

  test("a scenario of up to 1 MB passes; one byte more is refused", async () => {
    const line = "# padding line of a large scenario 0123456789\n";
    const at = (n: number) => (line.repeat(Math.ceil(n / line.length)) ).slice(0, n);
    expect(await decodeScenario(await encodeScenario(at(MAX_SCENARIO_BYTES)))).toHaveLength(MAX_SCENARIO_BYTES);
    await expect(decodeScenario(await encodeScenario(at(MAX_SCENARIO_BYTES + 1)))).rejects.toThrow(/more than 1 MB/);
  });

  test("the fragment cap admits any 1 MB payload, even incompressible, and refuses longer links undecoded", async () => {
    const worst = "s=" + deflateRawSync(randomBytes(MAX_SCENARIO_BYTES), { level: 9 }).toString("base64url");
    expect(worst.length).toBeLessThanOrEqual(MAX_FRAGMENT_CHARS);
    const huge = "#s=" + "A".repeat(2 << 20);
    const e = await decodeScenario(huge).catch((x: unknown) => x);
    expect((e as LinkError).reason).toBe("too-long");
    expect((e as LinkError).message).toMatch(/2,097,154 characters, more than the 1,399,469/);
  });

  test("random bytes, text that is not UTF-8 and characters outside base64url are corrupt links", async () => {
    const notUtf8 = "#s=" + deflateRawSync(Buffer.from([0xff, 0xfe, 0x80, 0x41])).toString("base64url");
    for (const h of [notUtf8, "#s=" + randomBytes(5000).toString("base64url"), "#s=abc def", "#s=ab+/"]) {
      const e = await decodeScenario(h).catch((x: unknown) => x);
      expect(e, h.slice(0, 20)).toBeInstanceOf(LinkError);
      expect((e as LinkError).reason).toBe("corrupt");
    }
  });
});
