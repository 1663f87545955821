// The measurement behind the gate's comparisons with the model (../app-db-gate.e2e.test.ts,
// ../db-gate-wait.e2e.test.ts): a database of max_connections 4 under 2 replicas x 16 slots, started
// for real, driven at 10% and at about 75% of its capacity by an open Poisson load, observed
// through pg_stat_activity (the collector), the gate's SHOW STATS sums and SHOW POOLS snapshots,
// and the simulator run at the hold the gate measured (model in the loop). Test support only.
import pg from "pg";
import { simulate, type SimResult } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { startAppPromise, type RunningApp } from "../launcher.ts";
import { streamFor } from "../sampler.ts";
import { appPorts } from "../testing.ts";

type ComponentResult = SimResult["components"][string];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An open load: Poisson arrivals at `rate` for `seconds` (seeded), each request `pick(i)` sent
 * whether or not the earlier ones answered. Resolves with every answer's status once all answered.
 */
export async function openLoad(rate: number, seconds: number, seed: number, pick: (u: number) => () => Promise<Response>): Promise<number[]> {
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
export async function sampleQueries(app: RunningApp, until: Promise<unknown>): Promise<Array<{ at: number; active: number; connections: number }>> {
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
export function meanCi(xs: readonly number[]): { mean: number; hw: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  // t(0.975, df) for the batch counts used here
  const t = ({ 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179 } as Record<number, number>)[n - 1] ?? 2.2;
  return { mean, hw: (t * sd) / Math.sqrt(n) };
}

/** The fixture: read an exponential pg_sleep of 20 ms; `holdMs` replaces it with a measured hold, as a gamma of that mean keeping the exponential's spread. */
export const gateYaml = (rate: number, holdMs?: number) => `
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

export interface GateRun {
  readonly runDir: string;
  readonly ports: number[];
  readonly gate: unknown;
  readonly HIGH: number;
  readonly span: number;
  readonly refused: number;
  readonly low: Awaited<ReturnType<GatePhase>>;
  readonly high: Awaited<ReturnType<GatePhase>>;
  readonly hold: { mean: number; hw: number };
  readonly wait: { mean: number; hw: number };
  readonly busy: { mean: number; hw: number };
  readonly x: { mean: number; hw: number };
  readonly pred: ComponentResult;
  readonly tolWait: number;
  readonly tolBusy: number;
}
type GatePhase = (load: Promise<number[]>, n: number) => Promise<{
  batches: Array<{ waitMs: number; holdMs: number; x: number; busy: number }>;
  most: number; conns: number; refused: number;
  pools: Array<{ servers: number; idle: number; waiting: number }>;
}>;

/** Starts the fixture, measures both levels, stops it (also on failure) and returns what was measured and predicted. */
export async function measureGate(): Promise<GateRun> {
  const yaml = gateYaml;
  const LOW = 20, HIGH = 130, BATCH_S = 2;
    const { app, stop } = await startAppPromise(scenarioOf(yaml(HIGH), "db-gate.yaml"), { file: "db-gate.yaml" });
    const ports = appPorts(app);
    const console_ = new pg.Client({ host: "127.0.0.1", port: app.dbShards[0]!.gatePorts![0]!, user: app.db!.user, password: app.db!.password, database: "pgbouncer" });
    try {
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
      const phase: GatePhase = async (load, n) => {
        const samples = sampleQueries(app, load);
        // the gate's own snapshots (SHOW POOLS): server connections held, clients waiting
        const pools = (async () => {
          let done = false;
          void load.finally(() => (done = true));
          const out: Array<{ servers: number; idle: number; waiting: number }> = [];
          while (!done) {
            const r = await console_.query<{ database: string; cl_waiting: string; sv_active: string; sv_idle: string; sv_used: string }>("SHOW POOLS");
            const row = r.rows.find((x) => x.database === "headroom")!;
            const idle = Number(row.sv_idle) + Number(row.sv_used);
            out.push({ servers: Number(row.sv_active) + idle, idle, waiting: Number(row.cl_waiting) });
            await sleep(15);
          }
          return out;
        })();
        const marks = [{ t: performance.now(), ...(await stats()) }];
        for (let i = 0; i < n; i++) {
          await sleep(BATCH_S * 1000);
          marks.push({ t: performance.now(), ...(await stats()) });
        }
        const refused = (await load).filter((x) => x !== 200).length;
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
        return { batches: out, most: Math.max(...xs.map((s) => s.active)), conns: Math.max(...xs.map((s) => s.connections)), refused, pools: await pools };
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
        `db gate at ${HIGH}/s: most active ${high.most}, most connections ${high.conns}; ${high.pools.length} SHOW POOLS snapshots, ${high.pools.filter((x) => x.waiting > 0).length} with clients waiting, ${high.pools.filter((x) => x.waiting > 0 && x.idle > 0).length} of them with a connection idle; served ${x.mean.toFixed(1)}/s; hold ${hold.mean.toFixed(2)} ± ${hold.hw.toFixed(2)} ms (at ${LOW}/s ${meanCi(low.batches.map((b) => b.holdMs)).mean.toFixed(2)}, wait there ${meanCi(low.batches.map((b) => b.waitMs)).mean.toFixed(2)}); ` +
          `P(4 busy) measured ${busy.mean.toFixed(3)} ± ${busy.hw.toFixed(3)}, model ${pred.waitProbability.mean.toFixed(3)} (tol ${tolBusy.toFixed(3)}); ` +
          `wait at the gate ${wait.mean.toFixed(2)} ± ${wait.hw.toFixed(2)} ms, model ${pred.waitMs.mean.mean.toFixed(2)} ± ${(pred.waitMs.mean.ci95 ?? 0).toFixed(2)} (tol ${tolWait.toFixed(2)})`,
      );
      return {
        runDir: app.runDir, ports, gate: app.plan.db?.gate, HIGH, span: high.batches.length * BATCH_S, refused: low.refused + high.refused,
        low, high, hold, wait, busy, x, pred, tolWait, tolBusy,
      };
    } finally {
      await console_.end().catch(() => {});
      await stop();
    }
}
