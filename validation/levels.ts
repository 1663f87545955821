// Load levels for a validation run: the predicted saturation rate of a scenario and the scenario
// re-rated to a fraction of it. Saturation comes from the analytic solver (simulator/analytic): the
// highest rate at which every queueing part is stable, slots, balancer queues, database pools and
// queue workers included, with the part that gives out first named. It trades the simulator's
// detail (timeouts, failures, exact LRU) for a figure that sees every bounded resource; an earlier
// picker extrapolated the simulated utilization of components with servers and missed pools: a
// pool of 4 connections x 25 ms (160 req/s) came out at 1,093 req/s "bottleneck lb". The old
// extrapolation remains only as a fallback for a model the analytic solver cannot read.
import { simulate, type Scenario } from "../simulator/index.ts";
import { analyticBracket, nominalLoad, solveAnalytic } from "../simulator/analytic/index.ts";
import { meanOf } from "../simulator/model/index.ts";

export class LevelError extends Error {
  override readonly name = "LevelError";
}

/** The scenario's constant open-model rate; validation needs one to scale. */
export function nominalRate(s: Scenario): number {
  if (s.load.model !== "open" || s.load.rate === undefined || s.load.stages !== undefined) {
    throw new LevelError(`scenario '${s.name}': validation needs load.model: open with a constant load.rate (no stages)`);
  }
  return s.load.rate;
}

/**
 * A closed load's open twin (validate --open-twin): the same classes and regions, sent as an open
 * Poisson load at the users' rate of requests (the nominal users, the stages' highest, over the
 * mean think time), stages and user counts dropped. Both sides then run the twin: the model and the
 * app get the same open load, so the comparison holds; what it leaves out is the closed loop's
 * feedback (a user waits for an answer before thinking again), which changes the rate by about the
 * response time over the think time (one-million-users: 50 ms over 60 s, 0.1%), and the stages.
 */
export function openTwin(s: Scenario): Scenario {
  const load = s.load;
  if (load.model === "open") return s;
  if (!load.think) throw new LevelError(`scenario '${s.name}': load.think: a closed load without think time has no open twin`);
  const rate = nominalLoad(s) / meanOf(load.think);
  const { users: _u, start_users: _s, stages: _st, think: _t, ...rest } = load as typeof load & { users?: number; start_users?: number; stages?: unknown; think?: unknown };
  return { ...s, load: { ...rest, model: "open", arrivals: "poisson", rate, start_rate: 0 } } as Scenario;
}

/** The same scenario at another constant rate. */
export function withRate(s: Scenario, rate: number): Scenario {
  nominalRate(s);
  return { ...s, load: { ...s.load, rate } } as Scenario;
}

export interface Saturation {
  rate: number;
  bottleneck: string;
  /** how the rate was obtained, for the report */
  method: string;
}

/** Components whose utilization means "busy share of a bounded resource". */
export function maxUtilization(components: Record<string, { kind: string; servers: number | null; utilization: { mean: number } }>): { name: string; u: number } {
  let best = { name: "", u: 0 };
  for (const [name, c] of Object.entries(components)) {
    if (c.servers === null || !Number.isFinite(c.utilization.mean)) continue;
    if (c.utilization.mean > best.u) best = { name, u: c.utilization.mean };
  }
  return best;
}

/** Predicted saturation: the analytic solver's highest stable rate and its bottleneck. */
export function predictSaturation(s: Scenario, seed?: number): Saturation {
  nominalRate(s);
  let b;
  try {
    b = analyticBracket(s);
  } catch (e) {
    const x = extrapolatedSaturation(s, seed);
    return { ...x, method: `linear extrapolation of simulated utilization (the analytic solver could not read the model: ${(e as Error).message})` };
  }
  if (!(b.saturation > 0) || !Number.isFinite(b.saturation)) {
    throw new LevelError(`scenario '${s.name}': the analytic solver finds no saturation (${b.saturation} req/s); no bounded resource to load`);
  }
  const at = solveAnalytic(s, { rate: b.saturation * 0.999 });
  return { rate: b.saturation, bottleneck: at.bottleneckPart ?? at.bottleneck ?? b.bottleneck ?? "?", method: "analytic solver: highest rate at which every slot group, balancer queue, database pool and queue is stable" };
}

/**
 * Predicted utilization of the busiest bounded part at a rate: the higher of the simulated
 * components' (maxUtilization) and the analytic parts' (pools and queue workers included), so a
 * pool-bound level is not taken for a lightly loaded one and given targets.
 */
export function levelUtilization(s: Scenario, rate: number, simulated: { name: string; u: number }): { name: string; u: number } {
  let best = simulated;
  let a;
  try {
    a = solveAnalytic(s, { rate });
  } catch {
    return best;
  }
  for (const [name, c] of Object.entries(a.components)) {
    // a balancer's connections are no bounded resource of their own here, but its TLS CPUs are
    if (c.kind === "load_balancer") {
      for (const [part, x] of Object.entries(c.parts ?? {})) if (Math.min(1, x.utilization) > best.u) best = { name: part, u: Math.min(1, x.utilization) };
      continue;
    }
    if (c.peakUtilization === null || !Number.isFinite(c.peakUtilization)) continue;
    // past saturation the analytic figure is the offered load (above 1); a resource is at most all busy
    const u = Math.min(1, c.peakUtilization);
    if (u > best.u) best = { name: name === a.bottleneck && a.bottleneckPart ? a.bottleneckPart : name, u };
  }
  return best;
}

/**
 * The old picker, kept as the fallback: simulate at a low rate (utilization linear in the rate)
 * and extrapolate rate / max utilization. Blind to pools and to anything without `servers`.
 */
export function extrapolatedSaturation(s: Scenario, seed?: number): { rate: number; bottleneck: string } {
  let rate = nominalRate(s);
  for (let i = 0; i < 8; i++) {
    const r = simulate(withRate(s, rate), { duration: 40, warmup: 5, replications: 2, seed });
    const m = maxUtilization(r.components);
    if (m.u <= 0) throw new LevelError(`scenario '${s.name}': no component has a bounded utilization; cannot locate saturation`);
    if (m.u < 0.6) return { rate: rate / m.u, bottleneck: m.name };
    rate /= 2;
  }
  throw new LevelError(`scenario '${s.name}': still saturated at ${rate} req/s`);
}
