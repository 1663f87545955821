// A circuit breaker as an xstate machine: closed, open and half-open. Stepped with xstate's pure
// `transition` by events the simulation produces: a WINDOW summary of calls and failures at the end
// of each counting window (never per call), OPEN_OVER when the open period ends, and PROBE results
// while half-open (a handful per cycle). It answers with the commands the simulation carries out.
import { initialTransition, setup, transition, type SnapshotFrom } from "xstate";
import type { CircuitBreakerSpec } from "../model/schema.ts";

interface BreakerContext {
  readonly threshold: number;
  readonly minCalls: number;
  readonly openFor: number;
  readonly probes: number;
  probesLeft: number;
  probeFailures: number;
}

export type BreakerEvent =
  | { type: "WINDOW"; calls: number; failures: number }
  | { type: "OPEN_OVER" }
  | { type: "PROBE"; ok: boolean };

export type BreakerCommand = { kind: "timer"; seconds: number };

const machineSetup = setup({
  types: { context: {} as BreakerContext, events: {} as BreakerEvent, input: {} as BreakerContext },
  actions: { timer: (_, _params: { seconds: number }) => {} },
  guards: {
    tripped: ({ context, event }) =>
      event.type === "WINDOW" && event.calls >= context.minCalls && event.failures / event.calls >= context.threshold,
    probeFailed: ({ event }) => event.type === "PROBE" && !event.ok,
    lastProbe: ({ context, event }) => event.type === "PROBE" && event.ok && context.probesLeft <= 1,
  },
});

export const breakerMachine = machineSetup.createMachine({
  id: "circuit-breaker",
  context: ({ input }) => input,
  initial: "closed",
  states: {
    closed: {
      on: { WINDOW: { guard: "tripped", target: "open" } },
    },
    open: {
      entry: machineSetup.enqueueActions(({ context, enqueue }) => enqueue({ type: "timer", params: { seconds: context.openFor } })),
      on: { OPEN_OVER: "halfOpen" },
    },
    halfOpen: {
      entry: machineSetup.assign({ probesLeft: ({ context }) => context.probes, probeFailures: 0 }),
      on: {
        PROBE: [
          { guard: "probeFailed", target: "open" },
          { guard: "lastProbe", target: "closed" },
          { actions: machineSetup.assign({ probesLeft: ({ context }) => context.probesLeft - 1 }) },
        ],
      },
    },
  },
});

export type BreakerSnapshot = SnapshotFrom<typeof breakerMachine>;

export function startBreaker(spec: CircuitBreakerSpec): BreakerSnapshot {
  const [snapshot] = initialTransition(breakerMachine, {
    threshold: spec.failure_rate, minCalls: spec.min_calls, openFor: spec.open_for, probes: spec.half_open_calls,
    probesLeft: spec.half_open_calls, probeFailures: 0,
  });
  return snapshot;
}

export function stepBreaker(snapshot: BreakerSnapshot, event: BreakerEvent): [BreakerSnapshot, BreakerCommand[]] {
  const [next, actions] = transition(breakerMachine, snapshot, event);
  const commands: BreakerCommand[] = [];
  for (const a of actions) if (a.type === "timer") commands.push({ kind: "timer", seconds: (a as { params: { seconds: number } }).params.seconds });
  return [next, commands];
}

/** The breaker's state as a small integer the event loop can test cheaply. */
export const BREAKER_CLOSED = 0, BREAKER_OPEN = 1, BREAKER_HALF_OPEN = 2;
export function breakerCode(s: BreakerSnapshot): number {
  return s.value === "closed" ? BREAKER_CLOSED : s.value === "open" ? BREAKER_OPEN : BREAKER_HALF_OPEN;
}
