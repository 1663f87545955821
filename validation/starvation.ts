// Is a measurement to be trusted? While a level's load runs, this samples what starves a load
// generator on a shared machine: this process's event-loop lag (the built-in runner sends and times
// its requests on this loop, so a late loop both delays arrivals and adds to measured latencies),
// the machine's load average and the CPU steal of /proc/stat. A level whose lag p99 exceeds the
// bound is `unreliable`: re-run once, never counted as a pass, never dropped. Since 4 Dec the
// validation runs the built-in runner in a process of its own (`headroom k6 run --lag-out`), so the
// 250 ms metric scraping no longer shares its loop; that process writes its own loop's lag, which
// then replaces this one's (startLagProbe is the same probe on both sides). Trade-off: under real
// k6 the lag is the harness's, a proxy for the machine's starvation, not k6's own; and the bound is
// one number for every scenario, not scaled to the latencies it would distort.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** Default bound on the p99 event-loop lag of the load generator during a level, in ms. */
export const DEFAULT_MAX_LAG_MS = 20;

/** Timer period of the lag histogram; Node records period + lag, the period is subtracted. */
const RESOLUTION_MS = 5;

export interface GeneratorHealth {
  /** event-loop lag of the load generator's process (beyond the timer period), ms */
  lagMs: { mean: number; p99: number; max: number };
  /** the bound the level was judged against (p99 lag), ms */
  maxLagMs: number;
  /** 1-minute load average at the end of the load, and the machine's CPUs */
  loadAverage1: number;
  cpus: number;
  /** share of CPU time stolen by the hypervisor during the load (/proc/stat), null where unreadable */
  cpuSteal: number | null;
  /** true when the lag p99 is within the bound */
  reliable: boolean;
}

interface CpuTimes {
  total: number;
  steal: number;
}

/** The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest is in user). */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) return null;
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
  return { total: f.reduce((a, b) => a + b, 0), steal: f[7] };
}

function readCpuTimes(): CpuTimes | null {
  try {
    return parseProcStat(readFileSync("/proc/stat", "utf8"));
  } catch {
    return null;
  }
}

/** Judges figures against the bound; split out so a lagging sample can be judged without starving a machine. */
export function judgeHealth(f: Omit<GeneratorHealth, "reliable" | "maxLagMs">, maxLagMs: number): GeneratorHealth {
  return { ...f, maxLagMs, reliable: !(f.lagMs.p99 > maxLagMs) };
}

/** A process's event-loop lag beyond the timer period, ms. */
export type LoopLag = GeneratorHealth["lagMs"];

/** Samples this process's event-loop lag until stop() (the generator's own, in whichever process it runs). */
export function startLagProbe(): { stop(): LoopLag } {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  let done: LoopLag | null = null;
  return {
    stop() {
      if (done) return done;
      h.disable();
      const lag = (ns: number) => (h.count > 0 && Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
      done = { mean: lag(h.mean), p99: lag(h.percentile(99)), max: lag(h.max) };
      return done;
    },
  };
}

/**
 * Starts sampling; stop() ends it and returns the level's figures. Call stop in a finally; with
 * the generator in a child process, stop(itsLag) judges the child's loop instead of this one's.
 */
export function startHealthProbe(maxLagMs = DEFAULT_MAX_LAG_MS): { stop(generatorLag?: LoopLag): GeneratorHealth } {
  const own = startLagProbe();
  const cpu0 = readCpuTimes();
  let done: GeneratorHealth | null = null;
  return {
    stop(generatorLag?: LoopLag) {
      if (done) return done;
      const mine = own.stop();
      const cpu1 = readCpuTimes();
      const dt = cpu0 && cpu1 ? cpu1.total - cpu0.total : 0;
      done = judgeHealth({
        lagMs: generatorLag ?? mine,
        loadAverage1: loadavg()[0],
        cpus: cpus().length,
        cpuSteal: cpu0 && cpu1 && dt > 0 ? (cpu1.steal - cpu0.steal) / dt : null,
      }, maxLagMs);
      return done;
    },
  };
}

/** One line for logs and the Markdown report. */
export function describeHealth(g: GeneratorHealth): string {
  const steal = g.cpuSteal === null ? "steal n/a" : `steal ${(g.cpuSteal * 100).toFixed(1)}%`;
  return `generator lag p99 ${g.lagMs.p99.toFixed(1)} ms (bound ${g.maxLagMs} ms), mean ${g.lagMs.mean.toFixed(1)}, max ${g.lagMs.max.toFixed(1)}; load average ${g.loadAverage1.toFixed(1)} on ${g.cpus} CPUs, ${steal}`;
}

/**
 * A measurement with the starvation rule applied: a first attempt whose generator lagged beyond the
 * bound is re-run once; the level is `unreliable` when the second lags too. Both attempts' health
 * is returned, so nothing is silently dropped.
 */
export async function measureTrusted<M extends { generator: GeneratorHealth }>(
  measure: (attempt: number) => Promise<M>,
  log: (s: string) => void = () => {},
): Promise<{ measured: M; reliable: boolean; attempts: GeneratorHealth[] }> {
  const first = await measure(1);
  if (first.generator.reliable) return { measured: first, reliable: true, attempts: [first.generator] };
  log(`  unreliable: ${describeHealth(first.generator)}; measuring the level once more`);
  const second = await measure(2);
  if (!second.generator.reliable) log(`  unreliable again: ${describeHealth(second.generator)}`);
  return { measured: second, reliable: second.generator.reliable, attempts: [first.generator, second.generator] };
}
