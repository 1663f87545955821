// Measures what the reference app's parts cost this machine, the figures machine-fit.ts holds:
// each process's resident memory (VmRSS) and, over an open load at the scenario's rate, its CPU
// time (the scheduler's own accounting, process-cpu.ts) per visit it serves: HAProxy and a Node
// replica per request, Redis per command, PostgreSQL per query, and the load generator (this
// process) per request. Run: node bin/run-ts.mjs reference-app/bench/footprint.ts [scenario] [seconds]
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseScenario } from "../../simulator/model/index.ts";
import { startAppPromise } from "../launcher.ts";
import { processCpu } from "../process-cpu.ts";
import { streamFor } from "../sampler.ts";
import { metricSum, processesMentioning } from "../testing.ts";

const file = process.argv[2] ?? "scenarios/cache-aside.yaml";
const seconds = Number(process.argv[3] ?? 20);
const parsed = parseScenario(readFileSync(file, "utf8"), file);
if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join("\n"));
const s = parsed.scenario;
const rate = s.load.model === "open" ? (s.load.rate ?? 0) : 0;
if (!(rate > 0)) throw new Error(`${file}: an open load with a rate is needed`);

/** The part a process of the run is, from its command line. */
function kindOf(cmd: string): string {
  if (/\bhaproxy\b/.test(cmd)) return "haproxy";
  if (/postgres(:|\s-D)|\/postgres\s/.test(cmd)) return "postgres";
  if (/redis-server/.test(cmd)) return "redis";
  if (/pgbouncer/.test(cmd)) return "pgbouncer";
  if (/nginx/.test(cmd)) return "nginx";
  if (/worker\/main/.test(cmd)) return "worker";
  if (/service\/main|\.json/.test(cmd)) return "service";
  return "other";
}
const rssMb = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

const { app, stop } = await startAppPromise(s, { file });
try {
  // postgres backends are children of the postmaster: their command lines do not name the run dir
  const pids = () => {
    const top = processesMentioning(app.runDir).map((l) => ({ pid: Number(l.split(":")[0]), cmd: l }));
    const kids: Array<{ pid: number; cmd: string }> = [];
    for (const p of top.filter((x) => kindOf(x.cmd) === "postgres")) {
      try {
        for (const c of readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) kids.push({ pid: Number(c), cmd: "postgres: child" });
      } catch { /* gone */ }
    }
    // redis-server retitles itself "redis-server 127.0.0.1:<port>": found by its port
    const redis = app.redisPort ? processesMentioning(`redis-server 127.0.0.1:${app.redisPort}`).map((l) => ({ pid: Number(l.split(":")[0]), cmd: l })) : [];
    return [...top.filter((x) => x.pid !== process.pid), ...kids, ...redis];
  };
  const cpuOf = (ps: Array<{ pid: number; cmd: string }>) => {
    const m = new Map<number, number>();
    for (const p of ps) { try { m.set(p.pid, processCpu(p.pid).runMs); } catch { /* gone */ } }
    return m;
  };
  const before = pids();
  const c0 = cpuOf(before), g0 = process.cpuUsage();
  const classes = Object.entries(s.load.classes);
  const total = classes.reduce((a, [, c]) => a + c.weight, 0);
  const rng = streamFor(1, "footprint");
  const t0 = performance.now();
  const inFlight: Array<Promise<number>> = [];
  for (let t = 0; ; ) {
    t += -Math.log(1 - rng.next()) / rate;
    if (t >= seconds) break;
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + t * 1000 - performance.now())));
    let u = rng.next() * total;
    const [name, cl] = classes.find(([, c]) => (u -= c.weight) < 0) ?? classes[0]!;
    const key = Math.floor(rng.next() * (cl.keys?.count ?? 1));
    const path = cl.http!.path.replace("{key}", String(key));
    const body = cl.http!.method === "POST" ? JSON.stringify({ product: key % 100, quantity: 1 }) : undefined;
    inFlight.push(fetch(`${app.classUrl[name]}${path}`, { method: cl.http!.method, body, headers: body ? { "content-type": "application/json" } : {} }).then(async (r) => (await r.arrayBuffer(), r.status), () => 0));
  }
  const statuses = await Promise.all(inFlight);
  const g1 = process.cpuUsage(g0);
  const after = pids();
  const c1 = cpuOf(after);
  const byKind = new Map<string, { n: number; cpuMs: number; rss: number[] }>();
  for (const p of after) {
    const k = kindOf(p.cmd);
    const e = byKind.get(k) ?? { n: 0, cpuMs: 0, rss: [] };
    e.n++;
    e.cpuMs += (c1.get(p.pid) ?? 0) - (c0.get(p.pid) ?? 0);
    try { e.rss.push(rssMb(p.pid)); } catch { /* gone */ }
    byKind.set(k, e);
  }
  const requests = statuses.length;
  const ok = statuses.filter((x) => x >= 200 && x < 300).length;
  const queries = await metricSum(app.metricsUrls, "headroom_db_queries_total");
  const cacheOps = await metricSum(app.metricsUrls, "headroom_call_seconds_count", { kind: "cache" });
  const per: Record<string, number> = { haproxy: requests, service: requests, redis: cacheOps, postgres: queries, pgbouncer: queries, nginx: requests, worker: requests };
  console.log(`${file}: ${requests} requests (${ok} 2xx) at ${rate}/s for ${seconds} s, ${queries} queries, ${cacheOps} cache commands; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  console.log(`load generator (this process): ${((g1.user + g1.system) / 1000 / requests).toFixed(3)} ms CPU per request`);
  for (const [k, e] of byKind) {
    const rss = e.rss.reduce((a, b) => a + b, 0);
    console.log(`${k.padEnd(9)} ${String(e.n).padStart(3)} processes, RSS ${rss.toFixed(0)} MB (${(rss / Math.max(1, e.n)).toFixed(1)} each), CPU ${e.cpuMs.toFixed(0)} ms = ${per[k] ? (e.cpuMs / per[k]!).toFixed(3) + " ms per visit" : "-"}`);
  }
} finally {
  await stop();
}
