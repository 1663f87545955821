// Forks a function's instances for its dispatcher (function/dispatcher.ts), so that fork() -- a
// synchronous call, 39 ms at load 7-9 and 108 ms at load 12.8 -- stalls this process and not the
// dispatcher's event loop: a real FaaS platform keeps answering its warm invocations while it starts
// new instances, and the dispatcher stalling at a burst's onset made throttles the model does not
// have. The dispatcher forks this once, before any load; argv[2] is the Unix socket its instances
// talk to it on (in a private directory of the dispatcher's). Over IPC it receives
// { t: "spawn", id, initMs } and { t: "kill", id }, and answers { t: "up" } once, then
// { t: "spawned", id, pid } and { t: "exit", id, code, signal } per instance. It exits when the
// dispatcher goes away (its IPC channel closes), killing its instances first; an instance it misses
// exits when its own IPC channel (to this process) or its socket closes.
import { fork } from "node:child_process";
import { setPriority } from "node:os";
import { fileURLToPath } from "node:url";

const INSTANCE = fileURLToPath(new URL("./instance.mjs", import.meta.url));
const socketPath = process.argv[2];
/** The instances' nice value (the lowest priority). */
const BOOT_NICE = 19;
if (!socketPath) throw new Error("spawner.mjs: usage: node spawner.mjs <dispatcher socket path>");

/** Instances alive: id -> process. */
const procs = new Map();

function send(m) {
  if (process.connected) process.send(m);
}

function spawn(id, initMs) {
  let proc;
  try {
    // execArgv: [] so the instance is a plain `node instance.mjs`: a bare runtime's start, plus the YAML's init.
    proc = fork(INSTANCE, [String(initMs), socketPath, String(id)], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [] });
  } catch (e) {
    process.stderr.write(`${new Date().toISOString()} spawner: instance ${id} not forked: ${e instanceof Error ? e.message : String(e)}\n`);
    send({ t: "exit", id, code: -1, signal: null });
    return;
  }
  // At the lowest CPU priority: a platform starts instances on capacity of its own, so a burst's
  // starts do not slow the invocations in flight; on the reference app's few shared cores, six Node
  // processes booting at once held the warm invocations admitted meanwhile 77-105 ms on average
  // against 31-33 ms when none started (docs/validation.md, "serverless-api.yaml: the throttles").
  // Lowering a priority needs no privilege; the instance keeps it once warm (its own work is a timer).
  if (proc.pid !== undefined) {
    try { setPriority(proc.pid, BOOT_NICE); } catch { /* exited already: its exit is reported below */ }
  }
  let ended = false;
  const end = (code, signal) => {
    if (ended) return;
    ended = true;
    procs.delete(id);
    send({ t: "exit", id, code, signal });
  };
  procs.set(id, proc);
  proc.on("exit", end);
  // A process that could not be spawned (no pid) emits "error" and no "exit".
  proc.on("error", (e) => {
    process.stderr.write(`${new Date().toISOString()} spawner: instance ${id}: ${e.message}\n`);
    if (proc.pid === undefined) end(-1, null); else proc.kill("SIGKILL");
  });
  if (proc.pid !== undefined) send({ t: "spawned", id, pid: proc.pid });
}

process.on("message", (m) => {
  if (m?.t === "spawn") spawn(m.id, m.initMs);
  else if (m?.t === "kill") procs.get(m.id)?.kill("SIGKILL");
});
process.on("disconnect", () => {
  for (const p of procs.values()) p.kill("SIGKILL");
  process.exit(0);
});
send({ t: "up" });
