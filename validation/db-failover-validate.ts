// The database-failover validation (validate:dynamics on a scenario whose `failures` fail a
// database's primary): mid-run the primary is killed and a replica promoted `promote_after` later;
// writes fail meanwhile, reads go on from the replicas, and with asynchronous replication the writes
// acknowledged within the replication lag before the failure are lost. The model's side: 8 runs
// (seeds seed..seed+7, one replication each): errors in the fault window and the recovery time from
// their series (one point per `simulation.interval`, keep it short), lost writes from the database's
// `lostWrites`. The measured side: one run of the reference app, the failover on the YAML's schedule
// (RunningApp.failover) from the load's first request, the load from a Node client (it must see each
// answer's order id, which k6's output does not keep): Poisson arrivals at the scenario's rate, the
// classes by weight (seeded streams `driver:*`). After the run every acknowledged order id is looked
// up on the promoted primary: the missing ones are the lost writes. Rows and targets: failoverRows
// below and docs/validation.md ("Database failover").
// Trade-off: one real run; the lost writes are a Poisson count of a few, so their band is wide.
import { loadavg } from "node:os";
import pg from "pg";
import { simulate, type Scenario } from "../simulator/index.ts";
import { RateProfile, Rng } from "../simulator/random.ts";
import { startAppPromise } from "../reference-app/launcher.ts";
import type { DynamicsReport } from "./dynamics.ts";
import type { Row } from "./dynamics-series.ts";

export class FailoverInputError extends Error {
  override readonly name = "InputError";
}

const RUNS = 8;

export interface FailoverTarget {
  readonly database: string;
  readonly shard: number;
  readonly at: number;
  readonly promoteAfter: number;
  readonly synchronous: boolean;
}

/** The failover the scenario schedules, or undefined when it fails no primary. One failover, of one database, after the warm-up. */
export function failoverTarget(file: string, s: Scenario): FailoverTarget | undefined {
  const fs = s.failures ?? [];
  if (!fs.some((f) => "fail_primary" in f)) return undefined;
  if (fs.length !== 1) throw new FailoverInputError(`${file}: failures: the failover validation takes exactly one failure, a fail_primary (got ${fs.length})`);
  const f = fs[0]!;
  if (!("fail_primary" in f)) throw new FailoverInputError(`${file}: failures[0]: not a fail_primary`);
  const warmup = s.simulation?.warmup ?? 0;
  if (f.at <= warmup) throw new FailoverInputError(`${file}: failures[0].at: the failure must come after the warm-up (${warmup} s)`);
  const db = s.components[f.fail_primary];
  if (db?.kind !== "database") throw new FailoverInputError(`${file}: failures[0].fail_primary: '${f.fail_primary}' is not a database`);
  return { database: f.fail_primary, shard: f.shard, at: f.at, promoteAfter: f.promote_after, synchronous: db.replication === "synchronous" };
}

/** One request the driver sent: arrival and answer times (s from the first arrival), status (0: no answer), order id of a 201. */
export interface Sent {
  readonly t: number;
  readonly cls: string;
  done: number;
  status: number;
  orderId?: string;
}

/**
 * What both sides are compared on. Requests are placed by when they ended (as the model's series
 * counts them): a write the failure cut off counts at the failure, not at its arrival.
 */
export interface FailoverSide {
  /** Requests that failed (any class) ending in [at, at + window). */
  readonly errors: number;
  /** All requests ending in that window. */
  readonly arrived: number;
  /** Seconds from the failure to the last failure in the window (how long writes failed). */
  readonly recovery: number;
  readonly lostWrites: number;
}

/** The fault window: the failure to twice the promotion delay after it (the recovery's overhang included). */
export const windowOf = (t: FailoverTarget) => ({ from: t.at, to: t.at + 2 * t.promoteAfter });

/** The measured side from the driver's records (a request failed: any status but 2xx, or no answer). */
export function measuredSide(sent: readonly Sent[], t: FailoverTarget, lostWrites: number): FailoverSide {
  const w = windowOf(t);
  let errors = 0, arrived = 0, last = t.at;
  for (const r of sent) {
    if (!(r.done >= w.from && r.done < w.to)) continue;
    arrived++;
    if (!(r.status >= 200 && r.status < 300)) {
      errors++;
      last = Math.max(last, r.done);
    }
  }
  return { errors, arrived, recovery: last - t.at, lostWrites };
}

