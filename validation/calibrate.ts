// --calibrate: a short low-load probe on its own reference-app instance (never the level being
// predicted) that measures what the YAML does not state, and the scenario changes that feed it to
// the simulator. Requests are sent one at a time, so nothing queues and the excess over the model's
// near-zero-load latency is fixed per-hop cost:
//   - components.<lb>.overhead: median of GET /healthz through HAProxy (HAProxy + Node + loopback);
//   - components.<service>.network: per outgoing call (Redis, PostgreSQL), the median excess of the
//     classes over the model of the probe (one user, back to back, cold cache, uniform keys, with
//     the balancer overhead applied), divided by the cache and database calls per request it counts
//     and by 2 (one leg each way). With no outgoing calls the excess
//     (timer overshoot of the injected waits) is added to the balancer overhead instead.
import { join } from "node:path";
import { simulate, type Scenario } from "../simulator/index.ts";
import { startAppPromise } from "../reference-app/launcher.ts";
import type { CalibratedParameter } from "./report.ts";
import { MeasureError } from "./measure.ts";
import { LevelError } from "./levels.ts";

const PROBES = 120;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

async function timeRequest(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  await r.arrayBuffer();
  if (r.status >= 400) throw new Error(`${init.method ?? "GET"} ${url} answered ${r.status} during calibration`);
  return performance.now() - t0;
}

function find(s: Scenario): { lb?: string; service?: string } {
  const c = Object.entries(s.components);
  return { lb: c.find(([, x]) => x.kind === "load_balancer")?.[0], service: c.find(([, x]) => x.kind === "service")?.[0] };
}

/** Calibration probes through a balancer into a service pool; without both there is nothing to probe. */
export function calibratable(s: Scenario): boolean {
  const { lb, service } = find(s);
  return lb !== undefined && service !== undefined;
}

function names(s: Scenario): { lb: string; service: string } {
  const { lb, service } = find(s);
  if (!lb || !service) throw new LevelError(`scenario '${s.name}': calibration needs a load_balancer and a service`);
  return { lb, service };
}

export function applyCalibration(s: Scenario, params: readonly CalibratedParameter[]): Scenario {
  const components = { ...s.components } as Record<string, any>;
  for (const p of params) {
    const [, comp, field] = p.parameter.split(".");
    components[comp] = { ...components[comp], [field]: { dist: "constant", value: p.valueMs / 1000 } };
  }
  return { ...s, components } as Scenario;
}

/** One user, no think time, only this class, keys drawn uniformly: what the probe sends. */
export function probeScenario(s: Scenario, className: string): Scenario {
  const c = s.load.classes[className];
  const cls = { ...c, weight: 1, ...(c.keys ? { keys: { ...c.keys, popularity: "uniform" as const } } : {}) };
  return { ...s, load: { model: "closed", users: 1, start_users: 0, think: { dist: "constant", value: 0 }, classes: { [className]: cls } } } as unknown as Scenario;
}

export async function calibrate(o: { scenario: Scenario; file: string; outDir: string; log?: (s: string) => void }): Promise<CalibratedParameter[]> {
  const log = o.log ?? (() => {});
  const { lb, service } = names(o.scenario);
  const { app, stop } = await startAppPromise(o.scenario, { file: o.file }).catch((e: Error) => {
    throw new MeasureError(`${o.file}: the reference app for calibration did not start: ${e.message}`);
  });
  const measured: Record<string, number> = {};
  let healthz: number;
  try {
    const hz: number[] = [];
    for (let i = 0; i < PROBES; i++) hz.push(await timeRequest(`${app.url}/healthz`, {}));
    healthz = median(hz);
    for (const [name, c] of Object.entries(o.scenario.load.classes)) {
      if (!c.http) continue;
      const xs: number[] = [];
      const count = c.keys?.count ?? 1;
      for (let i = 0; i < PROBES; i++) {
        const key = String(Math.floor(Math.random() * count));
        const body = c.http.body === undefined ? undefined : (typeof c.http.body === "string" ? c.http.body : JSON.stringify(c.http.body)).replace(/\{key\}/g, key);
        xs.push(await timeRequest(app.classUrl[name] + c.http.path.replace(/\{key\}/g, key), { method: c.http.method, body, headers: body ? { "Content-Type": "application/json" } : {} }));
      }
      measured[name] = median(xs);
    }
  } finally {
    await stop();
  }
  // The model of the probe itself, with the balancer overhead applied: one user sending a class's
  // requests back to back from a cold start, keys uniform as the probe draws them. Comparing with
  // the model at load instead (a warm cache, Zipf keys) read the probe's extra cache misses as
  // per-call overhead: 3.4 ms per call on cache-aside with Zipf keys, latencies 25-37% too high.
  const lbParam: CalibratedParameter = { parameter: `components.${lb}.overhead`, valueMs: healthz, how: `median of ${PROBES} sequential GET /healthz through the balancer` };
  const withLb = applyCalibration(o.scenario, [lbParam]);
  const excess: number[] = [];
  let requests = 0;
  let calls = 0;
  for (const [name, ms] of Object.entries(measured)) {
    const sim = simulate(probeScenario(withLb, name), { duration: Math.max(1, (PROBES * ms) / 1000), warmup: 0, replications: 20 });
    excess.push(ms - sim.classes[name].latencyMs.p50.mean);
    requests += sim.classes[name].throughput.mean;
    for (const c of Object.values(sim.components)) if (c.kind === "cache" || c.kind === "database") calls += c.throughput.mean;
  }
  const perRequest = requests > 0 ? calls / requests : 0;
  const ex = Math.max(0, median(excess));
  log(`calibration: healthz ${healthz.toFixed(2)} ms, class p50 excess over model ${excess.map((x) => x.toFixed(2)).join(", ")} ms, ${perRequest.toFixed(2)} calls/request`);
  if (perRequest < 0.05) {
    return [{ ...lbParam, valueMs: healthz + ex, how: `${lbParam.how} (${healthz.toFixed(2)} ms) + median p50 excess of the classes over the model (${ex.toFixed(2)} ms; no outgoing calls)` }];
  }
  return [
    lbParam,
    // the model draws `network` on the way there and on the way back of each call
    { parameter: `components.${service}.network`, valueMs: ex / perRequest / 2, how: `median p50 excess of the classes over the model (${ex.toFixed(2)} ms) / ${perRequest.toFixed(2)} cache+database calls per request / 2 legs` },
  ];
}
