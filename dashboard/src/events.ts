// What happened when, for the time axis of every chart: sudden load steps (a `shape: step` stage,
// e.g. a spike), scheduled failures (a crash and its restart, a primary failing and the promotion,
// a lost component) and region outages (a band over their duration) from the scenario, and scaling
// actions (an instance count changing between intervals) from the result's series. Pure data;
// Charts.tsx draws it. Trades away: random failures (mtbf/mttr) have no times in the result, so they
// are listed as not marked; scaling actions are read at interval resolution.
import type { Scenario, SimResult } from "../../simulator/index.ts";
import { fmtCount } from "./topology.ts";

export type EventKind = "load" | "failure" | "outage" | "scaling";

export interface TimeEvent {
  readonly kind: EventKind;
  /** seconds of simulated time */
  readonly t: number;
  /** end of a band (outages), seconds */
  readonly until?: number;
  readonly label: string;
}

/** Load steps: a `step` stage jumps to its target at its start. */
function loadEvents(s: Scenario): TimeEvent[] {
  const out: TimeEvent[] = [];
  const l = s.load;
  if (!l.stages) return out;
  let t = 0;
  let level = l.model === "open" ? l.start_rate : l.start_users;
  for (const st of l.stages) {
    const target = st.target;
    // a step at t = 0 is where the load starts, not an event
    if (st.shape === "step" && target !== undefined && target !== level && t > 0) {
      const what = l.model === "open" ? `${fmtCount(target)}/s` : `${fmtCount(target)} users`;
      out.push({ kind: "load", t, label: `${target > level ? "spike" : "drop"} to ${what}` });
    }
    if (target !== undefined) level = target;
    t += st.duration;
  }
  return out;
}

function failureEvents(s: Scenario): { events: TimeEvent[]; unmarked: number } {
  const events: TimeEvent[] = [];
  let unmarked = 0;
  for (const f of s.failures ?? []) {
    if ("random" in f) { unmarked++; continue; }
    if ("region" in f) events.push({ kind: "outage", t: f.at, until: f.at + f.for, label: `${f.region} down` });
    else if ("crash" in f) {
      events.push({ kind: "failure", t: f.at, label: `${f.crash}#${f.replica} crashes` });
      if (f.restart_after !== undefined) events.push({ kind: "failure", t: f.at + f.restart_after, label: `${f.crash}#${f.replica} restarts` });
    } else if ("fail_primary" in f) {
      events.push({ kind: "failure", t: f.at, label: `${f.fail_primary} shard ${f.shard} primary fails` });
      events.push({ kind: "failure", t: f.at + f.promote_after, label: `${f.fail_primary} shard ${f.shard} replica promoted` });
    } else events.push({ kind: "failure", t: f.at, label: `${f.lose} lost` });
  }
  return { events, unmarked };
}

/** Instance counts changing between consecutive intervals, per auto-scaled component. */
function scalingEvents(series: SimResult["series"]): TimeEvent[] {
  const out: TimeEvent[] = [];
  if (!series) return out;
  for (const [name, c] of Object.entries(series.components)) {
    const inst = c.instances;
    for (let i = 1; i < inst.length; i++) {
      const a = Math.round(inst[i - 1]), b = Math.round(inst[i]);
      if (Number.isFinite(a) && Number.isFinite(b) && a !== b) out.push({ kind: "scaling", t: series.t[i], label: `${name} ${a}→${b}` });
    }
  }
  return out;
}

/** Every event of a run in time order, and how many random failures could not be placed. */
export function timeEvents(scenario: Scenario | null, result: SimResult): { events: TimeEvent[]; unmarkedRandomFailures: number } {
  const f = scenario ? failureEvents(scenario) : { events: [], unmarked: 0 };
  const events = [...(scenario ? loadEvents(scenario) : []), ...f.events, ...scalingEvents(result.series)]
    .filter((e) => e.t <= result.run.durationS)
    .sort((a, b) => a.t - b.t);
  return { events, unmarkedRandomFailures: f.unmarked };
}

export const EVENT_COLORS: Record<EventKind, string> = { load: "#e3b341", failure: "#ff7b72", outage: "#ff7b72", scaling: "#56d4dd" };
