// Helpers for the reference app's integration tests: load a bundled scenario, drive bounded
// requests at 127.0.0.1, sum a metric over every process, and list what a run left behind.
import { readFileSync, readdirSync, readlinkSync, existsSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import amqp from "amqplib";
import pg from "pg";
import { expect } from "vitest";
import type { Scenario } from "../simulator/model/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { tQuantile975 } from "../simulator/index.ts";
import { tcpOpen } from "./resources.ts";
import type { RunningApp } from "./launcher.ts";

export function bundled(name: string): Scenario {
  const file = new URL(`../scenarios/${name}.yaml`, import.meta.url);
  return scenarioOf(readFileSync(file, "utf8"), `scenarios/${name}.yaml`);
}

export interface Reply {
  readonly status: number;
  readonly body: string;
}

/** Sends `requests` with at most `concurrency` in flight; every request has a 10 s timeout. */
export async function drive(requests: ReadonlyArray<() => Promise<Response>>, concurrency: number): Promise<Reply[]> {
  const out: Reply[] = new Array(requests.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++;
        try {
          const res = await requests[i]!();
          out[i] = { status: res.status, body: await res.text() };
        } catch (e) {
          out[i] = { status: 0, body: String(e) };
        }
      }
    }),
  );
  return out;
}

export const get = (url: string) => () => fetch(url, { signal: AbortSignal.timeout(10_000) });
export const post = (url: string, body: unknown) => () =>
  fetch(url, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" }, signal: AbortSignal.timeout(10_000) });

export function countBy<T>(xs: readonly T[], key: (x: T) => string): Record<string, number> {
  const r: Record<string, number> = {};
  for (const x of xs) r[key(x)] = (r[key(x)] ?? 0) + 1;
  return r;
}

/** Sum of a metric's samples over all URLs whose labels contain every given label. */
export async function metricSum(urls: readonly string[], name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const url of urls) {
    const text = await (await fetch(url)).text();
    for (const line of text.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
      if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sum;
}

/**
 * One replication's standard deviation of a simulator estimate, from its 95% CI over `reps`
 * replications: how far one measured run of the same window may fall from the model's mean.
 */
export const sdOfRun = (e: { readonly ci95: number | null }, reps: number): number => ((e.ci95 ?? 0) / tQuantile975(reps - 1)) * Math.sqrt(reps);

/** Every TCP port the app listens on. */
export function appPorts(app: RunningApp): number[] {
  const port = (u: string) => Number(new URL(u).port);
  return [
    port(app.url),
    ...(app.lbUrl && app.lbUrl !== app.url ? [port(app.lbUrl)] : []),
    // behind the resilience gateway: where clients entered without it (the rate-limit gateway or HAProxy)
    ...(app.resilienceGateway ? [port(app.resilienceGateway.upstream)] : []),
    port(app.adminUrl),
    ...(app.cdnUrl ? [port(app.cdnUrl)] : []),
    ...Object.values(app.regions?.cdnUrls ?? {}).map(port).filter((p) => p !== port(app.cdnUrl ?? app.url)),
    ...Object.values(app.tiers).flat().map((s) => port(s.url)),
    ...Object.values(app.balancerUrls).map(port).filter((p) => p !== port(app.url) && p !== port(app.lbUrl ?? app.url)),
    ...app.workers.map((w) => port(w.url)),
    ...app.dbShards.flatMap((d) => [d.primaryPort, ...d.replicaPorts, ...(d.gatePorts ?? [])]),
    ...Object.values(app.redisPorts),
    ...(app.realtime ? [port(app.realtime.url), app.realtime.backbonePort, ...app.realtime.instances.map((s) => port(s.url))] : []),
  ];
}

/** Processes whose command line mentions `needle` (the run dir: every part's args contain it). */
export function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(needle)) found.push(`${pid}: ${cmd}`);
    } catch {
      /* exited meanwhile */
    }
  }
  return found;
}

/**
 * Processes working inside `dir` (their cwd there, or there before it was removed): PostgreSQL's
 * backends, checkpointer and walreceiver rename themselves ("postgres: walreceiver"), so their
 * command lines no longer name the run dir, but each sits in its data directory.
 */
export function processesWorkingIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(`${pid}: cwd ${cwd} (${readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").trim()})`);
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return found;
}

/** What a stopped run left behind: processes (named for it or working in it), listening ports, the run dir. Empty when clean. */
export async function leftovers(runDir: string, ports: readonly number[], dirShouldExist = false): Promise<string[]> {
  const left = [...processesMentioning(runDir), ...processesWorkingIn(runDir)].map((p) => `process ${p}`);
  for (const p of ports) if (await tcpOpen(p)) left.push(`port ${p} still listening`);
  if (!dirShouldExist && existsSync(runDir)) left.push(`dir ${runDir} still exists`);
  return left;
}

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface Run {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs `headroom app up`, sends `signal` when its stderr (or its stdout) matches `killAt`; 60 s cap. */
export function appUp(file: string, killAt?: RegExp, signal: NodeJS.Signals = "SIGTERM"): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bin/headroom.mjs", "app", "up", file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    let sent = false;
    const cap = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const maybeKill = () => {
      if (killAt && !sent && (killAt.test(stderr) || killAt.test(stdout))) {
        sent = true;
        child.kill(signal);
      }
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      maybeKill();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      maybeKill();
    });
    child.on("exit", (code) => {
      clearTimeout(cap);
      resolve({ code, stderr, stdout });
    });
  });
}

