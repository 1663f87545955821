// The model's database `max_connections` on the reference app: at most that many queries at once
// on the server, the others queued FIFO (parts/pgbouncer.ts, a PgBouncer in transaction mode in
// front of PostgreSQL where the app's connections could exceed it). Judged, with pg_stat_activity
// sampled through the run's collector (client backends of the app's role on the primary):
// - scenarios/growing-table.yaml (max_connections 4 under 2 replicas x 16 slots) passes `app check`
//   and runs its own mix at its rate: never more than 4 of the app's queries or connections at the
//   primary, every request answered, every sign-up's row in the table (nothing lost in the gate);
// - a database of 4 connections under 32 callers at about 75% load (M/G/4 in the model;
//   testing/db-gate-levels.ts): the cap is reached and never passed, nothing is refused, the load is
//   served; the gate never holds more than 4 server connections and never leaves one idle while
//   a client waits (SHOW POOLS snapshots: work-conserving, as the model's queue); the share of
//   samples with all 4 busy matches the simulator's wait probability (Erlang C's, by PASTA) with
//   the model fed the hold the gate measured (model in the loop), within the 95% intervals of the
//   2 s batch means (Student's t) and of the replications plus the prediction's shift when the
//   hold moves by its own half-width, combined in quadrature. The mean wait itself is compared in
//   db-gate-wait.e2e.test.ts (test:app too).
// Then nothing is left behind (processes, ports, the run dir).
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { startAppPromise } from "./launcher.ts";
import { measureGate, openLoad, sampleQueries } from "./testing/db-gate-levels.ts";
import { appPorts, bundled, leftovers, metricSum, queryDb } from "./testing.ts";

const root = join(import.meta.dirname, "..");

/** The compiled CLI as a child process (reference-app/ may not import cli/). */
function cli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [join(root, "bin/headroom.mjs"), ...args], { cwd: root }, (e, out, err) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out: out + err }),
    ),
  );
}

describe("the model's max_connections on the reference app: a queue, not a refusal", () => {
  it("growing-table.yaml passes app check and runs at its rate: at most 4 queries at the primary, nothing lost", async () => {
    const check = await cli(["app", "check", "scenarios/growing-table.yaml"]);
    expect(check.code, check.out).toBe(0);
    const s = bundled("growing-table");
    const { app, stop } = await startAppPromise(s, { file: "scenarios/growing-table.yaml" });
    const ports = appPorts(app);
    let samples: Array<{ active: number; connections: number }> = [];
    let statuses: number[] = [];
    try {
      expect(app.plan.db?.gate).toEqual({ size: 4, clients: 32 });
      expect(app.dbShards[0]?.gatePorts).toHaveLength(1);
      const base = app.url;
      // the scenario's mix (30 / 60 / 10) at its rate, 8 s
      const load = openLoad(200, 8, 19, (u) => {
        const key = Math.floor((u * 1e6) % 100_000);
        if (u < 0.3) return () => fetch(`${base}/accounts`, { method: "POST", signal: AbortSignal.timeout(10_000) });
        if (u < 0.9) return () => fetch(`${base}/accounts/${key}`, { signal: AbortSignal.timeout(10_000) });
        return () => fetch(`${base}/accounts/by-email/${key}`, { signal: AbortSignal.timeout(10_000) });
      });
      [samples, statuses] = await Promise.all([sampleQueries(app, load), load]);
      const signups = await metricSum(app.metricsUrls, "headroom_http_requests_total", { class: "signup", status: "201" });
      const rows = await queryDb<{ n: number }>(app, app.db!.primaryPort, "SELECT count(*)::int AS n FROM items");
      console.log(`growing-table: ${statuses.length} requests, ${samples.length} samples, most active ${Math.max(...samples.map((x) => x.active))}, most connections ${Math.max(...samples.map((x) => x.connections))}, ${signups} sign-ups, ${rows[0]!.n} rows`);
      expect(statuses.filter((x) => x < 200 || x > 201)).toEqual([]);
      expect(samples.length).toBeGreaterThan(100);
      expect(Math.max(...samples.map((x) => x.active))).toBeLessThanOrEqual(4);
      expect(Math.max(...samples.map((x) => x.connections))).toBeLessThanOrEqual(4);
      expect(signups).toBeGreaterThan(0);
      expect(rows[0]!.n).toBe(400_000 + signups);
    } finally {
      await stop();
    }
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  }, 150_000);

  it("4 connections under 2 x 16 callers at about 75% load queue as the model's M/G/4: cap reached, never passed, the gate work-conserving, P(all busy) as predicted", async () => {
    const r = await measureGate();
    const { low, high, busy, pred, x } = r;
    expect(r.gate).toEqual({ size: 4, clients: 32 });
    // nothing refused: every answer 200, at both levels
    expect(r.refused).toBe(0);
    // the cap: reached (the gate binds at this load) and never passed, at either level
    expect(high.most).toBe(4);
    expect(Math.max(high.conns, low.conns, low.most)).toBeLessThanOrEqual(4);
    // the gate itself: never more than 4 server connections, and work-conserving: no client
    // waiting while a server connection sits idle (the model's queue forms only when all 4 are busy)
    const snaps = [...low.pools, ...high.pools];
    expect(snaps.length).toBeGreaterThan(200);
    expect(Math.max(...snaps.map((s) => s.servers))).toBeLessThanOrEqual(4);
    expect(snaps.filter((s) => s.waiting > 0 && s.idle > 0)).toEqual([]);
    expect(high.pools.some((s) => s.waiting > 0)).toBe(true);
    // the share of time all 4 are busy: the model's wait probability (Erlang C's, by PASTA)
    expect(Math.abs(busy.mean - pred.waitProbability.mean)).toBeLessThanOrEqual(r.tolBusy);
    // the load served (Poisson arrivals: the served rate over T seconds has sd sqrt(rate / T); 3 sd, or the batches' own interval if wider)
    expect(Math.abs(x.mean - r.HIGH)).toBeLessThanOrEqual(Math.max(x.hw, 3 * Math.sqrt(r.HIGH / r.span)));
    expect(await leftovers(r.runDir, r.ports)).toEqual([]);
  }, 180_000);
});
