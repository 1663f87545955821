// Scoped operating-system resources of a reference-app run: the run dir, free ports and child
// processes with their logs. Every acquire has its release, so a run that fails or is interrupted
// half-way leaves no process, port or directory behind.
import { Effect, FiberRef, Scope } from "effect";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, rm, open, readFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { StartFailed, PortsExhausted } from "./errors.ts";

export interface RunDir {
  readonly path: string;
  /** Whether the directory is removed on release (a temp dir) or kept for its logs (--run-dir). */
  readonly temporary: boolean;
}

/**
 * The run's directory. A temporary one is removed whole on release; a user-given one keeps the
 * logs and the time series, and only the bulky state under `state/` (database files, sockets) goes.
 */
export const runDir = (given?: string): Effect.Effect<RunDir, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async (): Promise<RunDir> => {
        const path = given ?? (await mkdtemp(join(tmpdir(), "headroom-app-")));
        // A reused --run-dir may hold a previous run's state (a crash before its release).
        if (given) await rm(join(path, "state"), { recursive: true, force: true });
        await mkdir(join(path, "logs"), { recursive: true });
        await mkdir(join(path, "state"), { recursive: true });
        // PostgreSQL (and, as root, nginx's worker) run as their own users and must pass through
        // these two to reach their own 0700 dirs below: enter, not list (0711). The logs are the
        // launcher's user's alone (every part writes to a descriptor the launcher opened).
        await chmod(path, 0o711);
        await chmod(join(path, "state"), 0o711);
        await chmod(join(path, "logs"), 0o700);
        return { path, temporary: given === undefined };
      },
      catch: (e) => new StartFailed({ part: "run dir", reason: String(e) }),
    }),
    (dir) =>
      Effect.promise(() =>
        rm(dir.temporary ? dir.path : join(dir.path, "state"), { recursive: true, force: true }),
      ),
  );

export interface Reaper {
  /** One line of the reaper's protocol: pid N, exited N, queue NAME, amqp URL, dir PATH, done. */
  tell(line: string): void;
}

// The reaper of each live run, found by the run's log dir (every SpawnSpec carries it).
const reapers = new Map<string, Reaper>();
const REAPER = fileURLToPath(new URL("./reaper.mjs", import.meta.url));

/**
 * A watchdog process that cleans up after the launcher if the launcher dies without running its
 * finalizers (SIGKILL, a crash): it kills the run's process groups, deletes its broker queues and
 * removes its dir. Released (told "done") after every other part of the run is released.
 */
export const reaper = (dir: RunDir): Effect.Effect<Reaper, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const child = spawn(process.execPath, [REAPER], { stdio: ["pipe", "ignore", "ignore"], detached: true });
        await new Promise<void>((resolve, reject) => {
          child.once("spawn", resolve);
          child.once("error", reject);
        });
        // Neither the reaper nor its pipe may keep the launcher's event loop alive.
        child.unref();
        (child.stdin as unknown as { unref?: () => void }).unref?.();
        child.stdin!.on("error", () => {});
        const tell = (line: string) => {
          if (!child.stdin!.destroyed) child.stdin!.write(line + "\n");
        };
        tell(`dir ${dir.temporary ? dir.path : join(dir.path, "state")}`);
        const r = { tell, child };
        reapers.set(join(dir.path, "logs"), r);
        return r;
      },
      catch: (e) => new StartFailed({ part: "reaper", reason: String(e) }),
    }),
    (r) =>
      Effect.sync(() => {
        reapers.delete(join(dir.path, "logs"));
        r.tell("done");
        r.child.stdin!.end();
      }),
  );

// Ports handed out by this process and not yet bound by their owner; never handed out twice.
const handedOut = new Set<number>();

/** A port that is free on 127.0.0.1 now; the caller's process binds it shortly after. */
export const ephemeralPort: Effect.Effect<number, PortsExhausted> = Effect.tryPromise({
  try: async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await new Promise<number>((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
          const addr = srv.address();
          srv.close(() => resolve(typeof addr === "object" && addr ? addr.port : 0));
        });
      });
      if (port > 0 && !handedOut.has(port)) {
        handedOut.add(port);
        // Forget it later: by then its owner has bound it, or the run is over.
        setTimeout(() => handedOut.delete(port), 60_000).unref();
        return port;
      }
    }
    throw new Error("20 attempts returned ports already handed out");
  },
  catch: (e) => new PortsExhausted({ reason: e instanceof Error ? e.message : String(e) }),
});

