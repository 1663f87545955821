// Request bodies of a drawn size: exact UTF-8 lengths, still JSON, the class's own fields kept.
import { describe, expect, it } from "vitest";
import { padBody, utf8Bytes } from "./pad-body.ts";

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("padBody", () => {
  it("pads no body to a JSON object of exactly the size", () => {
    for (const n of [10, 11, 600, 65_536, 65_545, 300_000]) {
      const b = padBody(null, n);
      expect(bytes(b)).toBe(n);
      expect(Object.keys(JSON.parse(b))).toEqual(["pad"]);
    }
  });

  it("keeps the class's fields and reaches the size with non-ASCII text in them", () => {
    const body = JSON.stringify({ product: 3, quantity: 2, note: "café ✓ 😀" });
    const b = padBody(body, 2048);
    expect(bytes(b)).toBe(2048);
    const o = JSON.parse(b);
    expect(o).toMatchObject({ product: 3, quantity: 2, note: "café ✓ 😀" });
    expect(utf8Bytes(body)).toBe(bytes(body));
  });

  it("sends a body already at least that size as is; pads text with spaces", () => {
    const body = JSON.stringify({ product: 1 });
    expect(padBody(body, 3)).toBe(body);
    expect(padBody("hello", 12)).toBe("hello       ");
    expect(padBody(null, 0)).toBe("{}");
    expect(padBody(null, 9)).toBe("{}"); // {"pad":""} is 10 bytes
  });
});
