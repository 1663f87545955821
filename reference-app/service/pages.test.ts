// The keyset walk's arithmetic: every walk inside the table, keys spread over it, the cursor parsed
// strictly, and the next page linked until the table ends.
import { describe, expect, it } from "vitest";
import { firstRow, nextLink, pageAfter } from "./pages.ts";

describe("pagination's keyset walk", () => {
  it("starts each key's walk so that its pages fit in the table, spread over it", () => {
    const rows = 1000, size = 50, pages = 2;
    const starts = Array.from({ length: 400 }, (_, k) => firstRow(k, size, pages, rows));
    for (const s of starts) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s + size * pages).toBeLessThanOrEqual(rows);
    }
    expect(new Set(starts).size).toBeGreaterThan(5);
    // a table just the walk's size: every walk is the whole table
    expect(firstRow(7, 10, 3, 30)).toBe(0);
  });

  it("reads the cursor from ?after= (else the row before the key's first) and refuses anything else", () => {
    expect(pageAfter(new URLSearchParams(""), 3, 50, 2, 1000)).toBe(firstRow(3, 50, 2, 1000) - 1);
    expect(pageAfter(new URLSearchParams("after=149"), 3, 50, 2, 1000)).toBe(149);
    expect(pageAfter(new URLSearchParams("after=-1"), 3, 50, 2, 1000)).toBe(-1);
    for (const bad of ["after=x", "after=1.5", "after=-2", "after=", "after=1e3"]) {
      expect(pageAfter(new URLSearchParams(bad), 3, 50, 2, 1000)).toBe("after must be a row id (an integer from -1)");
    }
  });

  it("links the next page after the last row read, until a page comes back short", () => {
    expect(nextLink("/albums/3", 99, 50, { rows: 50, last: 149 })).toBe('</albums/3?after=149>; rel="next"');
    expect(nextLink("/albums/3", 99, 50, { rows: 20, last: 119 })).toBeUndefined();
    expect(nextLink("/albums/3", 99, 50, { rows: 0 })).toBeUndefined();
    // a handler that reads no rows: the client still walks its pages
    expect(nextLink("/albums/3", 99, 50, undefined)).toBe('</albums/3?after=149>; rel="next"');
  });
});
