// Fixtures for the distributed suite: a private redis-server (free loopback port, 0700 temp dir,
// random password, no persistence) that a test can kill and restart on the same port, and
// headroom child processes whose stderr a test can wait on. Everything started here is stopped by
// `stopAll`, also when a test fails. Never the machine's shared Redis on 6379.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const started = new Set<ChildProcess>();
const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "headroom-dist-"));
  dirs.push(d);
  return d;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: no shutdown, no save. */
  kill(): Promise<void>;
  /** Starts again on the same port (empty: nothing was saved). */
  start(): Promise<void>;
}

export async function privateRedis(): Promise<PrivateRedis> {
  const dir = tempDir();
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  let proc: ChildProcess | null = null;
  const start = async () => {
    const p = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--requirepass", password], { stdio: ["ignore", "pipe", "pipe"] });
    started.add(p);
    proc = p;
    await waitForOutput(p, /Ready to accept connections/, 15_000, "stdout");
  };
  await start();
  return {
    url: `redis://:${password}@127.0.0.1:${port}`,
    port,
    async kill() {
      const p = proc!;
      p.kill("SIGKILL");
      await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(0) : p.once("exit", r)));
      started.delete(p);
    },
    start,
  };
}

export interface Child {
  readonly proc: ChildProcess;
  stderr(): string;
  stdout(): string;
  exited(): Promise<number | null>;
}

/** `node bin/headroom.mjs ...args` with stdout and stderr collected. */
export function headroom(args: string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ["bin/headroom.mjs", ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  started.add(proc);
  let out = "", err = "";
  proc.stdout!.on("data", (b) => { out += b; });
  proc.stderr!.on("data", (b) => { err += b; });
  const exit = new Promise<number | null>((resolve) => proc.once("exit", (code) => { started.delete(proc); resolve(code); }));
  return { proc, stderr: () => err, stdout: () => out, exited: () => exit };
}

/** Resolves with the first match of `re` in the child's stream, or rejects after `ms`. */
export function waitForOutput(p: ChildProcess, re: RegExp, ms: number, stream: "stdout" | "stderr" = "stderr"): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = "";
    const s = p[stream]!;
    const timer = setTimeout(() => { s.off("data", onData); reject(new Error(`no ${re} within ${ms} ms; got:\n${text.slice(-2000)}`)); }, ms);
    const onData = (b: Buffer) => {
      text += b;
      const m = re.exec(text);
      if (m) { clearTimeout(timer); s.off("data", onData); resolve(m); }
    };
    s.on("data", onData);
  });
}

/** Kills whatever is still running and removes the temp dirs. */
export async function stopAll(): Promise<void> {
  await Promise.all([...started].map((p) => new Promise((r) => {
    if (p.exitCode !== null || p.signalCode !== null) return r(0);
    p.once("exit", r);
    p.kill("SIGKILL");
  })));
  started.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
