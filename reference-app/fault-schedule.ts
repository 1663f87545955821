// The YAML's `failures:` followed on a running app, at the times the model injects them, from the
// load's t = 0 (a Date.now(): the first request HAProxy counted, or when the load was started).
// One place for what each scheduled failure is in the real system, so `headroom app up` and the
// validations inject the same faults: a service replica's crash (SIGKILL, started again
// `restart_after` later), a realtime instance's crash, a cache lost (Redis restarted empty), a
// database primary failed and a replica promoted (the launcher's failover schedule), a region
// down for a while (the launcher's region schedule). Random failures (mtbf/mttr) are refused by
// `app check` before anything starts (reference-app/plan.ts), so none reaches here.
import type { Scenario } from "../simulator/index.ts";
import type { RunningApp } from "./launcher.ts";

/** Starts the timers of every scheduled failure; returns the function that cancels those not yet due. */
export function followFailures(app: RunningApp, scenario: Scenario, startMs: number, log: (line: string) => void): () => void {
  const timers: Array<ReturnType<typeof setTimeout>> = [];
  const at = (s: number, what: string, run: () => Promise<void>) => {
    timers.push(setTimeout(() => {
      log(`fault at ${s} s: ${what}`);
      run().catch((e: unknown) => log(`fault at ${s} s failed (${what}): ${e instanceof Error ? e.message : String(e)}`));
    }, Math.max(0, startMs + s * 1000 - Date.now())));
  };
  const onError = (e: unknown) => log(`fault failed: ${e instanceof Error ? e.message : String(e)}`);
  let failovers = false, regions = false;
  for (const f of scenario.failures ?? []) {
    if ("crash" in f) {
      const realtime = scenario.components[f.crash]?.kind === "realtime";
      const name = `${f.crash} ${realtime ? "instance" : "replica"} ${f.replica}`;
      at(f.at, `kill ${name}`, () => (realtime ? app.faults.killRealtime(f.replica) : app.faults.killService(f.replica)));
      if (f.restart_after !== undefined) {
        at(f.at + f.restart_after, `restart ${name}`, () => (realtime ? app.faults.restartRealtime(f.replica) : app.faults.restartService(f.replica)));
      }
    } else if ("lose" in f) {
      at(f.at, `${f.lose} lost (Redis restarted empty)`, () => app.faults.restartCache());
    } else if ("fail_primary" in f) failovers = true;
    else if ("region" in f) regions = true;
  }
  if (failovers) {
    if (!app.failover) throw new Error("failures: fail_primary needs a database with a replica; the app has none to promote");
    log(`faults: the database failovers follow the YAML (kill at 'at', promotion 'promote_after' later)`);
    app.failover.schedule(startMs, onError);
  }
  if (regions) {
    if (!app.regions) throw new Error("failures: a region outage needs the scenario's regions; the app runs none");
    log(`faults: the region outages follow the YAML`);
    app.regions.schedule(startMs, onError);
  }
  return () => timers.forEach(clearTimeout);
}
