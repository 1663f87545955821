// The auto-scaler of a service pool as an xstate machine: steady, scaled out (cooling down) and
// scaled in (cooling down). It is stepped with xstate's pure `transition` by events the simulation
// clock produces (a METRIC every evaluation interval, COOLDOWN_OVER when a cooldown ends) and
// answers with actions for the simulation to carry out (provision or decommission instances, start
// a cooldown timer as a scheduled event). Never touched inside the per-event loop: once per interval.
import { initialTransition, setup, transition, type SnapshotFrom } from "xstate";
import type { AutoscalingSpec } from "../model/schema.ts";

export interface ScalerContext {
  /** Instances counted against min and max: serving plus booting. */
  instances: number;
  readonly min: number;
  readonly max: number;
  readonly target: number;
  readonly stepOut: number;
  readonly stepIn: number;
  readonly cooldownOut: number;
  readonly cooldownIn: number;
}

export type ScalerEvent =
  | { type: "METRIC"; value: number; serving: number }
  | { type: "COOLDOWN_OVER" };

/** What the simulation must do after a step. */
export type ScalerCommand =
  | { kind: "provision"; count: number }
  | { kind: "decommission"; count: number }
  | { kind: "cooldown"; seconds: number };

// Target tracking: the instance count that brings the per-instance metric to its target.
function desired(ctx: ScalerContext, e: { value: number; serving: number }): number {
  const want = Math.ceil((e.serving * e.value) / ctx.target - 1e-9);
  return Math.min(ctx.max, Math.max(ctx.min, want));
}
const outBy = (ctx: ScalerContext, e: ScalerEvent) => (e.type === "METRIC" ? Math.min(ctx.stepOut, desired(ctx, e) - ctx.instances) : 0);
const inBy = (ctx: ScalerContext, e: ScalerEvent) => (e.type === "METRIC" ? Math.min(ctx.stepIn, ctx.instances - desired(ctx, e)) : 0);

const machineSetup = setup({
  types: { context: {} as ScalerContext, events: {} as ScalerEvent, input: {} as ScalerContext },
  actions: {
    // The simulation carries these out; here they only name the command and its parameters.
    provision: (_, _params: { count: number }) => {},
    decommission: (_, _params: { count: number }) => {},
    cooldown: (_, _params: { seconds: number }) => {},
  },
  guards: {
    needsOut: ({ context, event }) => outBy(context, event) > 0,
    needsIn: ({ context, event }) => inBy(context, event) > 0,
  },
});

const scaleOut = [
  machineSetup.enqueueActions(({ context, event, enqueue }) => {
    const n = outBy(context, event);
    enqueue({ type: "provision", params: { count: n } });
    enqueue.assign({ instances: context.instances + n });
    enqueue({ type: "cooldown", params: { seconds: context.cooldownOut } });
  }),
];
const scaleIn = [
  machineSetup.enqueueActions(({ context, event, enqueue }) => {
    const n = inBy(context, event);
    enqueue({ type: "decommission", params: { count: n } });
    enqueue.assign({ instances: context.instances - n });
    enqueue({ type: "cooldown", params: { seconds: context.cooldownIn } });
  }),
];

export const autoscalerMachine = machineSetup.createMachine({
  id: "autoscaler",
  context: ({ input }) => input,
  initial: "steady",
  states: {
    steady: {
      on: {
        METRIC: [
          { guard: "needsOut", target: "scaledOut", actions: scaleOut },
          { guard: "needsIn", target: "scaledIn", actions: scaleIn },
        ],
      },
    },
    // After adding instances: no further action until the cooldown ends.
    scaledOut: { on: { COOLDOWN_OVER: "steady" } },
    // After removing instances: no scale-in, but a rise in load may still scale out.
    scaledIn: {
      on: {
        COOLDOWN_OVER: "steady",
        METRIC: { guard: "needsOut", target: "scaledOut", actions: scaleOut },
      },
    },
  },
});

export type ScalerSnapshot = SnapshotFrom<typeof autoscalerMachine>;

export function startScaler(spec: AutoscalingSpec, instances: number): ScalerSnapshot {
  const [snapshot] = initialTransition(autoscalerMachine, {
    instances, min: spec.min, max: spec.max, target: spec.target,
    stepOut: spec.step_out ?? spec.max, stepIn: spec.step_in, cooldownOut: spec.cooldown_out, cooldownIn: spec.cooldown_in,
  });
  return snapshot;
}

/** One pure step: the next snapshot and the commands for the simulation. */
export function stepScaler(snapshot: ScalerSnapshot, event: ScalerEvent): [ScalerSnapshot, ScalerCommand[]] {
  const [next, actions] = transition(autoscalerMachine, snapshot, event);
  const commands: ScalerCommand[] = [];
  for (const a of actions) {
    const params = (a as { params?: Record<string, number> }).params ?? {};
    if (a.type === "provision") commands.push({ kind: "provision", count: params.count });
    else if (a.type === "decommission") commands.push({ kind: "decommission", count: params.count });
    else if (a.type === "cooldown") commands.push({ kind: "cooldown", seconds: params.seconds });
  }
  return [next, commands];
}
