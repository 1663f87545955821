// `npm run bench`: engine throughput (events per second) and peak memory on fixed event counts.
// mmc: M/M/8 at utilization 0.9; network5: five stations with feedback routing; topology: a
// balancer, 8 service replicas, a cache, a database with 2 replicas and a queue with workers, with
// the service slots about 70% busy; million: scenarios/one-million-users.yaml, 10 simulated minutes.
// `--json` prints one object {name: {eventsPerSecond, events, peakRssMB}}; `--events N` sets the
// count (default 20M); `--only NAME` runs one benchmark; `--scenario FILE` runs million on another
// file (e.g. a variant of scenarios/one-million-users.yaml). Memory is sampled along each run (every
// 2^16 events) to show whether it stays flat; a run's peakRssMB is the largest of its own samples,
// not the process's maximum so far (which carried mmc's peak into the later benchmarks). Memory the
// process kept from an earlier benchmark still counts: run one with --only for its own figure.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseScenario, type Scenario } from "../model/index.ts";
import { compile } from "../engine/program.ts";
import { runReplication } from "../engine/simulation.ts";

const SCENARIOS: Record<string, string> = {
  mmc: `
version: 1
name: bench-mmc
load: { model: open, rate: 360/s, classes: { r: { flow: [pool] } } }
components: { pool: { kind: station, servers: 8, service: { dist: exponential, mean: 20ms } } }
`,
  network5: `
version: 1
name: bench-network5
load: { model: open, rate: 100/s, classes: { r: { flow: [s1] } } }
components:
  s1: { kind: station, servers: 2, service: { dist: exponential, mean: 12ms }, routing: [{ to: s2, p: 0.6 }, { to: s3, p: 0.4 }] }
  s2: { kind: station, servers: 1, service: { dist: exponential, mean: 5ms }, routing: [{ to: s4, p: 1 }] }
  s3: { kind: station, servers: 4, service: { dist: lognormal, mean: 40ms, cv: 0.8 }, routing: [{ to: s4, p: 1 }] }
  s4: { kind: station, servers: 2, service: { dist: exponential, mean: 8ms }, routing: [{ to: s5, p: 0.8 }, { to: s1, p: 0.1 }, { to: exit, p: 0.1 }] }
  s5: { kind: station, servers: 1, service: { dist: exponential, mean: 6ms } }
`,
  topology: `
version: 1
name: bench-topology
load:
  model: open
  rate: 2150/s
  classes:
    get_product: { weight: 90, keys: { count: 100k, popularity: zipf, s: 0.9 }, flow: [{ call: lb }] }
    create_order: { weight: 10, keys: { count: 100k, popularity: uniform }, flow: [{ call: lb }] }
components:
  lb: { kind: load_balancer, algorithm: least_connections, backends: api, maxconn: 16, queue_timeout: 1s }
  api:
    kind: service
    replicas: 8
    concurrency: 16
    handlers:
      get_product:
        - { service: { dist: lognormal, mean: 40ms, cv: 0.6 } }
        - { call: cache, op: get, miss: [{ call: db, op: read }, { call: cache, op: set }] }
      create_order:
        - { service: { dist: lognormal, mean: 40ms, cv: 0.6 } }
        - { call: db, op: write }
        - { publish: orders }
  cache: { kind: cache, capacity: 20k, service: 0.05ms }
  db:
    kind: database
    keys: 100k
    read: { dist: exponential, mean: 3ms }
    write: { dist: exponential, mean: 6ms }
    replicas: 2
    read_from: replicas
    replication_lag: 20ms
    max_connections: 200
    pool: { size: 8, timeout: 1s }
  orders: { kind: queue, workers: 4, prefetch: 10, service: { dist: exponential, mean: 10ms } }
`,
};

