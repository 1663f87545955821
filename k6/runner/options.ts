// k6 options as the runner understands them: duration strings, the shortcut options (vus/duration/
// iterations/stages) turned into scenarios, and each scenario's executor config with k6's defaults.
// Options the runner does not implement are refused by name rather than ignored.
import { scaleCount, segmentTuple, type SegmentTuple } from "./segment.ts";

/**
 * The k6 release whose behaviour the runner reproduces and checks against (its source, v0.48.0): the
 * user agent, error codes, tags, the vus gauge and threshold rules follow that release.
 */
export const K6_VERSION = "0.48.0";
/** k6's default user agent (its --user-agent flag): `k6/<version> (https://k6.io/)`; `userAgent: ""` sends none, as in k6. */
export const DEFAULT_USER_AGENT = `k6/${K6_VERSION} (https://k6.io/)`;

export type ExecutorName =
  | "constant-vus"
  | "ramping-vus"
  | "constant-arrival-rate"
  | "ramping-arrival-rate"
  | "per-vu-iterations"
  | "shared-iterations";

export interface Stage {
  durationMs: number;
  target: number;
}

export interface ScenarioConfig {
  name: string;
  executor: ExecutorName;
  startTimeMs: number;
  gracefulStopMs: number;
  exec: string;
  env: Record<string, string>;
  tags: Record<string, string>;
  // executor-specific, in ms / per-timeUnit as in k6
  vus: number;
  durationMs: number;
  iterations: number;
  maxDurationMs: number;
  startVUs: number;
  stages: Stage[];
  gracefulRampDownMs: number;
  rate: number;
  startRate: number;
  timeUnitMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  /**
   * This generator's execution segment (k6's executionSegment/executionSegmentSequence), when the
   * test is split between generators: counts above are already scaled; arrival-rate executors start
   * only the iterations whose global index the segment owns.
   */
  segment?: SegmentTuple;
}

export interface RunOptions {
  scenarios: ScenarioConfig[];
  thresholds: unknown;
  summaryTrendStats: string[];
  discardResponseBodies: boolean;
  /** k6's `batch` / `batchPerHost`: at most this many of one http.batch() call in flight, in all / per host (0: no per-host limit). */
  batch: number;
  batchPerHost: number;
  userAgent: string;
  setupTimeoutMs: number;
  teardownTimeoutMs: number;
  tags: Record<string, string>;
  insecureSkipTLSVerify: boolean;
  raw: Record<string, unknown>;
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a k6 duration: "30s", "1m30s", "1h", "250ms", or a number of milliseconds. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(`invalid duration for ${field}: expected a string like "30s" or "1m30s", got ${JSON.stringify(value)}`);
  }
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000; // k6 reads a bare number string as seconds
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== s.length) throw new Error(`invalid duration for ${field}: ${JSON.stringify(value)} (expected e.g. "30s", "1m30s", "250ms")`);
  return total;
}

function int(v: unknown, field: string, def?: number): number {
  if (v === undefined || v === null) {
    if (def === undefined) throw new Error(`${field} is required`);
    return def;
  }
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw new Error(`${field} must be a non-negative number, got ${JSON.stringify(v)}`);
  return v;
}

function dur(v: unknown, field: string, def?: number): number {
  if (v === undefined || v === null) {
    if (def === undefined) throw new Error(`${field} is required`);
    return def;
  }
  return parseDuration(v, field);
}

function stages(v: unknown, field: string): Stage[] {
  if (!Array.isArray(v) || v.length === 0) throw new Error(`${field} must be a non-empty array of {duration, target}`);
  return v.map((s, i) => ({
    durationMs: dur(s?.duration, `${field}[${i}].duration`),
    target: int(s?.target, `${field}[${i}].target`),
  }));
}

const SCENARIO_KEYS = new Set([
  "executor", "startTime", "gracefulStop", "exec", "env", "tags", "vus", "duration", "iterations", "maxDuration",
  "startVUs", "stages", "gracefulRampDown", "rate", "startRate", "timeUnit", "preAllocatedVUs", "maxVUs",
]);

