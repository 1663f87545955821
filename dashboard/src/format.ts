// Number formatting for tables and chart axes: a few significant digits, units spelled out, and
// "±" confidence half-widths only when there were enough replications to have one.
import type { SimResult } from "../../simulator/index.ts";

/** A mean with its 95% confidence half-width (the simulator does not export the type by name). */
export type Estimate = SimResult["inFlight"];

export function num(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  // Floating-point residue (a CI of 3.9e-17 over identical replications) is zero to a reader.
  if (a < 1e-12) return "0";
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(digits)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(digits)}k`;
  if (a >= 100) return v.toFixed(0);
  return String(+v.toPrecision(digits));
}

export function withCi(e: Estimate, scale = 1, digits = 3): string {
  const m = num(e.mean * scale, digits);
  return e.ci95 === null || !Number.isFinite(e.ci95) ? m : `${m} ± ${num(e.ci95 * scale, 2)}`;
}

export function pct(v: number, digits = 1): string {
  return Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : "–";
}

export function pctCi(e: Estimate): string {
  if (e.mean === 0 && !e.ci95) return "0%";
  const m = pct(e.mean, e.mean < 0.01 && e.mean > 0 ? 3 : 1);
  return e.ci95 === null || !Number.isFinite(e.ci95) ? m : `${m} ± ${pct(e.ci95, e.ci95 < 0.001 ? 3 : 1)}`;
}

export function seconds(s: number): string {
  if (s < 60) return `${+s.toPrecision(3)} s`;
  if (s < 3600) return `${+(s / 60).toPrecision(3)} min`;
  return `${+(s / 3600).toPrecision(3)} h`;
}

/** Time left, extrapolated from the share done so far (shown once there is enough to go on). */
export function eta(fraction: number, elapsedMs: number): string {
  if (fraction < 0.02 || elapsedMs < 1000) return "";
  const left = (elapsedMs * (1 - fraction)) / fraction / 1000;
  if (left < 60) return `about ${Math.max(1, Math.round(left))} s left`;
  return `about ${Math.floor(left / 60)} min ${Math.round(left % 60)} s left`;
}
