// `headroom plan` in the page's worker: the same planner (planning/planner.ts: every combination of
// the plan: bounds screened analytically, the cheapest near-passing ones simulated in cost order),
// with the CLI's default settings, its simulations run one after another in the worker instead of
// on a thread pool. Only the planner's "simulate" tasks are asked of this pool.
import { runWindow, simulate, type Scenario } from "../../simulator/index.ts";
import { plan, type PlanResult } from "../../planning/planner.ts";
import type { Task, TaskPool, TaskResult } from "../../planning/pool.ts";
import { summarize } from "../../planning/verdict.ts";

/** The CLI's defaults (cli/commands/plan.ts without flags): 3 replications of at most 60 s, 12 simulations at most. */
export function planSettings(s: Scenario): { replications: number; duration: number; warmup: number; seed: number; maxSimulations: number } {
  const w = runWindow(s);
  const duration = Math.min(w.duration, 60);
  return { replications: 3, duration, warmup: Math.min(w.warmup, duration * 0.2), seed: s.seed, maxSimulations: 12 };
}

/** The cheapest configuration within the scenario's plan: bounds that meets its SLO at `load`. */
export async function planHere(s: Scenario, load: number, onSimulated?: (done: number, of: number) => void): Promise<PlanResult> {
  if (!s.slo) throw new Error("plan: the scenario has no slo: section, so there is nothing for a plan to meet");
  if (!s.plan || Object.keys(s.plan).length === 0) throw new Error("plan: nothing to size; add bounds such as plan: { api.replicas: [2, 16] } (docs/scenario-format.md)");
  const settings = planSettings(s);
  let done = 0;
  const pool: TaskPool = {
    run<T extends Task>(task: T): Promise<TaskResult<T>> {
      if (task.kind !== "simulate") return Promise.reject(new Error(`plan: the page runs only simulations, not '${task.kind}' tasks`));
      const summary = summarize(task.level, simulate(task.scenario, { seed: task.seed, replications: task.replications, duration: task.duration, warmup: task.warmup }));
      onSimulated?.(++done, settings.maxSimulations);
      return Promise.resolve(summary as TaskResult<T>);
    },
  };
  return plan(s, load, settings, pool, 1);
}