export function normalizeScenario(name: string, raw: Record<string, unknown>): ScenarioConfig {
  const f = (k: string) => `scenarios.${name}.${k}`;
  for (const k of Object.keys(raw)) {
    if (!SCENARIO_KEYS.has(k)) throw new Error(`unsupported scenario option ${f(k)}`);
  }
  const executor = raw.executor as ExecutorName;
  const known: ExecutorName[] = ["constant-vus", "ramping-vus", "constant-arrival-rate", "ramping-arrival-rate", "per-vu-iterations", "shared-iterations"];
  if (!known.includes(executor)) {
    throw new Error(`${f("executor")}: executor '${String(raw.executor)}' is not supported by the built-in runner (supported: ${known.join(", ")})`);
  }
  const isArrival = executor.endsWith("arrival-rate");
  const pre = isArrival ? int(raw.preAllocatedVUs, f("preAllocatedVUs")) : 0;
  const cfg: ScenarioConfig = {
    name,
    executor,
    startTimeMs: dur(raw.startTime, f("startTime"), 0),
    gracefulStopMs: dur(raw.gracefulStop, f("gracefulStop"), 30_000),
    exec: typeof raw.exec === "string" ? raw.exec : "default",
    env: (raw.env as Record<string, string>) ?? {},
    tags: (raw.tags as Record<string, string>) ?? {},
    vus: 0,
    durationMs: 0,
    iterations: 0,
    maxDurationMs: 0,
    startVUs: 0,
    stages: [],
    gracefulRampDownMs: 0,
    rate: 0,
    startRate: 0,
    timeUnitMs: 1000,
    preAllocatedVUs: pre,
    maxVUs: 0,
  };
  switch (executor) {
    case "constant-vus":
      cfg.vus = int(raw.vus, f("vus"), 1);
      cfg.durationMs = dur(raw.duration, f("duration"));
      break;
    case "ramping-vus":
      cfg.startVUs = int(raw.startVUs, f("startVUs"), 1);
      cfg.stages = stages(raw.stages, f("stages"));
      cfg.gracefulRampDownMs = dur(raw.gracefulRampDown, f("gracefulRampDown"), 30_000);
      break;
    case "constant-arrival-rate":
      cfg.rate = int(raw.rate, f("rate"));
      cfg.timeUnitMs = dur(raw.timeUnit, f("timeUnit"), 1000);
      cfg.durationMs = dur(raw.duration, f("duration"));
      cfg.maxVUs = Math.max(pre, int(raw.maxVUs, f("maxVUs"), pre));
      break;
    case "ramping-arrival-rate":
      cfg.startRate = int(raw.startRate, f("startRate"), 0);
      cfg.timeUnitMs = dur(raw.timeUnit, f("timeUnit"), 1000);
      cfg.stages = stages(raw.stages, f("stages"));
      cfg.maxVUs = Math.max(pre, int(raw.maxVUs, f("maxVUs"), pre));
      break;
    case "per-vu-iterations":
    case "shared-iterations":
      cfg.vus = int(raw.vus, f("vus"), 1);
      cfg.iterations = int(raw.iterations, f("iterations"), 1);
      cfg.maxDurationMs = dur(raw.maxDuration, f("maxDuration"), 600_000);
      break;
  }
  if (isArrival && cfg.maxVUs < 1) throw new Error(`${f("preAllocatedVUs")}/${f("maxVUs")}: at least one VU is needed`);
  return cfg;
}

// Options accepted; those with no effect on a local HTTP/1.1 run are listed as such in docs/k6.md.
const TOP_KEYS = new Set([
  "scenarios", "vus", "duration", "iterations", "stages", "thresholds", "summaryTrendStats", "summaryTimeUnit",
  "discardResponseBodies", "batch", "batchPerHost", "userAgent", "setupTimeout", "teardownTimeout", "tags", "noColor",
  "insecureSkipTLSVerify", "ext", "cloud", "executionSegment", "executionSegmentSequence",
]);

/**
 * A scenario's share of the work in one execution segment, as k6 scales it: every VU count, the
 * iterations of shared-iterations, and each ramping stage's target get the segment's striped share;
 * per-vu-iterations keeps its per-VU iterations; arrival rates stay whole (the executor skips the
 * iterations the segment does not own, so the times of its own arrivals are the unsegmented ones).
 */
