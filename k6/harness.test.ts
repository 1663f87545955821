// The harness end to end through the CLI: k6 export produces a script that runs standalone, load
// picks the engine (a stand-in k6 via K6_BIN, else the built-in runner) and says which, bad input
// gets clear messages, and the k6-operator manifests carry the right fields.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { overrideEnv } from "./testing/env.ts";
import { startTestServer, type TestServer } from "./testing/server.ts";
import { readK6Results } from "./ingest/ingest.ts";
import { runK6Script } from "./runner/engine.ts";
import { main } from "../cli/main.ts";

const CLI = resolve(import.meta.dirname, "../bin/headroom.mjs");
let srv: TestServer;
let dir: string;

/** The CLI in-process (its startup is seconds on a loaded machine): output captured, env overridden. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const restoreEnv = overrideEnv({ PATH: "/usr/bin:/bin", K6_BIN: "", ...env });
  let stdout = "";
  let stderr = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
    restoreEnv();
  }
}

/** The real CLI as a child process, for exit codes and stdio as a user sees them. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PATH: "/usr/bin:/bin", K6_BIN: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => res({ code: code ?? -1, stdout, stderr }));
  });
}

/** A loopback server with one worker: requests queue and each holds it for `serviceMs` (capacity 1000 / serviceMs per second). */
async function startSerialServer(serviceMs: number): Promise<{ url: string; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const queue: ServerResponse[] = [];
  let busy = false;
  const next = () => {
    const res = queue.shift();
    if (!res) return void (busy = false);
    busy = true;
    setTimeout(() => {
      res.end("{}");
      next();
    }, serviceMs);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    arrivals.push(performance.now());
    req.resume();
    req.on("end", () => {
      queue.push(res);
      if (!busy) next();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const SHOP = (load: string) => `version: 1
name: shop_test
load:
${load}
  classes:
    get_product: { weight: 3, http: { method: GET, path: "/products/{key}" }, keys: { count: 50, popularity: zipf, s: 1.0 }, flow: [api] }
    create_order: { weight: 1, http: { method: POST, path: /orders, body: { sku: "{key}" } }, flow: [api] }
components:
  api: { kind: station, servers: 4, service: 10ms }
slo:
  latency: { p95: 2s }
  error_rate: 1%
`;

beforeAll(async () => {
  srv = await startTestServer({ latencyMs: 2 });
  dir = await mkdtemp(join(tmpdir(), "k6harness-"));
  await writeFile(join(dir, "det.yaml"), SHOP("  model: open\n  arrivals: deterministic\n  rate: 50/s"));
  await writeFile(join(dir, "poisson.yaml"), SHOP("  model: open\n  rate: 100/s"));
});
afterAll(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

describe("headroom k6 export", () => {
  it("writes a standalone ESM script with k6 imports that runs the scenario's mix and keys", async () => {
    const r = await runCli(["k6", "export", join(dir, "det.yaml"), "--out", join(dir, "export"), "--duration", "2s"]);
    expect(r.code).toBe(0);
    const file = join(dir, "export", "shop-test.k6.js");
    expect(r.stdout).toContain(file);
    const code = await readFile(file, "utf8");
    expect(code).toMatch(/^\/\/ k6 script for scenario 'shop_test'/);
    expect(code).toContain('import http from "k6/http";');
    expect(code).not.toMatch(/from "headroom:config"|from "\.\//);
    srv.paths.clear();
    const res = await runK6Script({ script: file, env: { TARGET: srv.url } });
    expect(res.exitCode).toBe(0);
    // 50/s for 2 s, evenly spaced: exactly 100 starts (run or, on a starved machine, dropped),
    // 3:1 between the classes (binomial +/- 4 sigma)
    const n = res.summary.metrics.http_reqs.values.count;
    expect(n + (res.summary.metrics.dropped_iterations?.values.count ?? 0)).toBe(100);
    expect(n).toBeGreaterThanOrEqual(50);
    const posts = srv.paths.get("POST /orders") ?? 0;
    expect(Math.abs(posts - n / 4)).toBeLessThanOrEqual(4 * Math.sqrt(n * 0.25 * 0.75));
    // Zipf s=1 over 50 keys: key 0 takes 1/H(50) = 22.2% of GETs, keys 0-4 50.8% (binomial +/- 4
    // sigma over ~75 GETs; uniform keys would give 2% and 10%). The draws are unseeded (Math.random,
    // as in k6), so "key 0 is the top key" would fail a few runs in a hundred: the shares do not.
    const gets = [...srv.paths.entries()].filter(([k]) => k.startsWith("GET /products/"));
    const nGets = gets.reduce((a, [, c]) => a + c, 0);
    const h50 = Array.from({ length: 50 }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
    const within = (count: number, p: number) => Math.abs(count / nGets - p) <= 4 * Math.sqrt((p * (1 - p)) / nGets);
    expect(within(srv.paths.get("GET /products/0") ?? 0, 1 / h50)).toBe(true);
    const top5 = [0, 1, 2, 3, 4].reduce((a, k) => a + (srv.paths.get(`GET /products/${k}`) ?? 0), 0);
    expect(within(top5, (1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5) / h50)).toBe(true);
    expect(res.summary.metrics["http_req_duration{name:get_product}"].thresholds).toEqual({ "p(95)<2000": { ok: true } });
  });
});

describe("headroom load", () => {
  it("without k6 runs the built-in runner, says so, and writes k6's NDJSON and summary (Poisson rate 100/s +/- 4 sigma)", async () => {
    const out = join(dir, "load1");
    const r = await cli(["load", join(dir, "poisson.yaml"), "--target", srv.url, "--duration", "3s", "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("engine: built-in runner");
    expect(r.stdout).toContain("engine: built-in");
    const nd = await readK6Results(join(out, "k6.ndjson"));
    const sum = await readK6Results(join(out, "summary.json"));
    expect(nd.format).toBe("ndjson");
    expect(sum.format).toBe("summary-export");
    const n = nd.metrics.http_reqs.values.count;
    expect(sum.metrics.http_reqs.values.count).toBe(n);
    // a Poisson count over 3 s at 100/s: mean 300, sd sqrt(300)
    expect(Math.abs(n - 300)).toBeLessThanOrEqual(4 * Math.sqrt(300));
    expect(Object.keys(nd.classes!).sort()).toEqual(["create_order", "get_product"]);
    expect(sum.thresholds).toContainEqual({ metric: "http_req_failed", threshold: "rate<0.01", ok: true });
    // every scheduled arrival of the realization was started or dropped, and the line says so
    const plan = JSON.parse(await readFile(join(out, "plan.json"), "utf8"));
    const dropped = sum.metrics.dropped_iterations?.values.count ?? 0;
    expect(n + dropped).toBe(plan.poisson.arrivals);
    expect(r.stdout).toContain(`arrivals: ${n} started + ${dropped} dropped of ${plan.poisson.arrivals} scheduled`);
    expect(r.stdout).toContain(`results: ${join(out, "k6.ndjson")}, ${join(out, "summary.json")}`);
  });

  it("stays open at 2x overload: started + dropped_iterations = the realization's arrivals, every started one sent", async () => {
    // one worker of 10 ms (100/s) offered Poisson 200/s for 4 s: the VU pool (45, up to 210) fills up
    // and the rest of the arrivals are dropped, never delayed. (The gaps' law is tested on the
    // schedule itself in k6/scripts/lib/poisson.test.ts: measured at a target sharing a starved
    // machine, event-loop stalls of ~100 ms bunch arrivals whatever the generator does.)
    const slow = await startSerialServer(10);
    try {
      await writeFile(join(dir, "p200.yaml"), SHOP("  model: open\n  rate: 200/s"));
      const out = join(dir, "overload");
      const r = await runCli(["load", join(dir, "p200.yaml"), "--target", slow.url, "--duration", "4s", "--out", out]);
      // 0, or 99 when the queue's 2 s wait crosses the SLO (p95 < 2 s)
      expect([0, 99]).toContain(r.code);
      const plan = JSON.parse(await readFile(join(out, "plan.json"), "utf8"));
      const sum = await readK6Results(join(out, "summary.json"));
      const started = sum.metrics.iterations.values.count;
      const dropped = sum.metrics.dropped_iterations.values.count;
      expect(started + dropped).toBe(plan.poisson.arrivals);
      // each started iteration sent its request (the 210 queued drain in 2.1 s, within gracefulStop)
      expect(sum.metrics.http_reqs.values.count).toBe(started);
      expect(slow.arrivals.length).toBe(started);
      // offered ~800, served <= ~(4 + 2.1) s x 100/s + the pool: a fifth or more are dropped
      expect(dropped / plan.poisson.arrivals).toBeGreaterThan(0.2);
      expect(r.stdout).toMatch(new RegExp(`arrivals: ${started} started \\+ ${dropped} dropped of ${plan.poisson.arrivals} scheduled \\(\\d+\\.\\d\\d% dropped: no free VU\\)`));
    } finally {
      await slow.close();
    }
  });

  it("uses K6_BIN when set, passing --out json, --summary-export and the target", async () => {
    const fake = join(dir, "fake-k6");
    await writeFile(fake, `#!/bin/sh\necho "$@" > "${dir}/k6-args.txt"\nexit 99\n`);
    await chmod(fake, 0o755);
    const out = join(dir, "load-k6");
    const r = await runCli(["load", join(dir, "det.yaml"), "--target", srv.url, "--out", out], { K6_BIN: fake });
    expect(r.code).toBe(99);
    expect(r.stderr).toContain(`engine: k6 (${fake})`);
    const args = (await readFile(join(dir, "k6-args.txt"), "utf8")).trim();
    expect(args).toBe(`run --quiet --out json=${out}/k6.ndjson --summary-export=${out}/summary.json -e TARGET=${srv.url} ${out}/script.js`);
    // it wrote no result file: none is listed
    expect(r.stdout).toContain("results: none written");
    // a path prefix in --target is kept (the classes' paths are appended to it), a trailing slash dropped
    await runCli(["load", join(dir, "det.yaml"), "--target", `${srv.url}/api/v1/`, "--out", out], { K6_BIN: fake });
    expect(await readFile(join(dir, "k6-args.txt"), "utf8")).toContain(` -e TARGET=${srv.url}/api/v1 `);
  });

  it("says clearly when k6 fails: its exit code, what it means and its last stderr lines; lists no file it did not write", async () => {
    const fake = join(dir, "failing-k6");
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join("\\n");
    await writeFile(fake, `#!/bin/sh\nprintf '${lines}\\nERRO[0000] SyntaxError: file:///x/script.js: Unexpected token (12:4)\\n' >&2\nexit 107\n`);
    await chmod(fake, 0o755);
    const out = join(dir, "load-k6-fail");
    const r = await runCli(["load", join(dir, "det.yaml"), "--target", srv.url, "--out", out], { K6_BIN: fake });
    expect(r.code).toBe(107);
    expect(r.stderr).toContain("k6 exited with code 107 (script exception (a syntax error or an error thrown in init, setup or teardown)); its last stderr lines:");
    expect(r.stderr).toContain("  ERRO[0000] SyntaxError: file:///x/script.js: Unexpected token (12:4)");
    // the last 8 lines: line 6 .. line 12 and the error, not line 5
    expect(r.stderr).toContain("  line 6\n");
    expect(r.stderr).not.toContain("  line 5\n");
    expect(r.stdout).toContain("results: none written");
    expect(r.stdout).not.toContain("arrivals:");
  });

  it("lists every exit code k6 can return in --help", async () => {
    const { K6_EXIT_CODES } = await import("./harness.ts");
    const r = await runCli(["load", "--help"]);
    expect(r.code).toBe(0);
    for (const code of [0, 1, 2, ...Object.keys(K6_EXIT_CODES).map(Number)]) expect(r.stdout).toMatch(new RegExp(`^ *${code} |\\s${code}  `, "m"));
  });

  it("refuses a non-http target, a refused connection and a scenario without a load section, clearly", async () => {
    const bad = await runCli(["load", join(dir, "det.yaml"), "--target", "ftp://127.0.0.1:21"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/only http:\/\/ and https:\/\/ targets are supported, got ftp:/);
    const closed = await startTestServer();
    await closed.close();
    const refused = await runCli(["load", join(dir, "det.yaml"), "--target", closed.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`target ${closed.url.replace(/[.:/]/g, "\\$&")} refused the connection \\(ECONNREFUSED\\)`));
    await writeFile(join(dir, "noload.yaml"), "version: 1\nname: x\ncomponents:\n  api: { kind: station, service: 10ms }\n");
    const noload = await runCli(["load", join(dir, "noload.yaml"), "--target", srv.url]);
    expect(noload.code).toBe(2);
    expect(noload.stderr).toMatch(/noload\.yaml.*load/);
    expect(noload.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe("headroom k6 run", () => {
  it("runs a TypeScript k6 script with -e, --out json= and --summary-export, printing k6's summary", async () => {
    const script = join(dir, "typed.ts");
    await writeFile(
      script,
      `import http from "k6/http";
import { check } from "k6";
interface Cfg { base: string; n: number }
const cfg: Cfg = { base: __ENV.BASE, n: Number(__ENV.N) };
export const options = { vus: 1, iterations: cfg.n };
export default function (): void {
  const res = http.get(\`\${cfg.base}/ok\`);
  check(res, { "ok": (r) => r.status === 200 });
}
`,
    );
    const r = await runCli(["k6", "run", script, "-e", `BASE=${srv.url}`, "-e", "N=3", "--out", `json=${join(dir, "typed.ndjson")}`, "--summary-export", join(dir, "typed.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/http_reqs \.+: 3 /);
    expect((await readK6Results(join(dir, "typed.ndjson"))).metrics.http_reqs.values.count).toBe(3);
    expect((await readK6Results(join(dir, "typed.json"))).checks).toEqual([{ path: "::ok", name: "ok", passes: 3, fails: 0 }]);
    const bad = await runCli(["k6", "run", script, "--out", "influxdb=http://x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/only --out json=FILE is supported/);
  });
});

describe("headroom k6 operator", () => {
  it("writes a ConfigMap with the script and a TestRun with parallelism, script reference and TARGET", async () => {
    const r = await runCli(["k6", "operator", join(dir, "det.yaml"), "--parallelism", "4", "--target", "http://shop.default.svc:8080", "--out", join(dir, "op"), "--namespace", "load"]);
    expect(r.code).toBe(0);
    const text = await readFile(join(dir, "op", "shop-test.k6-operator.yaml"), "utf8");
    const [cm, tr] = parseAllDocuments(text).map((d) => d.toJS());
    expect(cm).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "shop-test-script", namespace: "load" } });
    expect(cm.data["script.js"]).toContain('import http from "k6/http";');
    expect(tr).toMatchObject({
      apiVersion: "k6.io/v1alpha1",
      kind: "TestRun",
      metadata: { name: "shop-test", namespace: "load" },
      spec: {
        parallelism: 4,
        script: { configMap: { name: "shop-test-script", file: "script.js" } },
        separate: false,
        runner: { image: "grafana/k6:latest", env: [{ name: "TARGET", value: "http://shop.default.svc:8080" }] },
      },
    });
    const bad = await runCli(["k6", "operator", join(dir, "det.yaml"), "--parallelism", "0", "--target", "http://x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--parallelism expects a whole number >= 1/);
  });
});