/** The model's side of one simulated run (one replication, series kept). */
export function predictedSide(r: ReturnType<typeof simulate>, t: FailoverTarget): FailoverSide {
  const s = r.series;
  if (!s) throw new Error("the simulation kept no series");
  const w = windowOf(t);
  const dt = s.intervalS;
  let errors = 0, arrived = 0, last = t.at;
  s.t.forEach((end, i) => {
    const start = end - dt;
    if (start < w.from - 1e-9 || start >= w.to - 1e-9) return;
    let e = 0, ok = 0;
    for (const c of Object.values(s.classes)) {
      e += c.errors[i]! * dt;
      ok += c.throughput[i]! * dt;
    }
    errors += e;
    arrived += e + ok;
    if (e > 0) last = Math.max(last, end);
  });
  return { errors, arrived, recovery: last - t.at, lostWrites: r.components[t.database]!.lostWrites?.mean ?? NaN };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Failed requests per second over time, for the report's series: the model's mean over its runs per
 * interval of its series (labelled at the interval's end), and the driver's requests placed by when
 * they ended in the same intervals (a request failed: any status but 2xx, or no answer).
 */
export function errorSeries(sims: ReadonlyArray<ReturnType<typeof simulate>>, sent: readonly Pick<Sent, "done" | "status">[]): { predicted: Array<[number, number]>; measured: Array<[number, number]> } {
  const s = sims[0]?.series;
  if (!s) return { predicted: [], measured: [] };
  const dt = s.intervalS;
  const predicted = s.t.map((end, i): [number, number] => [end, mean(sims.map((r) => Object.values(r.series!.classes).reduce((a, c) => a + (c.errors[i] ?? 0), 0)))]);
  const counts = new Array<number>(s.t.length).fill(0);
  for (const r of sent) {
    if (r.status >= 200 && r.status < 300) continue;
    const k = Math.floor(r.done / dt);
    if (k >= 0 && k < counts.length) counts[k]++;
  }
  return { predicted, measured: s.t.map((end, i): [number, number] => [end, counts[i]! / dt]) };
}

/**
 * The central 95% of a Poisson count with mean `lambda` (the measured lost writes of one run, if the
 * model is right): [lo, hi], by summing the distribution.
 */
export function poissonBand(lambda: number): [number, number] {
  if (!(lambda > 0)) return [0, 0];
  let p = Math.exp(-lambda), cdf = p, k = 0, lo = -1;
  if (cdf >= 0.025) lo = 0;
  while (cdf < 0.975 && k < 10_000) {
    k++;
    p *= lambda / k;
    cdf += p;
    if (lo < 0 && cdf >= 0.025) lo = k;
  }
  return [Math.max(0, lo), k];
}

/** Rows and targets (docs/validation.md, "Database failover"). */
export function failoverRows(predicted: FailoverSide, measured: FailoverSide, t: FailoverTarget, spread: { recovery: [number, number]; errors: [number, number] }): Row[] {
  const within = (p: number, m: number, rel: number) => Math.abs(m - p) <= rel * Math.abs(p);
  const rateP = predicted.arrived > 0 ? predicted.errors / predicted.arrived : 0;
  const rateM = measured.arrived > 0 ? measured.errors / measured.arrived : 0;
  const rows: Row[] = [
    {
      name: `errors in the fault window (${t.at}-${t.at + 2 * t.promoteAfter} s)`,
      predicted: predicted.errors, measured: measured.errors, target: "within 20% or 2 points of the window's requests",
      pass: within(predicted.errors, measured.errors, 0.2) || Math.abs(rateM - rateP) <= 0.02,
    },
    { name: "error share in the fault window", predicted: rateP, measured: rateM, target: "shown", pass: null },
    {
      name: "recovery time (s): failure to the last failed request",
      predicted: predicted.recovery, measured: measured.recovery, target: "within 20%",
      pass: within(predicted.recovery, measured.recovery, 0.2),
    },
  ];
  if (t.synchronous) {
    rows.push({ name: "lost writes (synchronous replication)", predicted: predicted.lostWrites, measured: measured.lostWrites, target: "zero", pass: measured.lostWrites === 0 && predicted.lostWrites === 0 });
  } else {
    const [lo, hi] = poissonBand(predicted.lostWrites);
    rows.push({
      name: `lost writes (asynchronous; the model's 95% Poisson band ${lo}-${hi})`,
      predicted: predicted.lostWrites, measured: measured.lostWrites, target: "within the model's band",
      pass: measured.lostWrites >= lo && measured.lostWrites <= hi,
    });
  }
  rows.push({ name: "errors in the window, fewest of the 8 simulated runs", predicted: spread.errors[0], measured: NaN, target: "shown", pass: null });
  rows.push({ name: "errors in the window, most of the 8 simulated runs", predicted: spread.errors[1], measured: NaN, target: "shown", pass: null });
  return rows;
}

/** The request a class sends: its method and path ({key} drawn uniformly), an order's body. */
function requestOf(s: Scenario, cls: string, keys: Rng): { method: string; path: string; body?: string } {
  const c = s.load.classes[cls]!;
  const http = c.http ?? { method: "GET", path: `/${cls}` };
  const count = c.keys?.count ?? 1;
  const key = Math.min(count - 1, Math.floor(keys.next() * count));
  const path = http.path.replace("{key}", String(key));
  return http.method === "POST" ? { method: "POST", path, body: JSON.stringify({ product: key, quantity: 1 }) } : { method: http.method, path };
}

/**
 * Sends the scenario's open load (Poisson at its rate profile, classes by weight) for `durationS`;
 * every answer recorded. `arrivals: "model"`: the arrival times the simulator draws for the
 * scenario's seed (its `load:arrivals` stream, RateProfile.nextPoisson), so the model can be run on
 * the very realization that was sent (simulate's arrivalSeed); else the driver's own stream.
 */
export async function driveOrders(s: Scenario, baseUrl: string, durationS: number, onStart: (startMs: number) => void, signal?: AbortSignal, arrivals: "driver" | "model" = "driver"): Promise<{ sent: Sent[]; startMs: number }> {
  if (s.load.model !== "open") throw new FailoverInputError("load.model: the failover validation sends an open load");
  const profile = new RateProfile(s.load);
  const peak = Math.max(...profile.maxRate);
  const driverArrivals = new Rng(s.seed, 0, "driver:arrivals");
  const modelArrivals = new Rng(s.seed, 0, "load:arrivals");
  const pickRng = new Rng(s.seed, 0, "driver:classes");
  const keys = new Rng(s.seed, 0, "driver:keys");
  const classes = Object.entries(s.load.classes);
  const total = classes.reduce((a, [, c]) => a + c.weight, 0);
  const sent: Sent[] = [];
  const out = new Set<Promise<void>>();
  const startMs = Date.now();
  onStart(startMs);
  const now = () => (Date.now() - startMs) / 1000;
  let t = 0;
  for (;;) {
    if (arrivals === "model") {
      t = profile.nextPoisson(t, modelArrivals);
      if (t >= durationS) break;
    } else {
      t += -Math.log(driverArrivals.next()) / peak;
      if (t >= durationS) break;
      if (driverArrivals.next() * peak >= profile.rateAt(t)) continue;
    }
    let u = pickRng.next() * total;
    let cls = classes[classes.length - 1]![0];
    for (const [name, c] of classes) {
      if (u < c.weight) { cls = name; break; }
      u -= c.weight;
    }
    const req = requestOf(s, cls, keys);
    const wait = startMs + t * 1000 - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (signal?.aborted) break;
    const rec: Sent = { t: now(), cls, done: NaN, status: 0 };
    sent.push(rec);
    const p = (async () => {
      try {
        const res = await fetch(baseUrl + req.path, {
          method: req.method, body: req.body, headers: req.body ? { "content-type": "application/json" } : undefined, signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        rec.status = res.status;
        if (res.status === 201) rec.orderId = (JSON.parse(text) as { order_id?: string }).order_id;
      } catch {
        rec.status = 0;
      } finally {
        rec.done = now();
      }
    })();
    out.add(p);
    void p.finally(() => out.delete(p));
  }
  await Promise.allSettled([...out]);
  return { sent, startMs };
}

/** Acknowledged order ids absent from the database's current primary. */
async function missingOrders(port: number, access: { user: string; password: string; database: string }, ids: string[]): Promise<string[]> {
  const c = new pg.Client({ host: "127.0.0.1", port, user: access.user, password: access.password, database: access.database });
  await c.connect();
  try {
    const r = await c.query<{ id: string }>("SELECT id::text AS id FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = a.id)", [ids]);
    return r.rows.map((x) => x.id);
  } finally {
    await c.end();
  }
}

export async function validateFailover(file: string, scenario: Scenario, log: (s: string) => void = () => {}): Promise<DynamicsReport> {
  const target = failoverTarget(file, scenario)!;
  const sims = Array.from({ length: RUNS }, (_, k) => simulate(scenario, { seed: scenario.seed + k, replications: 1 }));
  const sides = sims.map((r) => predictedSide(r, target));
  const predicted: FailoverSide = {
    errors: mean(sides.map((x) => x.errors)), arrived: mean(sides.map((x) => x.arrived)),
    recovery: mean(sides.map((x) => x.recovery)), lostWrites: mean(sides.map((x) => x.lostWrites)),
  };
  const durationS = sims[0]!.run.durationS;
  const la0 = loadavg();
  const { app, stop } = await startAppPromise(scenario, { file });
  let sent: Sent[] = [];
  const errors: unknown[] = [];
  let missing: string[] = [];
  let acked = 0;
  let ev: NonNullable<typeof app.failover>["events"][number] | undefined;
  try {
    if (!app.failover || !app.db) throw new FailoverInputError(`${file}: the app has no database failover (no replica?)`);
    log(`app up (${app.url}); load for ${durationS} s, ${target.database}'s primary killed at ${target.at} s, a replica promoted ${target.promoteAfter} s later`);
    const r = await driveOrders(scenario, app.url, durationS, (startMs) => app.failover!.schedule(startMs, (e) => errors.push(e)));
    sent = r.sent;
    ev = app.failover.events.find((e) => e.shard === target.shard);
    if (errors.length > 0) throw new Error(`${file}: the failover failed: ${errors.map(String).join("; ")}`);
    if (!ev?.repointedMs) throw new Error(`${file}: the failover did not complete within the run (killed: ${ev !== undefined})`);
    const port = app.failover.primaryPort(target.shard)!;
    const ids = sent.flatMap((x) => (x.orderId ? [x.orderId] : []));
    acked = ids.length;
    missing = await missingOrders(port, app.db, ids);
    const lostAt = sent.filter((x) => x.orderId && missing.includes(x.orderId)).map((x) => x.done);
    if (lostAt.length > 0) log(`lost writes acknowledged at ${lostAt.map((x) => x.toFixed(2)).join(", ")} s (failure at ${target.at} s)`);
    ev = { ...ev, killedMs: ev.killedMs - r.startMs, promotedMs: ev.promotedMs! - r.startMs, repointedMs: ev.repointedMs - r.startMs };
  } finally {
    await stop();
  }
  const measured = measuredSide(sent, target, missing.length);
  const rows = failoverRows(predicted, measured, target, {
    recovery: [Math.min(...sides.map((x) => x.recovery)), Math.max(...sides.map((x) => x.recovery))],
    errors: [Math.min(...sides.map((x) => x.errors)), Math.max(...sides.map((x) => x.errors))],
  });
  rows.push({ name: "writes acknowledged in the run", predicted: NaN, measured: acked, target: "shown", pass: null });
  if (ev) {
    rows.push({ name: "primary dead at (s from the load start)", predicted: target.at, measured: ev.killedMs / 1000, target: "shown", pass: null });
    rows.push({ name: "replica promoted at (s)", predicted: target.at + target.promoteAfter, measured: ev.promotedMs! / 1000, target: "shown", pass: null });
    rows.push({ name: "services writing to it at (s)", predicted: target.at + target.promoteAfter, measured: ev.repointedMs! / 1000, target: "shown", pass: null });
    if (!target.synchronous) rows.push({ name: "WAL bytes on the wire dropped with the primary", predicted: NaN, measured: ev.droppedBytes, target: "shown", pass: null });
  }
  const es = errorSeries(sims, sent);
  const events: Array<readonly [number, string]> = [[target.at, "primary killed"], [target.at + target.promoteAfter, "replica promoted"]];
  return { scenario: scenario.name, loadAverage: [la0[0]!, loadavg()[0]!], rows, series: [{ name: `failed requests per second (model: mean of ${RUNS} runs)`, unit: "req/s", shape: "samples", ...es, events }] };
}
