// The pure half of the slowed-dependency validation (validation/resilience-validate.ts): which
// scenario it takes (one service whose callers hold retries or a breaker, called straight by one
// open-load class, so the callers are the users), the model's counts read from a SimResult, and
// the rows against docs/validation.md's targets. Kept apart so its tests load no launcher.
import type { Scenario, SimResult } from "../simulator/index.ts";
import type { Row } from "./dynamics-series.ts";

const rel = (p: number, m: number) => (p === 0 ? (m === 0 ? 0 : Infinity) : (m - p) / p);

export class ResilienceInputError extends Error {
  override readonly name = "InputError";
}

type ServiceC = Extract<Scenario["components"][string], { kind: "service" }>;

/** The service whose callers hold retries or a breaker, and the one class that calls it; or why not. */
export function resilienceTarget(file: string, s: Scenario): { service: string; spec: ServiceC; cls: string } | undefined {
  const found = Object.entries(s.components).filter(([, c]) => c.kind === "service" && (c.retries || c.circuit_breaker)) as Array<[string, ServiceC]>;
  if (found.length === 0) return undefined;
  if (found.length > 1) throw new ResilienceInputError(`${file}: components: ${found.map(([n]) => n).join(", ")} all have retries or circuit_breaker; the slowed-dependency validation takes one`);
  const [service, spec] = found[0]!;
  if (s.load.model !== "open") throw new ResilienceInputError(`${file}: load.model: the slowed-dependency validation sends an open load (the callers are the users), got ${s.load.model}`);
  const classes = Object.entries(s.load.classes);
  if (classes.length !== 1) throw new ResilienceInputError(`${file}: load.classes: one class expected (the callers of '${service}'), got ${classes.length}`);
  const [cls, c] = classes[0]!;
  const step = c.flow[0] as { call?: string };
  const target = step.call !== undefined ? s.components[step.call] : undefined;
  const leads = step.call === service || (target?.kind === "load_balancer" && target.backends === service);
  if (c.flow.length !== 1 || !leads) throw new ResilienceInputError(`${file}: load.classes.${cls}.flow: one step calling '${service}' or its balancer expected (the users are its callers)`);
  if (!c.http) throw new ResilienceInputError(`${file}: load.classes.${cls}.http: needed to send the requests`);
  if (c.keys && c.keys.popularity !== "uniform") throw new ResilienceInputError(`${file}: load.classes.${cls}.keys.popularity: the driver draws uniform keys, got ${c.keys.popularity}`);
  if (c.http.method !== "GET") throw new ResilienceInputError(`${file}: load.classes.${cls}.http.method: the driver sends GET, got ${c.http.method}`);
  return { service, spec, cls };
}

/** The model's side: counts in the window, summed over replications; openings and open time per replication. */
export function predictedSide(sim: SimResult, service: string, cls: string): ResilienceSide {
  const c = sim.components[service]!;
  const r = c.resilience!;
  const k = sim.classes[cls]!.counts;
  return {
    calls: k.arrived, retries: r.retries, shortCircuited: r.shortCircuited,
    ended: k.completed + k.failed + k.dropped, failed: k.failed + k.dropped,
    breakerOpened: r.breakerOpened / sim.run.replications,
    openShare: c.breaker ? c.breaker.openShare.mean : NaN,
  };
}

/** One side of the slowed-dependency comparison: counts in the statistics window. */
export interface ResilienceSide {
  /** Calls made (first attempts and short-circuited calls). */
  readonly calls: number;
  readonly retries: number;
  readonly shortCircuited: number;
  /** Calls ended in the window, and of them the failed ones (after their retries). */
  readonly ended: number;
  readonly failed: number;
  /** Times the breaker opened, per run. */
  readonly breakerOpened: number;
  /** Share of the window the breaker spent open (not half-open); NaN without a breaker. */
  readonly openShare: number;
}

/** Rows for a slowed dependency (targets in docs/validation.md, "Dynamic scenarios"). */
export function resilienceRows(p: ResilienceSide, m: ResilienceSide): Row[] {
  const amp = (s: ResilienceSide) => 1 + s.retries / Math.max(1, s.calls);
  const sc = (s: ResilienceSide) => s.shortCircuited / Math.max(1, s.calls);
  const err = (s: ResilienceSide) => s.failed / Math.max(1, s.ended);
  const errOk = Math.abs(err(m) - err(p)) <= 0.02 || Math.abs(rel(err(p), err(m))) <= 0.2;
  return [
    { name: "retry amplification (1 + retries / calls)", predicted: amp(p), measured: amp(m), target: "within 10%", pass: Math.abs(rel(amp(p), amp(m))) <= 0.1 },
    { name: "short-circuited share of calls", predicted: sc(p), measured: sc(m), target: "within 5 points", pass: Math.abs(sc(m) - sc(p)) <= 0.05 },
    { name: "error rate (failed / ended)", predicted: err(p), measured: err(m), target: "within 20% or 2 points", pass: errOk },
    { name: "breaker openings per run", predicted: p.breakerOpened, measured: m.breakerOpened, target: "shown", pass: null },
    // issue 14's target for it: within 5 points (absolute), as the short-circuited share
    {
      name: "breaker open time share (seconds open / window)", predicted: p.openShare, measured: m.openShare, target: "within 5 points",
      pass: Number.isFinite(p.openShare) && Number.isFinite(m.openShare) ? Math.abs(m.openShare - p.openShare) <= 0.05 : null,
    },
  ];
}
