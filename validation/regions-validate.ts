// The regions validation (validate:dynamics on a scenario with `regions:`; issue 15 item 6): a
// two-region topology with a geo route and a region outage mid-run, once on the reference app
// (each region's parts behind their own geo router, crossings through the delaying relay:
// docs/reference-app.md, "Regions") and on the simulator, compared as validation/regions-rows.ts
// says. The measured side: one run; open Poisson arrivals from the scenario's seed, each from a
// region drawn by the load's shares and sent to its region's entry (reference-app/regions/
// region-load.ts), every answer timed at the client; the outage injected at its time by the
// launcher's region schedule (reference-app/fault-schedule.ts); each regional service's answered
// count read at the window boundaries. The model's side: three simulations of the scenario (no
// failure, the region down throughout, the outage as scheduled), each with the YAML's replications.
// Targets: docs/validation.md ("Regions").
// Trade-off: the driver sends one class on one path (no keys), so it takes scenarios of that shape.
import { loadavg } from "node:os";
import { simulate, type Scenario } from "../simulator/index.ts";
import { runWindow } from "../simulator/model/index.ts";
import { startAppPromise, type RunningApp } from "../reference-app/launcher.ts";
import { driveRegions } from "../reference-app/regions/region-load.ts";
import { followFailures } from "../reference-app/fault-schedule.ts";
import { addScrapes, sumMetrics } from "../reference-app/prom.ts";
import type { DynamicsReport } from "./dynamics.ts";
import { downScenario, errorRow, outageRows, SETTLE_S, steadyRows, steadyScenario, type RegionsTarget, type ServedCount } from "./regions-rows.ts";

/** Answered requests of `cls` so far at a service's replicas; a replica that does not answer (its region down) adds nothing. */
async function answered(app: RunningApp, service: string, cls: string): Promise<number> {
  const texts = await Promise.all((app.tiers[service] ?? []).map(async (r) => {
    try {
      const res = await fetch(`${r.url}/metrics`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? await res.text() : "";
    } catch {
      return "";
    }
  }));
  return addScrapes(texts.map(sumMetrics)).get(`headroom_http_requests_total{class=${cls}}`) ?? 0;
}

/** The services the class's geo route reaches (its users' first call). */
function regionalServices(s: Scenario, cls: string): string[] {
  const first = s.load.classes[cls]!.flow[0] as { call?: string };
  const route = first.call !== undefined ? s.geo?.[first.call] : undefined;
  if (!route) throw new Error(`load.classes.${cls}.flow[0]: the regions validation needs the users' first call to be a geo route`);
  return [...route];
}

export async function validateRegions(file: string, scenario: Scenario, target: RegionsTarget, log: (s: string) => void = () => {}): Promise<DynamicsReport> {
  const { duration, warmup, seed } = runWindow(scenario);
  const services = regionalServices(scenario, target.cls);
  const o = target.outage;
  log(`simulating ${file}: without failures, ${o ? `with ${o.region} down throughout, and with the outage as scheduled` : "as given"}`);
  const steady = simulate(steadyScenario(scenario));
  const down = o ? simulate(downScenario(scenario, o.region)) : undefined;
  const real = o ? simulate(scenario) : steady;
  const la0 = loadavg();
  const { app, stop } = await startAppPromise(scenario, { file });
  const steadyEnd = o ? o.at : duration;
  const counts = new Map<string, number>();
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  let cancelFaults = () => {};
  try {
    log(`app up (regions ${Object.keys(app.regions?.originUrls ?? {}).join(", ")}); ${target.rate}/s for ${duration} s`);
    const startMs = Date.now();
    // each regional service's answered count at the window boundaries
    const readAt = (s: number, key: string, service: string) =>
      timers.push(setTimeout(() => void answered(app, service, target.cls).then((n) => counts.set(key, n)), Math.max(0, startMs + s * 1000 - Date.now())));
    for (const sv of services) {
      readAt(warmup, `${sv}@from`, sv);
      readAt(steadyEnd - 0.05, `${sv}@to`, sv);
      if (o) {
        readAt(o.at + SETTLE_S, `${sv}@down-from`, sv);
        readAt(o.at + o.for - 0.05, `${sv}@down-to`, sv);
      }
    }
    cancelFaults = followFailures(app, scenario, startMs, (line) => log(`  ${line}`));
    const reqs = await driveRegions(app, target.rate, duration, seed, "validate:regions", target.path);
    // the last reads may still be under way
    await new Promise((r) => setTimeout(r, 500));
    const missing = services.flatMap((sv) => [`${sv}@from`, `${sv}@to`, ...(o ? [`${sv}@down-from`, `${sv}@down-to`] : [])]).filter((k) => !counts.has(k));
    if (missing.length) throw new Error(`the services' counters could not be read at ${missing.join(", ")}`);
    const steadyReqs = reqs.filter((r) => r.at >= warmup && r.at < steadyEnd);
    // a regional service's answered requests in the steady window; one that was down and restarted
    // starts its counter again, which the steady window (before any outage) never sees
    const served: ServedCount[] = services.map((sv) => ({ service: sv, count: counts.get(`${sv}@to`)! - counts.get(`${sv}@from`)!, seconds: steadyEnd - 0.05 - warmup }));
    const rows = steadyRows(steady, steadyReqs, served);
    if (o && down) {
      const downReqs = reqs.filter((r) => r.at >= o.at + SETTLE_S && r.at < o.at + o.for);
      // the down region's own services: what they answered in the window (0 while down)
      const own = services.filter((sv) => scenario.components[sv]?.region === o.region);
      const ownServed = own.reduce((s, sv) => s + Math.max(0, counts.get(`${sv}@down-to`)! - counts.get(`${sv}@down-from`)!), 0);
      rows.push(...outageRows(down, o.region, downReqs, ownServed));
    }
    rows.push(errorRow(real, reqs.filter((r) => r.at >= warmup)));
    rows.push({ name: "requests sent (after the warm-up)", predicted: NaN, measured: reqs.filter((r) => r.at >= warmup).length, target: "shown", pass: null });
    return { scenario: file, loadAverage: [la0[0], loadavg()[0]], rows };
  } finally {
    timers.forEach(clearTimeout);
    cancelFaults();
    await stop();
  }
}
