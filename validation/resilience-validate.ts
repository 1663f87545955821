// The slowed-dependency validation (validate:dynamics on a scenario whose service has `retries` or
// `circuit_breaker`): simulate the scenario, start the reference app without those two fields (they
// are the callers' policies, carried out here by the load driver, not by the app), send the load
// through a ResilientCaller (validation/resilient-driver.ts), and compare retry amplification,
// short-circuited share and error rate with the model's (targets in docs/validation.md). Only the
// shape the model puts the policies on for users is accepted: one class calling the balancer (or
// the service) straight, an open load; anything else is an InputError naming the field.
import type { Scenario, SimResult } from "../simulator/index.ts";
import { simulate } from "../simulator/index.ts";
import { loadavg } from "node:os";
import { startAppPromise } from "../reference-app/launcher.ts";
import { ResilientCaller } from "../reference-app/service/resilience.ts";
import { driveResilient } from "./resilient-driver.ts";
import { resilienceRows, type ResilienceSide } from "./dynamics-series.ts";
import type { DynamicsReport } from "./dynamics.ts";

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

/** The model's side: counts in the window, summed over replications; openings per replication. */
export function predictedSide(sim: SimResult, service: string, cls: string): ResilienceSide {
  const r = sim.components[service]!.resilience!;
  const k = sim.classes[cls]!.counts;
  return {
    calls: k.arrived, retries: r.retries, shortCircuited: r.shortCircuited,
    ended: k.completed + k.failed + k.dropped, failed: k.failed + k.dropped,
    breakerOpened: r.breakerOpened / sim.run.replications,
  };
}

export async function validateResilience(file: string, scenario: Scenario, log: (s: string) => void): Promise<DynamicsReport> {
  const t = resilienceTarget(file, scenario)!;
  const sim = simulate(scenario);
  const { retries: _r, circuit_breaker: _b, ...appService } = t.spec;
  const appScenario = { ...scenario, components: { ...scenario.components, [t.service]: appService } } as Scenario;
  const la0 = loadavg();
  const { app, stop } = await startAppPromise(appScenario, { file });
  const caller = new ResilientCaller(t.service, { timeout: t.spec.timeout, retries: t.spec.retries, circuit_breaker: t.spec.circuit_breaker }, scenario.seed);
  let driven;
  try {
    const c = scenario.load.classes[t.cls]!;
    const base = app.classUrl[t.cls] ?? app.url;
    const count = c.keys?.count ?? 1;
    log(`app up (${app.url}); load for ${sim.run.durationS} s from a Node client with the callers' policies`);
    const r = t.spec.retries;
    const perAttempt = (t.spec.timeout ?? 30) + (r ? r.max_backoff : 0);
    driven = await driveResilient({
      load: scenario.load as Extract<Scenario["load"], { model: "open" }>, seed: scenario.seed, durationS: sim.run.durationS, warmupS: sim.run.warmupS,
      caller, urlFor: (rng) => base + c.http!.path.replace(/\{key\}/g, String(Math.floor(rng.next() * count))),
      drainMs: Math.min(60_000, perAttempt * (r?.attempts ?? 1) * 1000 + 5000),
    });
  } finally {
    caller.close();
    await stop();
  }
  const windowS = sim.run.durationS - sim.run.warmupS;
  const rows = resilienceRows(predictedSide(sim, t.service, t.cls), driven.side);
  rows.push({ name: "breaker open time share (measured; the model reports no open time)", predicted: NaN, measured: driven.openS / windowS, target: "shown", pass: null });
  if (driven.leftOut > 0) log(`${driven.leftOut} calls still out after the drain (not counted as ended)`);
  return { scenario: scenario.name, loadAverage: [la0[0]!, loadavg()[0]!], rows };
}
