// Turns a scenario's load and SLO into what the generic k6 script needs: k6 `options` (scenarios and
// thresholds) and the request mix. Executors: an open load with deterministic arrivals uses k6's
// arrival-rate executors; Poisson arrivals (which k6's executors cannot produce: they space
// iterations evenly) use a ramping-arrival-rate whose stages are one seeded Poisson realization
// (k6/scripts/lib/poisson.ts), so the load stays open, drops are dropped_iterations, and the arrivals
// are exactly Poisson on stock k6 and the built-in runner; a closed load uses constant-vus or
// ramping-vus with think time. Pure code.
import { originShares, type Dist, type Scenario } from "../simulator/model/index.ts";
import { poissonArrivals, TAIL_S, TIME_UNIT } from "./scripts/lib/poisson.ts";
import { clipKnots, knotsFor, peakOf, type Knot } from "./scripts/lib/profile.ts";

export interface PlanClass {
  name: string;
  weight: number;
  method: string;
  path: string;
  body?: unknown;
  keys?: { count: number; popularity: "zipf" | "uniform"; s: number };
  /**
   * The entry balancer terminates TLS (its `tls`): each request asks for `Connection: close` with this
   * probability, 1 / requests_per_connection, so the VU's next request opens a new connection with
   * it, as the model opens one per request (keep-alive otherwise).
   */
  closeConnection?: number;
  /** The class's request_size (bytes): each request's body is padded to a size drawn from it (scripts/lib/pad-body.ts). */
  requestSize?: Dist;
  /** pagination: the pages one request walks, each the previous answer's `Link: <...>; rel="next"` (absent: 1). */
  pages?: number;  /**
   * The class's flow starts at a CDN (`{ call: <cdn> }`): with regions its requests go to their users'
   * region's server of the edge (`CDN_TARGET_<i>`, the app's RunningApp.regions.cdnUrls), else to
   * that region's entry as the other classes.
   */
  cdn?: true;
  /** The class has keys but its path has no {key}: the drawn key goes in the X-Headroom-Key header (the reference app reads it there). */
  keyHeader?: true;
}

/** Trend of a paginated class's whole walk (ms), tagged `name`: the model's latency of the request. */
export const WALK_METRIC = "headroom_walk_duration";

export interface ScriptConfig {
  scenario: string;
  mode: "arrival-rate" | "poisson" | "closed";
  knots?: Knot[];
  /**
   * Poisson mode: the realization's seed, its end (s; the stages run TAIL_S longer, at rate 0) and its number of arrivals. The script draws the
   * arrivals from the seed in VU 0's init context and writes them into options.scenarios[scenario].stages
   * (the plan holds one placeholder stage of the same length, so the bundle stays small).
   */
  poisson?: { seed: number; endS: number; arrivals: number };
  think?: Dist;
  classes: PlanClass[];
  /**
   * With the scenario's `regions:` and `load.regions`: where the users are, as the model reads it
   * (originShares: shares summing to 1, in the YAML's order). Each request's region is drawn by
   * share and the request goes to `TARGET_<i>` (i its index here; TARGET when unset) tagged
   * `region: <name>`, so each region's users enter through their own entry (the app's geo routers).
   */
  regions?: Array<{ name: string; share: number }>;
  options: Record<string, unknown>;
  notes: string[];
}

export interface PlanOptions {
  /** Test length in seconds (default: the end of the stages, else simulation.duration, else 60 s). */
  durationS?: number;
  /** VUs for arrival-rate executors: preAllocated and max (default from the peak rate). */
  preAllocatedVUs?: number;
  maxVUs?: number;
  /** Seed of the Poisson realization (default: the scenario's seed). */
  seed?: number;
  /** Use k6's arrival-rate executors (evenly spaced arrivals) even for Poisson arrivals. */
  forceArrivalRate?: boolean;
}

/**
 * Rate metric that scripts of earlier versions (Poisson pacing on constant VUs) recorded per arrival: 1
 * when it started late because its VU was busy. The open Poisson script starts no arrival late, so it
 * records none; ingestion still reads it from old results.
 */
export const LATE_ARRIVAL_METRIC = "headroom_arrival_late";

export class PlanError extends Error {
  override readonly name = "PlanError";
}

const fmtS = (s: number) => `${+s.toFixed(3)}s`;
const ms = (s: number) => +(s * 1000).toFixed(3);

function stagesEnd(load: Scenario["load"]): number | undefined {
  if (!load.stages) return undefined;
  return load.stages.reduce((a, s) => a + s.duration, 0);
}

/** The test length the plan uses (s): --duration, else the end of the stages, else simulation.duration, else 60 s. */
export function loadDurationS(scenario: Scenario, po: PlanOptions = {}): number {
  return po.durationS ?? (scenario.load ? stagesEnd(scenario.load) : undefined) ?? scenario.simulation?.duration ?? 60;
}

