// The slowed-dependency validation (validate:dynamics on a scenario whose service has `retries` or
// `circuit_breaker`): simulate the scenario, start the reference app without those two fields (they
// are the callers' policies, carried out here by the load driver, not by the app), send the load
// through a ResilientCaller (validation/resilient-driver.ts), or with --through-gateway start it
// with them (the app's resilience gateway carries them out) and send plain requests, and compare retry amplification,
// short-circuited share, error rate and the breaker's open time share with the model's (targets in
// docs/validation.md). Only the shape the model puts the policies on for users is accepted: one
// class calling the balancer (or the service) straight, an open load; anything else is an
// InputError naming the field.
// The real run's random draws (the app's service times, the callers' jitter, the load's arrivals and
// keys) come from one run seed, the scenario's unless given: every run of one seed is the same
// realization, so a second try of a failed run repeats its luck; a different run seed is a fresh
// sample (the model's figures do not change with it).
import type { Scenario } from "../simulator/index.ts";
import { simulate } from "../simulator/index.ts";
import { KeySampler } from "../simulator/random.ts";
import { loadavg } from "node:os";
import { startAppPromise } from "../reference-app/launcher.ts";
import { ResilientCaller } from "../reference-app/service/resilience.ts";
import { callerSite, driveResilient, gatewaySite } from "./resilient-driver.ts";
import { predictedSide, resilienceRows, resilienceTarget } from "./resilience-rows.ts";
import type { DynamicsReport } from "./dynamics.ts";

/**
 * `through`: "client" (default) starts the app without the two fields and sends each call through
 * this process's own ResilientCaller; "gateway" starts the app as `app up` does, the policies in its
 * resilience gateway in front of the entry (reference-app/gateway/gateway.ts), and sends plain
 * requests through it, counting from the gateway (the real path, one more hop).
 */
export async function validateResilience(file: string, scenario: Scenario, log: (s: string) => void, through: "client" | "gateway" = "client", runSeed = scenario.seed): Promise<DynamicsReport> {
  const t = resilienceTarget(file, scenario)!;
  const sim = simulate(scenario);
  const { retries: _r, circuit_breaker: _b, ...appService } = t.spec;
  const real = { ...scenario, seed: runSeed } as Scenario;
  const appScenario = through === "gateway" ? real : ({ ...real, components: { ...scenario.components, [t.service]: appService } } as Scenario);
  const la0 = loadavg();
  const { app, stop } = await startAppPromise(appScenario, { file });
  const caller = new ResilientCaller(t.service, { timeout: t.spec.timeout, retries: t.spec.retries, circuit_breaker: t.spec.circuit_breaker }, runSeed);
  let driven;
  try {
    if (through === "gateway" && !app.resilienceGateway) throw new Error(`${file}: the app started no resilience gateway for '${t.service}'`);
    const site = through === "gateway" ? gatewaySite(app.resilienceGateway!.url) : callerSite(caller);
    const c = scenario.load.classes[t.cls]!;
    const base = app.classUrl[t.cls] ?? app.url;
    // the class's key popularity (Zipf or uniform) drawn as the model draws it
    const keys = new KeySampler(c.keys?.count ?? 1, c.keys?.popularity === "zipf" ? (c.keys.s ?? 1) : 0);
    log(through === "gateway"
      ? `app up (${app.url}: the resilience gateway -> ${app.resilienceGateway!.upstream}); load for ${sim.run.durationS} s, plain requests, the callers' policies in the gateway`
      : `app up (${app.url}); load for ${sim.run.durationS} s from a Node client with the callers' policies`);
    log(`run seed ${runSeed}${runSeed === scenario.seed ? " (the scenario's)" : ""}: the app's service times, the callers' jitter and the arrivals`);
    const r = t.spec.retries;
    const perAttempt = (t.spec.timeout ?? 30) + (r ? r.max_backoff : 0);
    driven = await driveResilient({
      load: scenario.load as Extract<Scenario["load"], { model: "open" }>, seed: runSeed, durationS: sim.run.durationS, warmupS: sim.run.warmupS,
      site, urlFor: (rng) => base + c.http!.path.replace(/\{key\}/g, String(keys.sample(rng))),
      drainMs: Math.min(60_000, perAttempt * (r?.attempts ?? 1) * 1000 + 5000),
    });
  } finally {
    caller.close();
    await stop();
  }
  const rows = resilienceRows(predictedSide(sim, t.service, t.cls), driven.side);
  if (driven.leftOut > 0) log(`${driven.leftOut} calls still out after the drain (not counted as ended)`);
  return { scenario: scenario.name, loadAverage: [la0[0]!, loadavg()[0]!], rows };
}
