// A scenario too big for this machine, run smaller with its shape kept (`app up --scale F`, the
// simulator's scaleSystem): `app check` tries a few factors and names the largest one with which the
// plan and the preflight both pass (what only a machine limit stood in the way of: open files,
// a database's connections). A structural refusal (a part the app cannot realize) no factor fixes,
// so it gets no hint.
import { Effect, Exit } from "effect";
import { nominalLoad, scaleSystem } from "../simulator/analytic/index.ts";
import type { Scenario } from "../simulator/index.ts";
import { planApp } from "./plan.ts";
import { preflight } from "./preflight.ts";

/** The factors `app check` tries, largest first. */
export const SCALE_LADDER = [0.5, 0.25, 0.1, 0.05] as const;

/** The largest factor of the ladder with which the app could start the scenario here; undefined when none. */
export async function largestFittingScale(s: Scenario, check: typeof preflight = preflight, fits: (scaled: Scenario) => boolean = () => true): Promise<number | undefined> {
  for (const f of SCALE_LADDER) {
    const scaled = scaleSystem(s, f);
    // also the machine's cores and memory (machine-fit.ts), when the caller asks
    if (!fits(scaled)) continue;
    const planned = planApp(scaled);
    if (!planned.ok) continue;
    if (Exit.isSuccess(await Effect.runPromiseExit(check(planned.plan)))) return f;
  }
  return undefined;
}

/** What scaling changed, for the run's log: the load and every count that moved. */
export function scaleSummary(before: Scenario, after: Scenario): string {
  const out = [`load ${+nominalLoad(before).toPrecision(4)} -> ${+nominalLoad(after).toPrecision(4)} (${before.load.model === "open" ? "req/s at its peak" : "users"})`];
  for (const [name, a] of Object.entries(after.components)) {
    const b = before.components[name] as unknown as Record<string, unknown>;
    const x = a as unknown as Record<string, unknown>;
    for (const k of ["replicas", "servers", "workers", "instances"]) if (typeof x[k] === "number" && x[k] !== b[k]) out.push(`${name}.${k} ${b[k]} -> ${x[k]}`);
  }
  return out.join(", ");
}
