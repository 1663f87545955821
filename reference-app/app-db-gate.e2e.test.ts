// The model's database `max_connections` on the reference app: at most that many queries at once
// on the server, the others queued FIFO (parts/pgbouncer.ts, a PgBouncer in transaction mode in
// front of PostgreSQL where the app's connections could exceed it). Judged, with pg_stat_activity
// sampled through the run's collector (client backends of the app's role on the primary):
// - scenarios/growing-table.yaml (max_connections 4 under 2 replicas x 16 slots) passes `app check`
//   and runs its own mix at its rate: never more than 4 of the app's queries or connections at the
//   primary, every request answered, every sign-up's row in the table (nothing lost in the gate);
// - a database of 4 connections under 32 callers at about 75% load (M/G/4 in the model): the cap
//   is reached and never passed, nothing is refused, the load is served; the share of samples with
//   all 4 busy matches the simulator's wait probability (Erlang C's, by PASTA) and the gate's mean
//   wait for a connection (its SHOW STATS sums) the simulator's mean wait at the node. The model
//   is fed the hold the gate measured (the 20 ms pg_sleep plus what PostgreSQL and the loaded
//   machine add: model in the loop), as a gamma keeping the exponential's spread. Tolerances: the
//   95% intervals of the 2 s batch means (Student's t) and of the simulator's replications, plus
//   the prediction's shift when the hold moves by its own half-width, combined in quadrature.
// Then nothing is left behind (processes, ports, the run dir).
import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import pg from "pg";
import { join } from "node:path";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise, type RunningApp } from "./launcher.ts";
import { streamFor } from "./sampler.ts";
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An open load: Poisson arrivals at `rate` for `seconds` (seeded), each request `pick(i)` sent
 * whether or not the earlier ones answered. Resolves with every answer's status once all answered.
 */
async function openLoad(rate: number, seconds: number, seed: number, pick: (u: number) => () => Promise<Response>): Promise<number[]> {
  const rng = streamFor(seed, "gate-load");
  const t0 = performance.now();
  const inFlight: Array<Promise<number>> = [];
  let t = 0;
  for (;;) {
    t += -Math.log(1 - rng.next()) / rate;
    if (t >= seconds) break;
    const wait = t0 + t * 1000 - performance.now();
    // always yield, also when behind: the sampler shares this event loop
    await sleep(Math.max(0, wait));
    const send = pick(rng.next());
    inFlight.push(send().then(async (r) => (await r.arrayBuffer(), r.status), () => 0));
  }
  return Promise.all(inFlight);
}

/** The collector's pg_stat_activity counts of the app's role on the primary, every ~20 ms until `until` resolves. */
async function sampleQueries(app: RunningApp, until: Promise<unknown>): Promise<Array<{ at: number; active: number; connections: number }>> {
  let done = false;
  void until.finally(() => (done = true));
  const out: Array<{ at: number; active: number; connections: number }> = [];
  let failed = 0;
  while (!done) {
    const s = await app.sample();
    // `at`: this process's performance.now() when the sample came back
    if (s.dbQueries) out.push({ at: performance.now(), ...s.dbQueries });
    else failed++;
    await sleep(20);
  }
  // a sample the collector could not take is not a sample of the cap
  if (failed > out.length / 10) throw new Error(`${failed} of ${failed + out.length} samples of pg_stat_activity failed`);
  return out;
}

