// Measures what the real stack adds to the service times the YAML injects: one request at a time
// through HAProxy (and straight to the replica), for an empty handler, a 5 ms sampled wait, a 5 ms
// pg_sleep read and a Redis hit. The excess over the injected time is what a comparison with the
// simulator must allow for. Run: node bin/run-ts.mjs reference-app/bench/overhead.ts [requests]
import { parseScenario } from "../../simulator/model/index.ts";
import { startAppPromise } from "../launcher.ts";
import { loadavg } from "node:os";
import { percentile } from "../../simulator/percentile.ts";

const N = Number(process.argv[2] ?? 300);
const YAML = `
version: 1
name: overhead
load:
  model: open
  rate: 10/s
  classes:
    noop: { http: { method: GET, path: /noop }, flow: [{ call: lb }] }
    wait5: { http: { method: GET, path: /wait5 }, flow: [{ call: lb }] }
    db5: { http: { method: GET, path: "/db5/{key}" }, keys: { count: 100 }, flow: [{ call: lb }] }
    cache_hit: { http: { method: GET, path: "/cached/{key}" }, keys: { count: 100 }, flow: [{ call: lb }] }
components:
  lb: { kind: load_balancer, backends: api, maxconn: 8 }
  api:
    kind: service
    replicas: 1
    concurrency: 8
    handlers:
      noop: []
      wait5: [{ service: 5ms }]
      db5: [{ call: db, op: read }]
      cache_hit: [{ call: cache, op: get, hit: [], miss: [{ call: db, op: read }, { call: cache, op: set }] }]
  cache: { kind: cache, capacity: 1k, value_size: 1KB }
  db: { kind: database, keys: 100, read: 5ms, write: 5ms, pool: { size: 4 } }
`;

const parsed = parseScenario(YAML, "overhead.yaml");
if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
const { app, stop } = await startAppPromise(parsed.scenario);


async function measure(url: (i: number) => string): Promise<{ p50: number; p90: number; p99: number }> {
  const lat: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const res = await fetch(url(i));
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url(i)}: ${res.status}`);
    lat.push(performance.now() - t);
  }
  const sorted = Float64Array.from(lat).sort();
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99) };
}

try {
  const lb = app.url;
  const direct = app.services[0]!.url;
  // Warm up: JIT, pools, and every cached key present.
  for (let i = 0; i < 100; i++) await (await fetch(`${lb}/cached/${i}`)).arrayBuffer();
  const rows: Array<[string, number, Awaited<ReturnType<typeof measure>>]> = [
    ["noop via haproxy", 0, await measure(() => `${lb}/noop`)],
    ["noop direct", 0, await measure(() => `${direct}/noop`)],
    ["wait 5ms via haproxy", 5, await measure(() => `${lb}/wait5`)],
    ["pg_sleep 5ms read via haproxy", 5, await measure((i) => `${lb}/db5/${i % 100}`)],
    ["redis hit via haproxy", 0, await measure((i) => `${lb}/cached/${i % 100}`)],
  ];
  console.log(`reference-app overhead, ${N} sequential requests each, load average ${loadavg()[0]!.toFixed(1)} on this machine`);
  console.log("case                             injected   p50     p90     p99    (ms)  p50 excess");
  for (const [name, injected, r] of rows) {
    console.log(`${name.padEnd(32)} ${String(injected).padStart(8)} ${r.p50.toFixed(2).padStart(7)} ${r.p90.toFixed(2).padStart(7)} ${r.p99.toFixed(2).padStart(7)}        ${(r.p50 - injected).toFixed(2).padStart(6)}`);
  }
} finally {
  await stop();
}
