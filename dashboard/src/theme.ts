// Light and dark themes, following the system (prefers-color-scheme). The page's chrome takes its
// colors from CSS variables (styles.css); charts draw SVG whose colors must be real values (an
// exported PNG or SVG carries no stylesheet), so they take them from here, read at render time.
// The latency percentiles and their SLO lines use Okabe and Ito's colorblind-safe colors (dark: sky
// blue, yellow, vermillion; light: blue, orange, and a wine red from Tol's palette), and the SLO
// lines differ by dash pattern as well; theme.test.ts checks that the three stay apart under
// simulated protanopia, deuteranopia and tritanopia (the page's earlier orange and salmon did not).
import { useEffect, useState } from "react";

export interface ChartTheme {
  readonly name: "dark" | "light";
  readonly background: string;
  readonly panel: string;
  readonly border: string;
  readonly text: string;
  readonly muted: string;
  readonly faint: string;
  readonly grid: string;
  /** Latency percentiles: p50, p95 and p99 lines, and the SLO lines of p95 and p99. */
  readonly p50: string;
  readonly p95: string;
  readonly p99: string;
  readonly accent: string;
  readonly purple: string;
  readonly lilac: string;
  readonly yellow: string;
  readonly ok: string;
  readonly bad: string;
  /** One color per series (components, classes): Okabe-Ito first, then distinct extras. */
  readonly series: readonly string[];
}

export const DARK: ChartTheme = {
  name: "dark",
  background: "#0d1117", panel: "#161b22", border: "#30363d", text: "#c9d1d9", muted: "#8b949e", faint: "#6e7681", grid: "#242b36",
  p50: "#56b4e9", p95: "#f0e442", p99: "#d55e00",
  accent: "#58a6ff", purple: "#d2a8ff", lilac: "#a5a5ff", yellow: "#e3b341", ok: "#3fb950", bad: "#f85149",
  series: ["#56b4e9", "#e69f00", "#009e73", "#cc79a7", "#f0e442", "#d55e00", "#0072b2", "#bbbbbb"],
};

export const LIGHT: ChartTheme = {
  name: "light",
  background: "#ffffff", panel: "#f6f8fa", border: "#d0d7de", text: "#1f2328", muted: "#59636e", faint: "#818b98", grid: "#e6e9ed",
  p50: "#0072b2", p95: "#e69f00", p99: "#882255",
  accent: "#0969da", purple: "#8250df", lilac: "#6e6ee0", yellow: "#9a6700", ok: "#1a7f37", bad: "#cf222e",
  series: ["#0072b2", "#d55e00", "#009e73", "#a8508a", "#b8a200", "#56b4e9", "#e69f00", "#555555"],
};

const QUERY = "(prefers-color-scheme: light)";

/** The system's theme now (dark where the browser cannot say: the page was dark before themes). */
export function chartTheme(): ChartTheme {
  return typeof matchMedia === "function" && matchMedia(QUERY).matches ? LIGHT : DARK;
}

/** The theme, re-rendering when the system switches it. */
export function useChartTheme(): ChartTheme {
  const [theme, setTheme] = useState(chartTheme);
  useEffect(() => {
    if (typeof matchMedia !== "function") return;
    const m = matchMedia(QUERY);
    const on = () => setTheme(chartTheme());
    m.addEventListener("change", on);
    return () => m.removeEventListener("change", on);
  }, []);
  return theme;
}

// ---------------------------------------------------------------- color vision, for the test

/** sRGB hex to linear RGB in [0, 1]. */
function linear(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => v / 255);
  return c.map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)) as [number, number, number];
}

/** Machado, Oliveira and Fernandes (2009), severity 1, applied to linear RGB. */
export const DEFICIENCIES: Record<"protanopia" | "deuteranopia" | "tritanopia", readonly number[][]> = {
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

/** CIELAB (D65) of a color as seen with a deficiency (or normal vision without one). */
export function labAs(hex: string, m?: readonly number[][]): [number, number, number] {
  let [r, g, b] = linear(hex);
  if (m) {
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    [r, g, b] = [clamp(m[0][0] * r + m[0][1] * g + m[0][2] * b), clamp(m[1][0] * r + m[1][1] * g + m[1][2] * b), clamp(m[2][0] * r + m[2][1] * g + m[2][2] * b)];
  }
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

/** CIE76 color difference (about 2.3 is just noticeable; above 20 reads as another color). */
export function deltaE(a: [number, number, number], b: [number, number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