export function planFromScenario(scenario: Scenario, po: PlanOptions = {}): ScriptConfig {
  const load = scenario.load;
  if (!load) throw new PlanError(`scenario '${scenario.name}' has no load section; k6 needs one to know what traffic to send`);
  const notes: string[] = [];
  const durationS = loadDurationS(scenario, po);
  const classes: PlanClass[] = [];
  const tlsEntries = new Set<string>();
  for (const [name, c] of Object.entries(load.classes)) {
    if (!c.http) {
      throw new PlanError(`load.classes.${name} has no http section ({ method, path }); k6 cannot send it`);
    }
    classes.push({
      name,
      weight: c.weight,
      method: c.http.method,
      path: c.http.path,
      body: c.http.body,
      keys: c.keys ? { count: c.keys.count, popularity: c.keys.popularity, s: c.keys.s ?? 1 } : undefined,
      ...(c.request_size ? { requestSize: c.request_size } : {}),
      ...(c.pagination && c.pagination.pages > 1 ? { pages: c.pagination.pages } : {}),
    });
    if (c.pagination && c.pagination.pages > 1) {
      notes.push(
        `class ${name}: a request walks ${c.pagination.pages} pages (each the previous answer's Link rel="next", tagged page: "1".."${c.pagination.pages}"): http_reqs and http_req_duration{name:${name}} count pages, ` +
          `the walk's time (the model's latency of the request, and the SLO's threshold) is ${WALK_METRIC}{name:${name}}, its count the model's requests`,
      );
    }
    const first = c.flow[0];
    const entry = first && "call" in first ? scenario.components[first.call] : undefined;
    if (entry?.kind === "cdn") classes[classes.length - 1]!.cdn = true;
    if (c.keys && !c.http.path.includes("{key}")) classes[classes.length - 1]!.keyHeader = true;
    if (entry?.kind === "load_balancer" && entry.tls) {
      classes[classes.length - 1]!.closeConnection = 1 / entry.tls.requests_per_connection;
      tlsEntries.add(first && "call" in first ? first.call : "");
    }
    if (c.http.path.includes("{key}") && !c.keys) notes.push(`class ${name}: path has {key} but no keys section; key 0 is used`);
    if (c.browser_cache) {
      notes.push(
        `class ${name}: browser_cache (max-age ${c.browser_cache.max_age}s${c.browser_cache.etag ? ", ETag" : ""}) is not played: k6 keeps no HTTP cache, so every iteration reaches the origin ` +
          "(the simulator serves fresh responses from each user's browser and revalidates stale ones; compare the origin's load with the no-cache model, docs/k6.md)",
      );
    }
  }
  for (const lb of tlsEntries) {
    const t = (scenario.components[lb] as { tls: { resumption: number; requests_per_connection: number } }).tls;
    notes.push(
      `${lb} terminates TLS: send to its https:// URL and trust the run's CA only (k6: SSL_CERT_FILE=<the run's ca.crt> SSL_CERT_DIR=<its dir, which holds only it>; ` +
        `never insecureSkipTLSVerify); each request asks for Connection: close with probability ${+(1 / t.requests_per_connection).toFixed(4)} (1 / requests_per_connection)` +
        (t.resumption > 0 ? `; k6 resumes no TLS session (its tls.Config has no session cache), so every new connection is a full handshake, not the model's ${+(t.resumption * 100).toFixed(1)}% resumed` : ""),
    );
  }
  const thresholds: Record<string, string[]> = {};
  const lat = scenario.slo?.latency;
  if (lat) {
    const list: string[] = [];
    const pairs: Array<[string, number | undefined]> = [
      ["p(50)", lat.p50],
      ["p(90)", lat.p90],
      ["p(95)", lat.p95],
      ["p(99)", lat.p99],
      ["p(99.9)", lat.p999],
      ["avg", lat.mean],
    ];
    for (const [agg, v] of pairs) if (v !== undefined) list.push(`${agg}<${ms(v)}`);
    // the SLO holds for every class's end-to-end latency: one submetric per class (a paginated
    // class's is its walk of pages)
    for (const c of classes) thresholds[`${c.pages ? WALK_METRIC : "http_req_duration"}{name:${c.name}}`] = list;
  }
  if (scenario.slo?.error_rate !== undefined) thresholds.http_req_failed = [`rate<${scenario.slo.error_rate}`];

  // keyed by the scenario's free-text name: without a prototype, `__proto__` is a key like any other
  const scenarios = Object.create(null) as Record<string, Record<string, unknown>>;
  let cfg: Partial<ScriptConfig> | undefined;
  if (load.model === "open") {
    // a --duration shorter than the stages cuts them (a longer one does not extend them)
    const knots = po.durationS !== undefined ? clipKnots(knotsFor(load, durationS), durationS) : knotsFor(load, durationS);
    const peak = peakOf(knots);
    if (peak <= 0) throw new PlanError(`load: the arrival rate is 0 throughout; nothing to send`);
    const poisson = load.arrivals === "poisson" && !po.forceArrivalRate;
    if (load.arrivals === "poisson" && !poisson) notes.push("Poisson arrivals run as evenly spaced arrivals (k6 arrival-rate executors), as requested");
    // enough VUs for 200 ms responses at the peak: k6 drops the arrival that finds no VU while it
    // initializes another one, so too few pre-allocated VUs cost arrivals whenever latency rises
    const pre = po.preAllocatedVUs ?? Math.min(1000, Math.max(5, Math.ceil(peak * 0.2) + 5));
    const max = Math.max(pre, po.maxVUs ?? Math.min(5000, Math.max(20, Math.ceil(peak) + 10)));
    // k6 rates are integers per timeUnit: fractional rates are scaled to a longer timeUnit
    const integral = knots.every(([, r]) => Math.abs(r - Math.round(r)) < 1e-9);
    const scale = integral ? 1 : 1000;
    const timeUnit = integral ? "1s" : "1000s";
    if (poisson) {
      // one seeded Poisson realization as stages; the plan holds a placeholder stage of the same
      // length (the test's, plus the tail of TAIL_S) that the script replaces (see ScriptConfig.poisson)
      const seed = po.seed ?? scenario.seed ?? 1;
      const arrivals = poissonArrivals(knots, seed).length;
      scenarios[scenario.name] = {
        executor: "ramping-arrival-rate", startRate: 0, timeUnit: TIME_UNIT, stages: [{ duration: fmtS(durationS + TAIL_S), target: 0 }],
        preAllocatedVUs: pre, maxVUs: max, gracefulStop: "10s",
      };
      cfg = { mode: "poisson", knots, poisson: { seed, endS: durationS, arrivals } };
      notes.push(`Poisson arrivals: ${arrivals} arrivals of one realization (seed ${seed}) as ramping-arrival-rate stages; an arrival that finds no free VU is a dropped_iterations`);
      // stock k6 reads options through several JSON round trips: measured with k6 v0.48, ~95 us and
      // ~1.6 KB per stage (120,000 stages: +11 s to start, +200 MB), so very long tests are slow to start
      if (arrivals > 50_000) {
        notes.push(`${2 * arrivals + 2} stages: stock k6 takes about 1 s and 16 MB per 10,000 stages to read them before the test starts; --arrival-rate (evenly spaced) or a shorter --duration avoids it`);
      }
    } else if (load.rate !== undefined) {
      scenarios[scenario.name] = {
        executor: "constant-arrival-rate", rate: Math.round(load.rate * scale), timeUnit, duration: fmtS(durationS),
        preAllocatedVUs: pre, maxVUs: max, gracefulStop: "10s",
      };
    } else {
      const stages = [];
      for (let i = 1; i < knots.length; i++) stages.push({ duration: fmtS(knots[i][0] - knots[i - 1][0]), target: Math.round(knots[i][1] * scale) });
      scenarios[scenario.name] = {
        executor: "ramping-arrival-rate", startRate: Math.round(knots[0][1] * scale), timeUnit, stages,
        preAllocatedVUs: pre, maxVUs: max, gracefulStop: "10s",
      };
      if (load.stages?.some((s) => s.shape === "sine")) notes.push("sine stages are approximated by 48 linear stages per period");
    }
    cfg = poisson ? cfg! : { mode: "arrival-rate", knots };
  } else {
    if (load.users !== undefined) {
      scenarios[scenario.name] = { executor: "constant-vus", vus: load.users, duration: fmtS(durationS), gracefulStop: "10s" };
    } else {
      const stages: Array<{ duration: string; target: number }> = [];
      let level = load.start_users;
      let t = 0;
      for (const st of load.stages ?? []) {
        if (po.durationS !== undefined && t >= po.durationS) break;
        // a --duration shorter than the stages cuts the last one, its target interpolated
        const cut = po.durationS !== undefined && t + st.duration > po.durationS ? po.durationS - t : st.duration;
        const target = st.shape === "step" || cut === st.duration ? st.target : Math.round(level + ((st.target - level) * cut) / st.duration);
        if (st.shape === "step" && st.target !== level) stages.push({ duration: "0s", target: st.target });
        stages.push({ duration: fmtS(cut), target });
        level = target;
        t += cut;
      }
      // a user that leaves finishes its request first, like the scenario format's ramp-down
      scenarios[scenario.name] = { executor: "ramping-vus", startVUs: load.start_users, stages, gracefulRampDown: "30s", gracefulStop: "10s" };
    }
    cfg = { mode: "closed", think: load.think as Dist };
  }
  const origins = originShares(scenario).flatMap((o) => (o.region === undefined ? [] : [{ name: o.region, share: o.share }]));
  return {
    scenario: scenario.name,
    classes,
    ...(origins.length ? { regions: origins } : {}),
    notes,
    ...cfg,
    mode: cfg!.mode!,
    options: { scenarios, thresholds, summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"] },
  };
}