function segmentScenario(c: ScenarioConfig, t: SegmentTuple): ScenarioConfig {
  const k = (v: number) => scaleCount(t, v);
  const out: ScenarioConfig = { ...c, segment: t };
  out.vus = k(c.vus);
  out.startVUs = k(c.startVUs);
  out.preAllocatedVUs = k(c.preAllocatedVUs);
  out.maxVUs = k(c.maxVUs);
  if (c.executor === "shared-iterations") out.iterations = k(c.iterations);
  if (c.executor === "ramping-vus") out.stages = c.stages.map((st) => ({ ...st, target: k(st.target) }));
  // an arrival-rate scenario needs a VU to start anything: a segment whose share rounds to none keeps
  // one (k6 refuses such a split; a generator that can start nothing would make its arrivals vanish)
  if (c.executor.endsWith("arrival-rate") && out.maxVUs < 1) {
    out.maxVUs = 1;
    out.preAllocatedVUs = Math.max(out.preAllocatedVUs, 1);
  }
  return out;
}

export function normalizeOptions(
  raw: Record<string, unknown> | undefined,
  overrides: { vus?: number; duration?: string; executionSegment?: string; executionSegmentSequence?: string } = {},
): RunOptions {
  const o: Record<string, unknown> = { ...(raw ?? {}) };
  for (const k of Object.keys(o)) {
    if (!TOP_KEYS.has(k)) throw new Error(`option '${k}' is not supported by the built-in runner`);
  }
  if (overrides.vus !== undefined) o.vus = overrides.vus;
  if (overrides.duration !== undefined) {
    o.duration = overrides.duration;
    delete o.scenarios;
    delete o.stages;
  }
  let scenarios: ScenarioConfig[];
  if (o.scenarios && typeof o.scenarios === "object") {
    scenarios = Object.entries(o.scenarios as Record<string, Record<string, unknown>>).map(([n, s]) => normalizeScenario(n, s ?? {}));
  } else if (o.stages) {
    scenarios = [normalizeScenario("default", { executor: "ramping-vus", startVUs: o.vus ?? 1, stages: o.stages })];
  } else if (o.duration) {
    scenarios = [normalizeScenario("default", { executor: "constant-vus", vus: o.vus ?? 1, duration: o.duration })];
  } else {
    scenarios = [normalizeScenario("default", { executor: "shared-iterations", vus: o.vus ?? 1, iterations: o.iterations ?? 1 })];
  }
  if (scenarios.length === 0) throw new Error("options.scenarios is empty");
  const segment = overrides.executionSegment ?? (o.executionSegment as string | undefined);
  const sequence = overrides.executionSegmentSequence ?? (o.executionSegmentSequence as string | undefined);
  if (segment !== undefined && typeof segment !== "string") throw new Error("options.executionSegment must be a string like \"0:1/2\"");
  if (sequence !== undefined && typeof sequence !== "string") throw new Error("options.executionSegmentSequence must be a string like \"0,1/2,1\"");
  if (segment !== undefined && segment.trim() !== "" && segment.trim() !== "0:1") {
    const tuple = segmentTuple(segment, sequence);
    scenarios = scenarios.map((sc) => segmentScenario(sc, tuple));
  } else if (sequence !== undefined && segment === undefined) {
    throw new Error("executionSegmentSequence needs an executionSegment (this generator's part of it)");
  }
  return {
    scenarios,
    thresholds: o.thresholds,
    summaryTrendStats: (o.summaryTrendStats as string[]) ?? ["avg", "min", "med", "max", "p(90)", "p(95)"],
    discardResponseBodies: o.discardResponseBodies === true,
    // k6's defaults (its --batch / --batch-per-host flags)
    batch: typeof o.batch === "number" && o.batch >= 1 ? Math.floor(o.batch) : 20,
    batchPerHost: typeof o.batchPerHost === "number" && o.batchPerHost >= 0 ? Math.floor(o.batchPerHost) : 6,
    userAgent: typeof o.userAgent === "string" ? o.userAgent : DEFAULT_USER_AGENT,
    setupTimeoutMs: dur(o.setupTimeout, "setupTimeout", 60_000),
    teardownTimeoutMs: dur(o.teardownTimeout, "teardownTimeout", 60_000),
    tags: (o.tags as Record<string, string>) ?? {},
    insecureSkipTLSVerify: o.insecureSkipTLSVerify === true,
    raw: o,
  };
}

/** The end of a scenario's own schedule (without gracefulStop), relative to its start. */
export function scheduledDurationMs(s: ScenarioConfig): number {
  switch (s.executor) {
    case "constant-vus":
    case "constant-arrival-rate":
      return s.durationMs;
    case "ramping-vus":
    case "ramping-arrival-rate":
      return s.stages.reduce((a, st) => a + st.durationMs, 0);
    default:
      return s.maxDurationMs;
  }
}
