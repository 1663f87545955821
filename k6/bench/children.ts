// Child processes of the load benchmark, one role each, so every process's CPU time is its own:
//   server           a minimal keep-alive Node HTTP server; prints its URL, reports its CPU on SIGTERM;
//                    on the IPC message "record" it notes each request's arrival time (epoch ms) and
//                    sends them on "times" (the open-model acceptance test counts arrivals in a window)
//   autocannon URL C D    autocannon with C connections for D seconds
//   runner URL C D        the built-in k6 runner: C VUs (constant-vus) running a k6 script for D seconds
//   undici URL C D        a bare undici Pool with C connections and C request loops (no k6 semantics)
// Each load role first warms up for 2 s (JIT, connections), then prints one JSON line for the
// measured run: { requests, seconds, cpuMs } (the runner: after its init, over its test-run duration).
import { createServer } from "node:http";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [role, url, connStr, durStr] = process.argv.slice(2);
const conns = Number(connStr);
const seconds = Number(durStr);
const WARMUP_S = 2;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function server(): Promise<void> {
  const body = Buffer.from("ok");
  let requests = 0;
  let times: number[] | null = null;
  const srv = createServer((_req, res) => {
    requests++;
    if (times) times.push(performance.timeOrigin + performance.now());
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": body.length });
    res.end(body);
  });
  srv.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const addr = srv.address() as { port: number };
  process.stdout.write(`http://127.0.0.1:${addr.port}\n`);
  let mark = { cpu: cpuMs(), requests: 0 };
  process.on("message", (m) => {
    // the parent asks for the CPU spent since the previous mark, per generator run
    if (m === "record") {
      times = [];
      process.send!({ recording: true });
    } else if (m === "times") {
      process.send!({ times: times ?? [] });
      times = null;
    }
    if (m === "mark") {
      const now = { cpu: cpuMs(), requests };
      process.send!({ cpuMs: now.cpu - mark.cpu, requests: now.requests - mark.requests });
      mark = now;
    }
  });
  process.on("SIGTERM", () => {
    srv.closeAllConnections();
    srv.close(() => process.exit(0));
  });
}

async function autocannonRun(): Promise<void> {
  const { default: autocannon } = await import("autocannon");
  await autocannon({ url, connections: conns, duration: WARMUP_S, pipelining: 1 });
  const c0 = cpuMs();
  const t0 = performance.now();
  const result = await autocannon({ url, connections: conns, duration: seconds, pipelining: 1 });
  const elapsed = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ requests: result.requests.total, seconds: elapsed, cpuMs: cpuMs() - c0, errors: result.errors + result.non2xx }) + "\n");
}

async function runnerRun(): Promise<void> {
  const { Engine } = await import("../runner/engine.ts");
  const dir = await mkdtemp(join(tmpdir(), "k6bench-"));
  try {
    const script = join(dir, "bench.js");
    // k6 script code per iteration: a request, a check, a custom metric sample
    const write = (d: number) =>
      writeFile(
        script,
        `import http from "k6/http"; import { check } from "k6"; import { Counter } from "k6/metrics";
const ok = new Counter("bench_ok");
export const options = { scenarios: { bench: { executor: "constant-vus", vus: ${conns}, duration: "${d}s", gracefulStop: "5s" } } };
export default function () { const r = http.get(__ENV.URL); if (check(r, { "200": (x) => x.status === 200 })) ok.add(1); }`,
      );
    await write(WARMUP_S);
    const warm = new Engine({ script, env: { URL: url } });
    await warm.init();
    await warm.run();
    await write(seconds);
    const engine = new Engine({ script, env: { URL: url } });
    await engine.init(); // bundling and the init context are not load generation
    const c0 = cpuMs();
    const r = await engine.run();
    const elapsed = r.summary.state.testRunDurationMs / 1000;
    const m = r.summary.metrics;
    process.stdout.write(
      JSON.stringify({ requests: m.http_reqs.values.count, seconds: elapsed, cpuMs: cpuMs() - c0, errors: m.http_req_failed.values.passes, iterations: m.iterations.values.count }) + "\n",
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function undiciRun(): Promise<void> {
  const { Pool } = await import("undici");
  const pool = new Pool(url, { connections: conns, pipelining: 1 });
  let requests = 0;
  const loop = async (s: number) => {
    const end = performance.now() + s * 1000;
    await Promise.all(
      Array.from({ length: conns }, async () => {
        while (performance.now() < end) {
          const r = await pool.request({ path: "/", method: "GET" });
          await r.body.text();
          requests++;
        }
      }),
    );
  };
  await loop(WARMUP_S);
  requests = 0;
  const c0 = cpuMs();
  const t0 = performance.now();
  await loop(seconds);
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  process.stdout.write(JSON.stringify({ requests, seconds: elapsed, cpuMs: cpuMs() - c0, errors: 0 }) + "\n");
}

const roles: Record<string, () => Promise<void>> = { server, autocannon: autocannonRun, runner: runnerRun, undici: undiciRun };
const fn = roles[role];
if (!fn) {
  process.stderr.write(`unknown role '${role}'\n`);
  process.exit(2);
}
await fn();
