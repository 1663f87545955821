// The live page's state, folded from the CLI's events (live-protocol.ts) in the order they come:
// the phases (a load, or a validation's levels), each with its prediction, measured intervals and
// end; the command's end; whether the stream was lost before it. Pure, so the page's reading of
// the stream is tested without a browser.
import type { LiveDone, LiveInterval, LivePhase, LivePhaseEnd } from "./live-protocol.ts";

export interface PhaseState {
  readonly phase: LivePhase;
  readonly intervals: readonly LiveInterval[];
  readonly end: LivePhaseEnd | null;
}

export interface LiveState {
  readonly phases: readonly PhaseState[];
  readonly done: LiveDone | null;
  /** The stream broke before "done" (the command was killed, or the network). */
  readonly lost: boolean;
}

export const INITIAL: LiveState = { phases: [], done: null, lost: false };

export type LiveEvent =
  | { readonly type: "phase"; readonly data: LivePhase }
  | { readonly type: "interval"; readonly data: LiveInterval }
  | { readonly type: "phase-end"; readonly data: LivePhaseEnd }
  | { readonly type: "done"; readonly data: LiveDone }
  | { readonly type: "lost" }
  | { readonly type: "open" };

function withPhase(s: LiveState, index: number, f: (p: PhaseState) => PhaseState): LiveState {
  const p = s.phases[index];
  if (!p) return s; // an interval of a phase the bounded history forgot: nothing to draw it on
  const phases = s.phases.slice();
  phases[index] = f(p);
  return { ...s, phases };
}

export function reduceLive(s: LiveState, e: LiveEvent): LiveState {
  switch (e.type) {
    case "phase": {
      // a replayed history (the page reconnected) starts again from the first phase
      const phases = s.phases.slice(0, e.data.index);
      phases[e.data.index] = { phase: e.data, intervals: [], end: null };
      return { ...s, phases, lost: false };
    }
    case "interval":
      return withPhase(s, e.data.phase, (p) => {
        // a replay sends intervals already drawn: keep each t once
        const last = p.intervals.at(-1);
        if (last && e.data.t <= last.t) return p;
        return { ...p, intervals: [...p.intervals, e.data] };
      });
    case "phase-end":
      return withPhase(s, e.data.phase, (p) => ({ ...p, end: e.data }));
    case "done":
      return { ...s, done: e.data, lost: false };
    case "lost":
      return s.done ? s : { ...s, lost: true };
    case "open":
      return { ...s, lost: false };
  }
}

/** Seconds measured so far in a phase: the end of its last interval. */
export function measuredS(p: PhaseState): number {
  return p.intervals.at(-1)?.t ?? 0;
}
