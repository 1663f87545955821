// The simulator's result: a versioned JSON format (schema "headroom.result/v1") that the CLI writes
// with --json and the dashboard reads unchanged. Times are milliseconds, rates per second,
// utilizations fractions; every estimate carries its 95% confidence half-width over replications.
import type { Scenario } from "./model/schema.ts";
import type { Program } from "./engine/program.ts";
import type { ReplicationResult } from "./engine/simulation.ts";
import type { Histogram } from "./engine/histogram.ts";
import { estimate, type Estimate } from "./engine/stats.ts";

export const RESULT_SCHEMA = "headroom.result/v1";

export interface LatencyEstimates {
  readonly mean: Estimate;
  readonly p50: Estimate;
  readonly p90: Estimate;
  readonly p95: Estimate;
  readonly p99: Estimate;
  readonly p999: Estimate;
  readonly max: Estimate;
}

export interface ClassResult {
  readonly throughput: Estimate;
  readonly latencyMs: LatencyEstimates;
  readonly errorRate: Estimate;
  /** Requests in the statistics window, summed over replications. */
  readonly counts: { arrived: number; completed: number; dropped: number; timedOut: number };
}

export interface ComponentResult {
  readonly kind: string;
  readonly servers: number;
  readonly throughput: Estimate;
  readonly utilization: Estimate;
  readonly queueLength: Estimate;
  readonly maxQueue: number;
  /** Share of requests that had to wait for a server. */
  readonly waitProbability: Estimate;
  /** Share of arrivals turned away because the buffer was full. */
  readonly blockingProbability: Estimate;
  readonly waitMs: LatencyEstimates;
  readonly responseMs: LatencyEstimates;
  readonly drops: { buffer_full: number; queue_timeout: number };
}

export interface SeriesResult {
  readonly intervalS: number;
  readonly t: number[];
  readonly offered: number[];
  readonly inFlight: number[];
  readonly classes: Record<string, { throughput: number[]; errors: number[]; p50Ms: number[]; p95Ms: number[]; p99Ms: number[] }>;
  readonly components: Record<string, { utilization: number[]; queueLength: number[]; throughput: number[] }>;
}

export interface SloCheck {
  readonly metric: string;
  readonly class: string | null;
  readonly limit: number;
  readonly value: number;
  readonly pass: boolean;
}

export interface SimResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly scenario: { readonly name: string; readonly description: string | null };
  readonly run: {
    readonly seed: number;
    readonly replications: number;
    readonly durationS: number;
    readonly warmupS: number;
    readonly events: number;
  };
  readonly classes: Record<string, ClassResult>;
  readonly components: Record<string, ComponentResult>;
  readonly inFlight: Estimate;
  /** Whole-run accounting over all replications: arrived = completed + dropped + timedOut + inFlightAtEnd. */
  readonly accounting: { arrived: number; completed: number; dropped: number; timedOut: number; inFlightAtEnd: number };
  readonly bottleneck: string | null;
  readonly slo: { readonly pass: boolean; readonly checks: SloCheck[] } | null;
  readonly series: SeriesResult | null;
}

const Q: Array<[keyof LatencyEstimates, number]> = [["p50", 0.5], ["p90", 0.9], ["p95", 0.95], ["p99", 0.99], ["p999", 0.999]];

function latency(hists: Histogram[]): LatencyEstimates {
  const ms = (f: (h: Histogram) => number) => estimate(hists.map((h) => f(h) * 1000));
  const out: Record<string, Estimate> = { mean: ms((h) => h.mean()), max: ms((h) => (h.count ? h.max : NaN)) };
  for (const [k, q] of Q) out[k] = ms((h) => h.quantile(q));
  return out as unknown as LatencyEstimates;
}