/** Mean and 95% half-width (Student's t) of batch means. */
function meanCi(xs: readonly number[]): { mean: number; hw: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  // t(0.975, df) for the batch counts used here
  const t = ({ 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179 } as Record<number, number>)[n - 1] ?? 2.2;
  return { mean, hw: (t * sd) / Math.sqrt(n) };
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

  it("4 connections under 2 x 16 callers at 70% load queue as the model's M/G/4: cap reached, never passed; P(all busy) and the wait as predicted", async () => {
    // read: an exponential pg_sleep of 20 ms; `hold` replaces it with what a query really holds its
    // connection for (measured), as a gamma of that mean keeping the exponential's spread
    const yaml = (rate: number, holdMs?: number) => `
version: 1
name: db-gate
seed: 7
simulation: { duration: 60s, warmup: 5s, replications: 8 }
load:
  model: open
  rate: ${rate}/s
  classes:
    read:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 1000 }
      flow: [{ call: api }]
components:
  api:
    kind: service
    replicas: 2
    concurrency: 16
    handlers:
      read: [{ service: 1ms }, { call: db, op: read }]
  db:
    kind: database
    keys: 1000
    read: ${holdMs === undefined ? "{ dist: exponential, mean: 20ms }" : `{ dist: gamma, mean: ${holdMs.toFixed(3)}ms, cv: ${(20 / holdMs).toFixed(4)} }`}
    write: 1ms
    max_connections: 4
`;
    const LOW = 20, HIGH = 130, BATCH_S = 2;
    const { app, stop } = await startAppPromise(scenarioOf(yaml(HIGH), "db-gate.yaml"), { file: "db-gate.yaml" });
    const ports = appPorts(app);
    const console_ = new pg.Client({ host: "127.0.0.1", port: app.dbShards[0]!.gatePorts![0]!, user: app.db!.user, password: app.db!.password, database: "pgbouncer" });
    try {
      expect(app.plan.db?.gate).toEqual({ size: 4, clients: 32 });
      await console_.connect();
      const url = app.classUrl.read!;
      const req = (u: number) => () => fetch(`${url}/products/${Math.floor(u * 1000)}`, { signal: AbortSignal.timeout(10_000) });
      /** The gate's own sums (SHOW STATS, µs): transactions, their time (the wait included), their wait for a connection. */
      const stats = async () => {
        const r = await console_.query<{ database: string; total_xact_count: string; total_xact_time: string; total_wait_time: string }>("SHOW STATS");
        const row = r.rows.find((x) => x.database === "headroom")!;
        return { n: Number(row.total_xact_count), holdUs: Number(row.total_xact_time), waitUs: Number(row.total_wait_time) };
      };
      /**
       * Per BATCH_S batch while `load` runs (the first dropped: warm-up): the mean wait for a
       * connection and hold of it (ms) from the gate's sums, and from the pg_stat_activity samples
       * in the batch the share with all 4 connections busy.
       */
      const phase = async (load: Promise<number[]>, n: number) => {
        const samples = sampleQueries(app, load);
        const marks = [{ t: performance.now(), ...(await stats()) }];
        for (let i = 0; i < n; i++) {
          await sleep(BATCH_S * 1000);
          marks.push({ t: performance.now(), ...(await stats()) });
        }
        expect((await load).filter((x) => x !== 200)).toEqual([]);
        const xs = await samples;
        const out: Array<{ waitMs: number; holdMs: number; x: number; busy: number }> = [];
        for (let b = 2; b < marks.length; b++) {
          const a = marks[b - 1]!, z = marks[b]!;
          const inB = xs.filter((s) => s.at >= a.t && s.at < z.t);
          if (inB.length < 10 || z.n <= a.n) continue;
          out.push({
            waitMs: (z.waitUs - a.waitUs) / (z.n - a.n) / 1000,
            // PgBouncer's transaction time runs from the client's query on, its wait included
            holdMs: (z.holdUs - a.holdUs - (z.waitUs - a.waitUs)) / (z.n - a.n) / 1000,
            x: (z.n - a.n) / ((z.t - a.t) / 1000),
            busy: inB.filter((s) => s.active >= 4).length / inB.length,
          });
        }
        return { batches: out, most: Math.max(...xs.map((s) => s.active)), conns: Math.max(...xs.map((s) => s.connections)) };
      };
      const low = await phase(openLoad(LOW, 6 * BATCH_S, 3, req), 6);
      const high = await phase(openLoad(HIGH, 13 * BATCH_S, 5, req), 13);
      const hold = meanCi(high.batches.map((b) => b.holdMs));
      const wait = meanCi(high.batches.map((b) => b.waitMs));
      const busy = meanCi(high.batches.map((b) => b.busy));
      const x = meanCi(high.batches.map((b) => b.x));
      // the model at the measured hold (the 20 ms pg_sleep plus what the query, PostgreSQL and this
      // loaded machine add), and its sensitivity to the hold's own uncertainty
      const sim = (h: number) => simulate(scenarioOf(yaml(HIGH, h), "db-gate.yaml")).components.db!;
      const pred = sim(hold.mean), predUp = sim(hold.mean + hold.hw);
      const tolWait = Math.sqrt(wait.hw ** 2 + (pred.waitMs.mean.ci95 ?? 0) ** 2 + (predUp.waitMs.mean.mean - pred.waitMs.mean.mean) ** 2);
      const tolBusy = Math.sqrt(busy.hw ** 2 + (pred.waitProbability.ci95 ?? 0) ** 2 + (predUp.waitProbability.mean - pred.waitProbability.mean) ** 2);
      console.log(
        `db gate at ${HIGH}/s: most active ${high.most}, most connections ${high.conns}; served ${x.mean.toFixed(1)}/s; hold ${hold.mean.toFixed(2)} ± ${hold.hw.toFixed(2)} ms (at ${LOW}/s ${meanCi(low.batches.map((b) => b.holdMs)).mean.toFixed(2)}, wait there ${meanCi(low.batches.map((b) => b.waitMs)).mean.toFixed(2)}); ` +
          `P(4 busy) measured ${busy.mean.toFixed(3)} ± ${busy.hw.toFixed(3)}, model ${pred.waitProbability.mean.toFixed(3)} (tol ${tolBusy.toFixed(3)}); ` +
          `wait at the gate ${wait.mean.toFixed(2)} ± ${wait.hw.toFixed(2)} ms, model ${pred.waitMs.mean.mean.toFixed(2)} ± ${(pred.waitMs.mean.ci95 ?? 0).toFixed(2)} (tol ${tolWait.toFixed(2)})`,
      );
      // the cap: reached (the gate binds at this load) and never passed, at either level
      expect(high.most).toBe(4);
      expect(Math.max(high.conns, low.conns, low.most)).toBeLessThanOrEqual(4);
      // the gate queues as the model's node: P(all busy) (Erlang C's, by PASTA) and the mean wait
      expect(Math.abs(busy.mean - pred.waitProbability.mean)).toBeLessThanOrEqual(tolBusy);
      expect(Math.abs(wait.mean - pred.waitMs.mean.mean)).toBeLessThanOrEqual(tolWait);
      // nothing refused (every answer 200, checked per phase) and the load served
      // (Poisson arrivals: the served rate over T seconds has sd sqrt(rate / T); 3 sd, or the batches' own interval if wider)
      const span = high.batches.length * BATCH_S;
      expect(Math.abs(x.mean - HIGH)).toBeLessThanOrEqual(Math.max(x.hw, 3 * Math.sqrt(HIGH / span)));
    } finally {
      await console_.end().catch(() => {});
      await stop();
    }
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  }, 180_000);
});
