// `npm run bench:load`: the built-in runner vs autocannon (and a bare undici pool) against one minimal
// keep-alive Node server, same connection count, same run, alternating rounds. Reports req/s and
// CPU per request of each generator, the runner/autocannon ratio, and writes BENCHMARKS.md's
// "Load generator" section. --profile also records CPU profiles of the runner and the bare undici
// pool and prints where their time goes. Options: --connections N (50), --seconds S (8), --rounds R (5),
// --no-write.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const runTs = join(root, "bin/run-ts.mjs");
const childScript = join(here, "children.ts");

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "50" },
    seconds: { type: "string", default: "8" },
    rounds: { type: "string", default: "5" },
    profile: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
});
const conns = Number(values.connections);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

interface Sample {
  requests: number;
  seconds: number;
  cpuMs: number;
  errors: number;
  serverCpuMs: number;
}

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [runTs, childScript, "server"], { stdio: ["ignore", "pipe", "inherit", "ipc"] });
    child.once("error", reject);
    child.stdout!.once("data", (d) => resolveP({ child, url: String(d).trim() }));
  });
}

function serverMark(server: ChildProcess): Promise<{ cpuMs: number; requests: number }> {
  return new Promise((r) => {
    server.once("message", (m) => r(m as { cpuMs: number; requests: number }));
    server.send("mark");
  });
}