export function buildResult(scenario: Scenario, p: Program, reps: ReplicationResult[], meta: { seed: number; duration: number; warmup: number; interval: number }): SimResult {
  const classes: Record<string, ClassResult> = {};
  p.classNames.forEach((name, c) => {
    const per = reps.map((r) => r.classes[c]);
    const sum = (f: (x: (typeof per)[0]) => number) => per.reduce((a, x) => a + f(x), 0);
    classes[name] = {
      throughput: estimate(reps.map((r) => r.classes[c].completed / r.window)),
      latencyMs: latency(per.map((x) => x.latency)),
      errorRate: estimate(per.map((x) => {
        const ended = x.completed + x.dropped + x.timedOut;
        return ended > 0 ? (x.dropped + x.timedOut) / ended : 0;
      })),
      counts: { arrived: sum((x) => x.arrived), completed: sum((x) => x.completed), dropped: sum((x) => x.dropped), timedOut: sum((x) => x.timedOut) },
    };
  });

  const components: Record<string, ComponentResult> = {};
  p.stations.forEach((st, s) => {
    const per = reps.map((r) => r.stations[s]);
    components[st.name] = {
      kind: "station",
      servers: st.servers,
      throughput: estimate(reps.map((r) => r.stations[s].completions / r.window)),
      utilization: estimate(reps.map((r) => r.stations[s].busyArea / (r.window * st.servers))),
      queueLength: estimate(reps.map((r) => r.stations[s].queueArea / r.window)),
      maxQueue: Math.max(...per.map((x) => x.maxQueue)),
      waitProbability: estimate(per.map((x) => (x.wait.count > 0 ? x.waited / x.wait.count : NaN))),
      blockingProbability: estimate(per.map((x) => (x.arrivals > 0 ? x.dropped / x.arrivals : NaN))),
      waitMs: latency(per.map((x) => x.wait)),
      responseMs: latency(per.map((x) => x.response)),
      drops: { buffer_full: per.reduce((a, x) => a + x.dropped, 0), queue_timeout: per.reduce((a, x) => a + x.timedOut, 0) },
    };
  });

  let bottleneck: string | null = null;
  let top = -1;
  for (const [name, c] of Object.entries(components)) {
    if (c.utilization.mean > top) { top = c.utilization.mean; bottleneck = name; }
  }

  const accounting = { arrived: 0, completed: 0, dropped: 0, timedOut: 0, inFlightAtEnd: 0 };
  for (const r of reps) {
    accounting.arrived += r.totals.arrived;
    accounting.completed += r.totals.completed;
    accounting.dropped += r.totals.dropped;
    accounting.timedOut += r.totals.timedOut;
    accounting.inFlightAtEnd += r.totals.inFlight;
  }

  const first = reps[0].series;
  const series: SeriesResult | null = first
    ? {
        intervalS: meta.interval,
        t: first.t,
        offered: first.offered,
        inFlight: first.inFlight,
        classes: Object.fromEntries(p.classNames.map((n, c) => {
          const x = first.classes[c];
          const ms = (a: number[]) => a.map((v) => v * 1000);
          return [n, { throughput: x.throughput, errors: x.errors, p50Ms: ms(x.p50), p95Ms: ms(x.p95), p99Ms: ms(x.p99) }];
        })),
        components: Object.fromEntries(p.stations.map((st, s) => {
          const x = first.stations[s];
          return [st.name, { utilization: x.utilization, queueLength: x.queue, throughput: x.throughput }];
        })),
      }
    : null;

  return {
    schema: RESULT_SCHEMA,
    scenario: { name: scenario.name, description: scenario.description ?? null },
    run: { seed: meta.seed, replications: reps.length, durationS: meta.duration, warmupS: meta.warmup, events: reps.reduce((a, r) => a + r.events, 0) },
    classes,
    components,
    inFlight: estimate(reps.map((r) => r.inFlightArea / r.window)),
    accounting,
    bottleneck,
    slo: checkSlo(scenario, classes),
    series,
  };
}

function checkSlo(scenario: Scenario, classes: Record<string, ClassResult>): SimResult["slo"] {
  const slo = scenario.slo;
  if (!slo) return null;
  const checks: SloCheck[] = [];
  for (const [name, c] of Object.entries(classes)) {
    for (const [k, limit] of Object.entries(slo.latency ?? {})) {
      if (limit === undefined) continue;
      const value = c.latencyMs[k as keyof LatencyEstimates].mean;
      checks.push({ metric: `${k}_ms`, class: name, limit: limit * 1000, value, pass: value <= limit * 1000 });
    }
  }
  if (slo.error_rate !== undefined) {
    let ended = 0, failed = 0;
    for (const c of Object.values(classes)) {
      ended += c.counts.completed + c.counts.dropped + c.counts.timedOut;
      failed += c.counts.dropped + c.counts.timedOut;
    }
    const value = ended > 0 ? failed / ended : 0;
    checks.push({ metric: "error_rate", class: null, limit: slo.error_rate, value, pass: value <= slo.error_rate });
  }
  return { pass: checks.every((c) => c.pass), checks };
}
