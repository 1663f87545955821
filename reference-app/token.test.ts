// The admin token check: exactly `Bearer <token>` passes; anything else, of any length, does not.
import { describe, expect, it } from "vitest";
import { bearerMatches } from "./token.ts";

describe("bearerMatches", () => {
  const token = "a".repeat(24) + "0123456789abcdef01234567";
  it("accepts exactly Bearer <token>", () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
  });
  it.each([
    ["no header", undefined],
    ["empty", ""],
    ["the token without the scheme", token],
    ["lower-case scheme", `bearer ${token}`],
    ["one digit wrong, same length", `Bearer ${token.slice(0, -1)}8`],
    ["a prefix", `Bearer ${token.slice(0, 10)}`],
    ["extra character", `Bearer ${token}0`],
    ["trailing space", `Bearer ${token} `],
  ])("refuses %s", (_what, header) => {
    expect(bearerMatches(header, token)).toBe(false);
  });
});