/** A free port of 127.0.0.1 in from..to (inclusive), tried in order; for a run confined to a range. */
export const portInRange = (from: number, to: number): Effect.Effect<number, PortsExhausted> =>
  Effect.tryPromise({
    try: async () => {
      for (let port = from; port <= to; port++) {
        if (handedOut.has(port)) continue;
        const free = await new Promise<boolean>((resolve) => {
          const srv = net.createServer();
          srv.once("error", () => resolve(false));
          srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
        });
        if (!free) continue;
        handedOut.add(port);
        setTimeout(() => handedOut.delete(port), 60_000).unref();
        return port;
      }
      throw new Error(`every port of ${from}-${to} is taken or already handed out`);
    },
    catch: (e) => new PortsExhausted({ reason: e instanceof Error ? e.message : String(e) }),
  });

/**
 * Where every part of a run gets its port: `ephemeralPort` by default; the launcher sets it, for
 * the rest of its start, to hand out the ports it reserved up front (from its `ports` option:
 * `portInRange` for `--ports`, or in tests one that hands out a taken port). A fiber-local value,
 * inherited by the fibers that start the parts.
 */
export const portAllocator: FiberRef.FiberRef<Effect.Effect<number, PortsExhausted>> = FiberRef.unsafeMake(ephemeralPort);

/** A port for a part of the run, from the run's allocator. */
export const freePort: Effect.Effect<number, PortsExhausted> = Effect.flatten(FiberRef.get(portAllocator));

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logPath: string;
  /** Resolves with the exit code (or the signal name) when the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
}

export interface SpawnSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly logDir: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Run as this user (PostgreSQL refuses root). */
  readonly uid?: number;
  readonly gid?: number;
  /** How to ask it to stop: postgres wants SIGINT (fast shutdown) to the postmaster alone. */
  readonly stopSignal?: NodeJS.Signals;
  readonly stopGroup?: boolean;
  readonly graceMs?: number;
}

/** Starts a process in its own process group with stdout+stderr appended to `<logDir>/<name>.log`. */
export function startProc(spec: SpawnSpec): Promise<Proc> {
  return (async () => {
    const logPath = join(spec.logDir, `${spec.name}.log`);
    const log = await open(logPath, "a");
    try {
      const child = spawn(spec.command, spec.args as string[], {
        cwd: spec.cwd,
        env: { ...process.env, ...spec.env },
        stdio: ["ignore", log.fd, log.fd],
        detached: true,
        uid: spec.uid,
        gid: spec.gid,
      });
      const reaper = reapers.get(spec.logDir);
      if (child.pid !== undefined) reaper?.tell(`pid ${child.pid}`);
      let done = false;
      const exited = new Promise<number | string>((resolve) =>
        child.once("exit", (code, signal) => {
          done = true;
          if (child.pid !== undefined) reaper?.tell(`exited ${child.pid}`);
          resolve(code ?? signal ?? "unknown");
        }),
      );
      await new Promise<void>((resolve, reject) => {
        child.once("spawn", resolve);
        child.once("error", reject);
      });
      return { name: spec.name, child, pid: child.pid!, logPath, exited, hasExited: () => done };
    } finally {
      await log.close();
    }
  })();
}

/** Stops a process: its stop signal, then SIGKILL to its whole group after the grace period. */
export async function stopProc(p: Proc, spec: Pick<SpawnSpec, "stopSignal" | "stopGroup" | "graceMs">): Promise<void> {
  if (p.hasExited()) return;
  const signal = spec.stopSignal ?? "SIGTERM";
  const target = spec.stopGroup === false ? p.pid : -p.pid;
  try {
    process.kill(target, signal);
  } catch {
    return; // already gone
  }
  const graceful = await Promise.race([
    p.exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), spec.graceMs ?? 5000).unref()),
  ]);
  try {
    // Also reaps helpers the process left in its group (postgres backends, nginx workers).
    process.kill(-p.pid, "SIGKILL");
  } catch {
    /* group already empty */
  }
  if (!graceful) await p.exited;
}

/** A child process as a scoped resource: stopped when the scope closes, however it closes. */
export const proc = (spec: SpawnSpec): Effect.Effect<Proc, StartFailed, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => startProc(spec),
      catch: (e) => new StartFailed({ part: spec.name, reason: `cannot spawn ${spec.command}: ${String(e)}` }),
    }),
    (p) => Effect.promise(() => stopProc(p, spec)),
  );

/** The last lines of a log file, for error messages. */
export async function logTail(path: string, lines = 15): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * Polls `check` until it returns true; fails with the log tail when the process exits first or
 * the timeout passes. Readiness is checked, never assumed from a sleep.
 */