const field = (text: string, re: RegExp) => re.exec(text)?.[1];
const ports = (text: string) => [...text.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));

/**
 * Stops `headroom app up <file>` with `signal` at `killAt` (a line of its stderr, or of its stdout
 * once ready) and checks nothing is left: no process, no listening port, no run dir, no broker
 * queue. SIGTERM runs the launcher's finalizers; SIGKILL leaves the cleanup to its reaper.
 */
export async function expectCleanInterrupt(
  killAt: RegExp,
  signal: NodeJS.Signals = "SIGTERM",
  file = "scenarios/queue-offload.yaml",
  whenReady = false,
): Promise<void> {
  {
    const run = await appUp(file, killAt, signal);
    if (whenReady) expect(run.stdout).toMatch(/is ready/);
    else expect(run.stdout).not.toMatch(/is ready/);
    if (signal === "SIGTERM") {
      expect(run.stderr).toMatch(/SIGTERM: stopping every part/);
      expect(run.code).toBe(0);
    }
    const dir = field(run.stderr, /started run dir (\S+)/);
    expect(dir).toMatch(/headroom-app-/);
    // The reaper works after the launcher is gone: give it up to 10 s.
    const listened = ports(run.stderr + run.stdout);
    let left = await leftovers(dir!, listened);
    for (let i = 0; i < 100 && left.length > 0 && signal === "SIGKILL"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await leftovers(dir!, listened);
    }
    expect(left).toEqual([]);
    // A run with its own vhost: the vhost (its queues with it) and its user are gone.
    const vhost = field(run.stderr, /started rabbitmq vhost (\S+)/);
    const queue = field(run.stderr, /started queue orders: (\S+)/);
    if (vhost) await expectVhostGone(vhost);
    else if (queue) await expectQueueGone(queue);
  }
}

/** The run's vhost and user are gone from the broker (the reaper may still be at it: up to 30 s). */
export async function expectVhostGone(name: string): Promise<void> {
  const list = (what: string) => execFileSync("rabbitmqctl", ["--quiet", what], { encoding: "utf8" }).split("\n").map((l) => l.split("\t")[0]);
  const deadline = Date.now() + 30_000;
  let left = [...list("list_vhosts"), ...list("list_users")].filter((n) => n === name);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    left = [...list("list_vhosts"), ...list("list_users")].filter((n) => n === name);
  }
  expect(left).toEqual([]);
}

/** The broker has no queue of that name (any more), on the shared vhost. */
export async function expectQueueGone(queue: string): Promise<void> {
  const conn = await amqp.connect(process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672");
  try {
    const ch = await conn.createChannel();
    ch.on("error", () => {});
    await expect(ch.checkQueue(queue)).rejects.toThrow(/NOT_FOUND/);
  } finally {
    await conn.close().catch(() => {});
  }
}

/**
 * The local addresses listening on `port` (from /proc/net/tcp and tcp6), e.g. "127.0.0.1" or
 * "0.0.0.0" or "::": what a socket is really bound to, whatever its config says.
 */
export function listenAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || f[3] !== "0A") continue; // 0A = LISTEN
      const [addr, hexPort] = f[1]!.split(":");
      if (parseInt(hexPort!, 16) !== port) continue;
      if (addr!.length === 8) {
        // Little-endian IPv4.
        found.push([6, 4, 2, 0].map((i) => parseInt(addr!.slice(i, i + 2), 16)).join("."));
      } else found.push(addr === "0".repeat(32) ? "::" : addr === "00000000000000000000000001000000" ? "::1" : `ipv6:${addr}`);
    }
  }
  return found;
}

export interface Outsider {
  /** Who ran it: "nobody" when the tests run as root, else this (non-root) user. */
  readonly user: string;
  readonly code: number | null;
  /** stdout and stderr together. */
  readonly output: string;
}

/**
 * Runs a client (psql, redis-cli) as another local user would: as `nobody` when the tests run as
 * root (the launcher's parts then run as root and postgres), else as this user; either way with no
 * secret of the run in its environment (only PATH and what `env` adds). 10 s cap, stdin closed.
 */
export function asOutsider(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<Outsider> {
  const root = process.getuid?.() === 0;
  const ids = root
    ? { uid: Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim()), gid: Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" }).trim()) }
    : {};
  return new Promise((resolve, reject) => {
    const child = spawn(command, args as string[], { ...ids, cwd: "/", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const cap = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(cap);
      resolve({ user: root ? "nobody" : "this user", code, output });
    });
  });
}

/** One query on one of the run's PostgreSQL servers (by port), with the run's own credentials. */
export async function queryDb<T extends pg.QueryResultRow>(app: RunningApp, port: number, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ host: "127.0.0.1", port, user: app.db!.user, password: app.db!.password, database: app.db!.database });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** A POST to the run's admin API with its token. */
export const adminPost = (app: RunningApp, path: string) => fetch(`${app.adminUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${app.token}` } });
