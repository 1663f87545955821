// What `headroom validate --target` will send, said before it sends it: the rates, durations and
// total requests of every level, checked against the user's explicit caps (--max-rate,
// --max-duration), and, for a target that is not this machine's loopback, a confirmation (--yes, or
// a y/N question when stdin is a terminal; without either the run is refused). Trades away
// convenience for safety: even a staging system must be named and agreed to, and a level is never
// clipped silently to fit a cap (the plan is refused instead, so the figures stay the ones asked).
import { createInterface } from "node:readline/promises";
import type { LevelTarget } from "./level-targets.ts";

export interface LoadPlan {
  target: string;
  levels: ReadonlyArray<LevelTarget & { saturation?: boolean }>;
  durationS: number;
  /** one request per class before the levels, to check their paths */
  preflightRequests: number;
}

/** Refusals: a cap exceeded, or no confirmation. Bad input (exit 2). */
export class PlanRefused extends Error {
  override readonly name = "PlanRefused";
}

/** Whether a URL's host is this machine's loopback (127.0.0.0/8, ::1, localhost). */
export function isLoopback(target: string): boolean {
  const host = new URL(target).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Requests the plan sends at most: each level's rate x duration (a Poisson count varies by about its square root), plus the preflight. */
export function plannedRequests(p: LoadPlan): number {
  return p.levels.reduce((a, l) => a + Math.round(l.rate * p.durationS), 0) + p.preflightRequests;
}

export function describePlan(p: LoadPlan): string {
  const out = [`Load plan for ${p.target}:`];
  for (const l of p.levels) {
    const what = l.saturation ? `saturation level (${l.level}x predicted saturation)` : l.level === null ? "explicit rate" : `level ${l.level}`;
    out.push(`  ${what}: ${l.rate} req/s for ${p.durationS}s = about ${Math.round(l.rate * p.durationS)} requests`);
  }
  out.push(`  plus ${p.preflightRequests} request(s) first, one per class, to check the paths`);
  out.push(`  total: about ${plannedRequests(p)} requests over ${p.levels.length * p.durationS}s of load, peak ${Math.max(0, ...p.levels.map((l) => l.rate))} req/s; a level whose load generator lags is run once more`);
  return out.join("\n");
}

/** Throws PlanRefused when a level's rate is above maxRate or the load's total time above maxDurationS. */
export function checkCaps(p: LoadPlan, caps: { maxRate?: number; maxDurationS?: number }): void {
  const over = p.levels.filter((l) => caps.maxRate !== undefined && l.rate > caps.maxRate);
  if (over.length) throw new PlanRefused(`--max-rate ${caps.maxRate}: the plan offers ${over.map((l) => `${l.rate} req/s`).join(", ")}; lower --levels/--rates or raise the cap (levels are never clipped)`);
  const total = p.levels.length * p.durationS;
  if (caps.maxDurationS !== undefined && total > caps.maxDurationS) throw new PlanRefused(`--max-duration ${caps.maxDurationS}s: the plan needs ${total}s of load (${p.levels.length} levels x ${p.durationS}s); shorten --duration, run fewer levels or raise the cap`);
}

/**
 * Agreement to send the plan: always for a loopback target; for another, --yes, or "y" typed on a
 * terminal. Without a terminal (CI) and without --yes: refused.
 */
export async function confirmPlan(p: LoadPlan, o: { yes: boolean; stdin: NodeJS.ReadStream; stderr: NodeJS.WritableStream }): Promise<void> {
  if (isLoopback(p.target) || o.yes) return;
  if (!o.stdin.isTTY) throw new PlanRefused(`${p.target} is not this machine: pass --yes to send this load there (no terminal to ask on)`);
  const rl = createInterface({ input: o.stdin, output: o.stderr });
  try {
    const answer = await rl.question(`Send this load to ${new URL(p.target).host}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new PlanRefused(`not confirmed: no load sent to ${p.target}`);
  } finally {
    rl.close();
  }
}