export const waitReady = (
  part: string,
  p: Proc | undefined,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Effect.Effect<void, StartFailed> =>
  Effect.tryPromise({
    try: async () => {
      const deadline = Date.now() + timeoutMs;
      let lastError = "";
      while (Date.now() < deadline) {
        if (p?.hasExited()) throw new Error(`exited with ${await p.exited}`);
        try {
          // One check may not hang the wait (a server that takes the connection and never answers).
          let timer: NodeJS.Timeout | undefined;
          const stuck = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("readiness check got no answer in 5 s")), 5000)));
          const ok = await Promise.race([check(), stuck]).finally(() => clearTimeout(timer));
          if (ok) return;
        } catch (e) {
          lastError = e instanceof Error ? e.message : String(e);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`not ready after ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ""}`);
    },
    catch: (e) => e,
  }).pipe(
    Effect.catchAll((e) =>
      Effect.flatMap(
        Effect.promise(() => (p ? logTail(p.logPath) : Promise.resolve(""))),
        (log) => Effect.fail(new StartFailed({ part, reason: e instanceof Error ? e.message : String(e), log })),
      ),
    ),
  );

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** True when GET http://127.0.0.1:port/path answers 200. */
export async function httpOk(port: number, path: string): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status === 200;
}

/**
 * True when GET http://127.0.0.1:port/path answers 200 from process `pid` (its x-headroom-pid
 * header). A port is probed free, then bound by its part a moment later: another program may take
 * it in between, and readiness must not be that program's answer.
 */
export async function httpOkFrom(port: number, path: string, pid: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  if (res.status === 200 && res.headers.get("x-headroom-pid") !== String(pid)) {
    throw new Error(`127.0.0.1:${port} answers, but not from pid ${pid} (x-headroom-pid: ${res.headers.get("x-headroom-pid")}): another program has the port`);
  }
  return res.status === 200;
}

/** A process the admin faults can stop and start again; the scope stops whatever runs at the end. */
export interface RestartableProc {
  current(): Proc | undefined;
  /** Graceful stop with the process's stop signal. */
  stop(): Promise<void>;
  /** A crash: SIGKILL to its process group, no cleanup by the process. */
  kill(): Promise<void>;
  /** Starts it again (no-op while it runs) and waits until it is ready. */
  start(): Promise<void>;
}

/** Runs a command to completion (initdb, pg_basebackup) as a scoped process: killed if interrupted. */
export const runToEnd = (spec: SpawnSpec): Effect.Effect<void, StartFailed> =>
  Effect.scoped(
    Effect.flatMap(proc(spec), (p) =>
      Effect.flatMap(
        Effect.promise(() => p.exited),
        (code) =>
          code === 0
            ? Effect.void
            : Effect.flatMap(Effect.promise(() => logTail(p.logPath)), (log) =>
                Effect.fail(new StartFailed({ part: spec.name, reason: `exited with ${code}`, log })),
              ),
      ),
    ),
  );

/** A restartable process as a scoped resource: started now, stopped (if running) when the scope closes. */
export const restartable = (
  spec: SpawnSpec,
  ready: (p: Proc) => Effect.Effect<void, StartFailed>,
  opts: { readonly standby?: boolean } = {},
): Effect.Effect<RestartableProc, StartFailed, Scope.Scope> =>
  Effect.gen(function* () {
    let current: Proc | undefined;
    // Set when the scope closes: a start() still under way (an auto-scaler's scale-out) then stops
    // the process it spawned instead of leaving it behind.
    let closed = false;
    const control: RestartableProc = {
      current: () => current,
      stop: async () => {
        const p = current;
        current = undefined;
        if (p) await stopProc(p, spec);
      },
      kill: async () => {
        const p = current;
        current = undefined;
        if (!p || p.hasExited()) return;
        try {
          process.kill(-p.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
        await p.exited;
      },
      start: async () => {
        if (closed) throw new Error(`${spec.name}: the run is stopping`);
        if (current && !current.hasExited()) return;
        const p = await startProc(spec);
        if (closed) {
          await stopProc(p, spec);
          throw new Error(`${spec.name}: the run is stopping`);
        }
        current = p;
        await Effect.runPromise(ready(p));
      },
    };
    if (opts.standby) {
      // Not started now (a replica place an auto-scaler may fill); stopped with the scope if it was.
      yield* Effect.addFinalizer(() => Effect.promise(() => ((closed = true), control.stop())));
      return control;
    }
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => startProc(spec),
        catch: (e) => new StartFailed({ part: spec.name, reason: String(e) }),
      }).pipe(Effect.tap((p) => Effect.sync(() => (current = p)))),
      () => Effect.promise(() => ((closed = true), control.stop())),
    );
    yield* ready(current!);
    return control;
  });