function scenario(name: string): Scenario {
  const r = parseScenario(SCENARIOS[name], `${name}.yaml`);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

export interface BenchResult {
  eventsPerSecond: number;
  events: number;
  peakRssMB: number;
  rssAlongRunMB: number[];
}

/** RSS samples of one run: about ten kept for the report, and the run's own peak. */
class RssSampler {
  private readonly samples: number[] = [];
  private peak = 0;

  sample(): void {
    const mb = process.memoryUsage.rss() / 2 ** 20;
    if (mb > this.peak) this.peak = mb;
    if (this.samples.length < 1000) this.samples.push(mb);
  }

  peakMB(): number {
    return Math.round(this.peak);
  }

  alongRunMB(): number[] {
    const step = Math.max(1, Math.floor(this.samples.length / 10));
    return this.samples.filter((_, i) => i % step === 0).map((x) => Math.round(x));
  }
}

export function runBench(name: string, events: number): BenchResult {
  const s = scenario(name);
  const program = compile(s);
  const rss = new RssSampler();
  const onTick = () => { rss.sample(); return false; }; // every 2^16 events
  // A short run first so the timed one measures optimized code, not the JIT warming up.
  runReplication(program, s, { seed: 1, replication: 99, duration: 1e12, warmup: 0, interval: 1, series: false, maxEvents: 2_000_000, onTick });
  const t0 = performance.now();
  const r = runReplication(program, s, {
    seed: 1, replication: 0, duration: 1e12, warmup: 0, interval: 1, series: false, maxEvents: events, onTick,
  });
  const seconds = (performance.now() - t0) / 1000;
  rss.sample();
  return {
    eventsPerSecond: Math.round(r.events / seconds),
    events: r.events,
    peakRssMB: rss.peakMB(),
    rssAlongRunMB: rss.alongRunMB(),
  };
}

/** The one-million-users scenario end to end: its 10 simulated minutes, one replication. */
export function runMillion(file?: string): BenchResult & { seconds: number } {
  const path = file ?? new URL("../../scenarios/one-million-users.yaml", import.meta.url);
  const r0 = parseScenario(readFileSync(path, "utf8"), file ?? "scenarios/one-million-users.yaml");
  if (!r0.ok) throw new Error(JSON.stringify(r0.errors));
  const program = compile(r0.scenario);
  const rss = new RssSampler();
  rss.sample();
  const t0 = performance.now();
  const r = runReplication(program, r0.scenario, {
    seed: 1, replication: 0, duration: 600, warmup: 60, interval: 10, series: false,
    onTick: () => { rss.sample(); return false; },
  });
  const seconds = (performance.now() - t0) / 1000;
  rss.sample();
  return {
    eventsPerSecond: Math.round(r.events / seconds), events: r.events, seconds: Math.round(seconds * 10) / 10,
    peakRssMB: rss.peakMB(),
    rssAlongRunMB: rss.alongRunMB(),
  };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const { values } = parseArgs({ options: { json: { type: "boolean" }, events: { type: "string" }, only: { type: "string" }, scenario: { type: "string" } } });
  const events = values.events ? Number(values.events) : 20_000_000;
  const names = values.only ? [values.only] : [...Object.keys(SCENARIOS), "million"];
  const out: Record<string, { eventsPerSecond: number; events: number; peakRssMB: number; seconds?: number }> = {};
  for (const n of names) {
    if (n === "million") {
      const m = runMillion(values.scenario);
      out.million = { eventsPerSecond: m.eventsPerSecond, events: m.events, peakRssMB: m.peakRssMB, seconds: m.seconds };
      if (!values.json) console.log(`million    ${(m.eventsPerSecond / 1e6).toFixed(2)} M events/s, ${m.events} events, ${m.seconds} s for 10 simulated minutes (target < 60 s); peak RSS ${m.peakRssMB} MB`);
      continue;
    }
    const r = runBench(n, events);
    out[n] = { eventsPerSecond: r.eventsPerSecond, events: r.events, peakRssMB: r.peakRssMB };
    if (!values.json) {
      console.log(`${n.padEnd(10)} ${(r.eventsPerSecond / 1e6).toFixed(2)} M events/s over ${r.events} events; peak RSS ${r.peakRssMB} MB; RSS along the run (MB): ${r.rssAlongRunMB.join(" ")}`);
    }
  }
  if (values.json) process.stdout.write(JSON.stringify(out) + "\n");
}
