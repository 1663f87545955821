// The latency percentiles' colors (and so the SLO lines drawn in them) stay apart for readers with
// the common color-vision deficiencies, in both themes, and stand out from the background.
import { describe, expect, test } from "vitest";
import { DARK, LIGHT, DEFICIENCIES, deltaE, labAs, chartTheme } from "./theme.ts";

const visions = [["normal", undefined], ...Object.entries(DEFICIENCIES)] as const;

/** Smallest CIE76 difference between any two of the colors, as seen with the matrix. */
function closest(colors: readonly string[], m?: readonly number[][]): number {
  let min = Infinity;
  for (let i = 0; i < colors.length; i++) for (let j = i + 1; j < colors.length; j++) min = Math.min(min, deltaE(labAs(colors[i], m), labAs(colors[j], m)));
  return min;
}

// Above 20 two colors read as different colors (about 2.3 is a just noticeable difference).
const APART = 20;

describe("themes", () => {
  test.each([DARK, LIGHT].flatMap((t) => visions.map(([v, m]) => [t.name, v, t, m] as const)))("%s theme, %s vision: p50, p95, p99 apart and off the background", (_, __, t, m) => {
    expect(closest([t.p50, t.p95, t.p99], m)).toBeGreaterThan(APART);
    for (const c of [t.p50, t.p95, t.p99]) expect(deltaE(labAs(c, m), labAs(t.background, m))).toBeGreaterThan(APART);
  });

  test("the check would catch the old palette: its p95 orange and p99 salmon merge for a tritanope", () => {
    // #58a6ff, #f0883e and #ff7b72, the page's p50, p95 and p99 before themes: CIE76 7.0 apart
    expect(closest(["#58a6ff", "#f0883e", "#ff7b72"], DEFICIENCIES.tritanopia)).toBeLessThan(10);
  });

  test("Lab of known colors (D65): white, black, sRGB red", () => {
    const near = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 0));
    near(labAs("#ffffff"), [100, 0, 0]);
    near(labAs("#000000"), [0, 0, 0]);
    near(labAs("#ff0000"), [53.24, 80.09, 67.2]);
  });

  test("without a browser the dark theme is used", () => {
    expect(chartTheme().name).toBe("dark");
  });
});