function runChild(role: string, url: string, extraNodeArgs: string[] = []): Promise<Omit<Sample, "serverCpuMs">> {
  return new Promise((resolveP, reject) => {
    const child = spawn(process.execPath, [...extraNodeArgs, runTs, childScript, role, url, String(conns), String(seconds)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${role} exited with ${code}`));
      resolveP(JSON.parse(out.trim().split("\n").pop()!));
    });
  });
}

const fmt = (n: number, d = 0) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

let loadBefore = 0;

async function main(): Promise<void> {
  loadBefore = loadavg()[0];
  const { child: server, url } = await startServer();
  const results: Record<string, Sample[]> = { autocannon: [], runner: [], undici: [] };
  try {
    // warm-up so the server's JIT is hot for every generator alike (each generator also warms itself up)
    await runChild("undici", url);
    await serverMark(server);
    for (let r = 0; r < rounds; r++) {
      for (const role of ["autocannon", "runner", "undici"]) {
        const s = await runChild(role, url);
        const srv = await serverMark(server);
        results[role].push({ ...s, serverCpuMs: srv.cpuMs });
        process.stderr.write(`round ${r + 1} ${role}: ${fmt(s.requests / s.seconds)} req/s, ${fmt((s.cpuMs * 1000) / s.requests, 1)} µs CPU/request\n`);
      }
    }
    let profileText = "";
    if (values.profile) profileText = (await profileRole("runner", url)) + "\n\n" + (await profileRole("undici", url));
    // medians over rounds: a noisy neighbour slows single rounds, not the middle of several
    const median = (xs: number[]) => {
      const v = [...xs].sort((a, b) => a - b);
      return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    };
    const rows = Object.entries(results).map(([name, list]) => ({
      name,
      rps: median(list.map((s) => s.requests / s.seconds)),
      best: Math.max(...list.map((s) => s.requests / s.seconds)),
      cpuPerReqUs: median(list.map((s) => (s.cpuMs * 1000) / s.requests)),
      genCores: median(list.map((s) => s.cpuMs / 1000 / s.seconds)),
      srvCores: median(list.map((s) => s.serverCpuMs / 1000 / s.seconds)),
      errors: list.reduce((a, s) => a + s.errors, 0),
    }));
    const ac = rows.find((r) => r.name === "autocannon")!;
    const rn = rows.find((r) => r.name === "runner")!;
    const ratio = rn.rps / ac.rps;
    const table = [
      "| generator | req/s (median) | req/s (best round) | CPU per request (median) | generator CPU (cores) | server CPU (cores) | errors |",
      "|---|---:|---:|---:|---:|---:|---:|",
      ...rows.map((r) => `| ${r.name === "runner" ? "headroom runner (k6 script: get + check + Counter)" : r.name === "undici" ? "bare undici Pool" : "autocannon"} | ${fmt(r.rps)} | ${fmt(r.best)} | ${fmt(r.cpuPerReqUs, 1)} µs | ${fmt(r.genCores, 2)} | ${fmt(r.srvCores, 2)} | ${r.errors} |`),
    ].join("\n");
    const undici = rows.find((r) => r.name === "undici")!;
    const verdict =
      `runner / autocannon throughput (medians): **${fmt(ratio * 100, 1)}%** (target >= 50%), best rounds ${fmt((rn.best / ac.best) * 100, 1)}%; ` +
      `CPU per request runner / autocannon ${fmt(rn.cpuPerReqUs / ac.cpuPerReqUs, 2)}x, runner / bare undici ${fmt(rn.cpuPerReqUs / undici.cpuPerReqUs, 2)}x`;
    process.stdout.write(`\n${table}\n\n${verdict}\n${profileText ? `\n${profileText}\n` : ""}`);
    if (!values["no-write"]) await writeSection(table, verdict, profileText);
  } finally {
    server.kill("SIGTERM");
  }
}

/** Runs one generator once more under --cpu-prof and sums self time by function and by area. */
async function profileRole(role: string, url: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "k6prof-"));
  try {
    const run = await runChild(role, url, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
    if (!file) return "(no profile written)";
    const prof = JSON.parse(await readFile(join(dir, file), "utf8")) as {
      nodes: Array<{ id: number; hitCount: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
    };
    const total = prof.nodes.reduce((a, n) => a + n.hitCount, 0);
    const byFn = new Map<string, number>();
    const byArea = new Map<string, number>();
    for (const n of prof.nodes) {
      const u = n.callFrame.url.replace(/^file:\/\//, "").replace(root + "/", "");
      const fnName = `${n.callFrame.functionName || "(anonymous)"} ${u ? `${u.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}` : ""}`.trim();
      byFn.set(fnName, (byFn.get(fnName) ?? 0) + n.hitCount);
      const area = !u
        ? n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "node internals (native)"
        : u.includes("node_modules/undici") ? "undici"
        : u.startsWith("node:") ? `node ${u.replace(/^node:internal\//, "").split("/")[0]}`
        : u.includes("k6/runner/") ? `runner ${u.split("k6/runner/")[1]}`
        : u.includes("bundled") ? "k6 script (bundled)"
        : u.split("/").slice(-2).join("/");
      byArea.set(area, (byArea.get(area) ?? 0) + n.hitCount);
    }
    const top = (m: Map<string, number>, k: number) =>
      [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, c]) => `| ${n} | ${fmt((100 * c) / total, 1)}% |`).join("\n");
    const label = role === "runner" ? "Runner" : "Bare undici Pool";
    return `${label} CPU profile (self time of the whole process incl. warm-up, ${fmt(total)} samples; measured run ${fmt(run.requests / run.seconds)} req/s, ${fmt((run.cpuMs * 1000) / run.requests, 1)} µs CPU/request):\n\n| area | share |\n|---|---:|\n${top(byArea, 12)}\n\n| function | share |\n|---|---:|\n${top(byFn, 15)}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const READING = [
  "Reading it: when the server is not saturated (server CPU well under one core, as on a busy shared machine), req/s",
  "ratios mostly show how each generator copes with contention. CPU per request is the figure that carries over:",
  "a single-threaded generator sends at most 1 s / (CPU per request) requests per second. The issue's reference",
  "(idle machine: autocannon ~100k req/s saturating the server, bare undici ~70k, stock k6 ~40k) could not be",
  "reproduced on this machine.",
].join("\n");

async function writeSection(table: string, verdict: string, profileText: string): Promise<void> {
  const path = join(root, "BENCHMARKS.md");
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const section = [
    "## Load generator",
    "",
    `Measured by \`npm run bench:load\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpu}), Node ${process.version}, shared machine`,
    `(1-minute load average ${loadBefore.toFixed(1)} before the run, ${loadavg()[0].toFixed(1)} after: other work competed for the cores, so absolute rates are low and vary by round).`,
    `Each generator runs in its own process against the same minimal keep-alive Node server (another process) with ${conns} connections (the runner: ${conns} VUs,`,
    `one keep-alive connection each), ${rounds} alternating rounds of ${seconds} s, each generator after its own 2 s warm-up; medians over the rounds. CPU per request is the generator`,
    "process's user+system time during the measured run divided by its requests (the runner: after bundling and the init context, until its summary).",
    "",
    table,
    "",
    verdict,
    "",
    READING,
    "",
    ...(profileText ? [profileText, ""] : []),
  ].join("\n");
  let text = existsSync(path) ? await readFile(path, "utf8") : "# Benchmarks\n\nMeasured results; each section says how to reproduce it.\n";
  const start = text.indexOf("## Load generator");
  if (start >= 0) {
    const next = text.indexOf("\n## ", start + 5);
    text = text.slice(0, start) + section + (next >= 0 ? text.slice(next + 1) : "");
  } else text = text.trimEnd() + "\n\n" + section;
  await writeFile(path, text);
  process.stderr.write(`wrote the "Load generator" section of ${path}\n`);
}

await main();
