// Flag values shared by the commands (capacity, plan, check, sweep, worker, the dispatch flags):
// numbers, durations and percentages, with a usage error that names the command and the flag.
import { parseDuration } from "../simulator/model/index.ts";
import { UsageError } from "../shared/errors.ts";

export function intFlag(cmd: string, name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`headroom ${cmd}: ${name} expects a whole number >= ${min}, got '${value}'`);
  return n;
}

export function durationFlag(cmd: string, name: string, value: string): number {
  const d = parseDuration(value);
  if (d === undefined || d <= 0) throw new UsageError(`headroom ${cmd}: ${name} expects a duration like 30s or 5m, got '${value}'`);
  return d;
}

/** `5%` or `0.05`. */
export function fractionFlag(cmd: string, name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(n >= 0 && n < 1)) throw new UsageError(`headroom ${cmd}: ${name} expects a fraction like 5% or 0.05, got '${value}'`);
  return n;
}
