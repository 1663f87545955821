// A serverless platform in miniature for a scenario's `kind: function`: an HTTP dispatcher on
// loopback that runs each invocation on a real Node process (instance.mjs), started on demand. The
// cold start is the real fork and start of that process plus the YAML's cold_start drawn as its
// init. fork() is synchronous, so the dispatcher does not call it: a spawner process (spawner.mjs,
// forked once in start(), before any load) forks the instances on request, and each instance talks
// to the dispatcher over a Unix socket in a private directory (0700) of the dispatcher's, so that the
// invocations in flight keep being answered while a burst starts many instances (a real platform's
// warm invocations do not stop either); an instance takes `concurrency` invocations at once; one left idle for idle_timeout is
// reaped (killed), never below `provisioned`, which are started (and awaited) with the dispatcher;
// beyond max_instances x concurrency an invocation is refused (429) or queued (`on_throttle`); an
// invocation past `timeout` gets 504 and its instance is killed, as Lambda does. The choice of
// instance is the simulator's (components/function/runtime.ts): the partly busy warm one that
// became so last, else the most recently used idle one, else the newest one still starting with a
// free slot, else a new one. Metrics on /metrics in
// Prometheus's text format, each cold start's measured time on /cold-starts (JSON) and when it was
// requested on /cold-start-times (ms since the epoch, the same order), each completed
// invocation's parts on /invocations (JSON: the wait for a slot, for its instance to start, the
// instance's own work as drawn, the IPC round trips beyond it, the handler's calls, the whole; the
// function validation calibrates the model's per-invocation overhead with them); `close()` kills
// every instance and stops the server.
//
// An invocation runs its class's handler (the YAML's `handlers`, service/handlers.ts's runSteps):
// each `service` step is a wait the instance does (one message to its process and its answer), each
// call to the cache or the database a real Redis or PostgreSQL operation with the function's
// `network` on both legs. Those calls go out from the dispatcher's process (its pools, main.ts), on
// behalf of the instance, which holds its invocation slot the whole time; what that trades away:
// a real instance opens its own connections during its cold start, these are the dispatcher's,
// already open. A call from a service (or the API gateway service, gateway.ts) names its class and
// key in its JSON body (service/peers.ts); any other request runs the function's `service`.
//
// Plain Node (no Effect): one file, its processes and timers all owned by the Dispatcher and
// released by close(). `app up` runs it in a process of its own (function/main.ts); the tests run it
// in theirs.
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createSocketServer, type AddressInfo, type Server as SocketServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sample, streamFor, type Dist, type DistLike, type Rng } from "../sampler.ts";
import type { Step } from "../plan.ts";
import { runSteps, type Deps, type RequestContext } from "../service/handlers.ts";
import { DbUnavailable, PoolTimeout } from "../service/db.ts";
// The path services call other parts on, with { class, key, order } in a JSON body.
import { CALL_PATH, parseCall, type CallBody } from "../service/peers.ts";

const MAX_BODY = 16 * 1024;
/** Cold-start times kept for /cold-starts, and invocations' parts for /invocations (the validation's calibration reads them). */
const MAX_SAMPLES = 100_000;

/**
 * One completed invocation's parts (ms), timed by the dispatcher from its admission: `queue` until
 * it held a slot (on_throttle: queue), `start` until its instance was ready (the cold start it
 * waited on; 0 on a warm one), `work` the instance's own work as drawn (its `service` steps, the
 * YAML's), `ipc` the round trips of those steps to the instance beyond `work` (the message there and
 * back, the instance's timer ending late, both event loops' waits), `calls` the rest of the handler
 * (its cache and database calls, the dispatcher's own time between steps), `total` admission to
 * the end (the sum of the five). What the model does not have is `ipc` (and the calls' excess over
 * their model): validation/function-overhead.ts.
 */
export interface InvocationParts {
  /** Its admission, ms since the epoch (to place it in the load's stages). */
  readonly at: number;
  readonly cls: string;
  readonly cold: boolean;
  readonly queue: number;
  readonly start: number;
  readonly work: number;
  readonly ipc: number;
  readonly calls: number;
  readonly total: number;
}

/** The parts, in the order /metrics sums them. */
export const PARTS = ["queue", "start", "work", "ipc", "calls"] as const;

const SPAWNER = fileURLToPath(new URL("./spawner.mjs", import.meta.url));
/** Longest Unix socket path Linux takes (sun_path is 108 bytes with its NUL), with a margin. */
const MAX_SOCKET_PATH = 100;

export interface DispatcherConfig {
  readonly name: string;
  readonly maxInstances: number;
  readonly concurrency: number;
  /** The init an instance waits after its process started (seconds, drawn per instance). */
  readonly coldStart: Dist;
  readonly idleTimeout: number;
  readonly provisioned: number;
  /** The work of one invocation (seconds, drawn per invocation) of a class without a handler. */
  readonly service: Dist;
  /** Per class, the steps one invocation runs: `service` waits on the instance, calls to the cache and the database. */
  readonly handlers?: Readonly<Record<string, readonly Step[]>>;
  /** One-way time of each leg of a call the handler makes (the YAML's `network`). */
  readonly network?: DistLike;
  readonly timeout?: number;
  readonly onThrottle: "reject" | "queue";
  readonly queue?: number;
  readonly queueTimeout?: number;
  readonly seed?: number;
  /** 0 (default): any free loopback port. */
  readonly port?: number;
  /** Where the private directory of the instances' socket is made (default: the OS's temp dir; `app up`: the run dir). */
  readonly socketDir?: string;
}

/** A scenario's function component as the dispatcher's settings (its `service`, else 0: handlers are not realized). */
export function dispatcherConfig(name: string, c: {
  max_instances: number; concurrency: number; cold_start: Dist; idle_timeout: number; provisioned: number;
  service?: Dist; timeout?: number; on_throttle: "reject" | "queue"; queue?: number; queue_timeout?: number;
}, seed = 1): DispatcherConfig {
  return {
    name, maxInstances: c.max_instances, concurrency: c.concurrency, coldStart: c.cold_start, idleTimeout: c.idle_timeout,
    provisioned: c.provisioned, service: c.service ?? { dist: "constant", value: 0 }, timeout: c.timeout, onThrottle: c.on_throttle,
    queue: c.queue, queueTimeout: c.queue_timeout, seed,
  };
}

interface Instance {
  readonly id: number;
  /** Its process id, once the spawner (or the instance itself) said it. */
  pid: number | undefined;
  /** Its connection, once it said hello: the invocations go out and come back on it. */
  sock: Socket | undefined;
  state: "starting" | "ready" | "gone";
  /** Killed (reaped, timed out, closing): takes no work, arms no timer, whatever its process still says. */
  killed: boolean;
  busy: number;
  lastUsed: number;
  /** When it last became ready and partly busy (the model's open list: the latest first). */
  openedSeq: number;
  idleTimer: NodeJS.Timeout | undefined;
  readonly ready: Promise<boolean>;
  readonly markReady: (ok: boolean) => void;
  /** When the dispatcher asked for it (the cold start counts from there). */
  readonly forkedAt: number;
  /** Resolved when its process exited (the spawner said so) or the spawner went away. */
  readonly exited: Promise<void>;
  readonly markExited: () => void;
  /** Invocations in progress on it: id -> their completion. */
  readonly running: Map<number, (ok: boolean) => void>;
}

export interface InvokeResult {
  readonly status: number;
  readonly cold: boolean;
  readonly instance: number;
  readonly ms: number;
}

/** What the handlers' calls reach (function/main.ts opens them), and more metrics for /metrics. */
export interface DispatcherBackends {
  readonly cache?: Deps["cache"];
  readonly db?: Deps["db"];
  /** Text appended to /metrics (the pools' and the cache's, Prometheus's format). */
  readonly metrics?: () => Promise<string>;
}

/** The instance an invocation ran on went away (killed on timeout, or its process died). */
class InstanceGone extends Error {}

interface Waiter {
  /** true: a slot was handed over; false: the dispatcher is closing. */
  readonly grant: (ok: boolean) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

export class Dispatcher {
  private readonly instances: Instance[] = [];
  /** Every instance whose process may still run (killed ones included, until their exit): id -> it. */
  private readonly byId = new Map<number, Instance>();
  private spawner: ChildProcess | undefined;
  private spawnerExited: Promise<void> = Promise.resolve();
  private sockServer: SocketServer | undefined;
  /** The private directory (0700) holding the instances' socket. */
  private sockDir: string | undefined;
  private nextInstance = 1;
  private nextInvocation = 1;
  /** Counts the instances' openings (openedSeq). */
  private openings = 0;
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  private readonly rngCold: Rng;
  private readonly rngWork: Rng;
  private server: Server | undefined;
  private closed = false;
  /** forkSeconds: the dispatcher's own blocking to start instances, summed (its request to the spawner; fork() itself, 39-108 ms a start on the loaded machine, runs in the spawner), the time its event loop (every invocation in flight) stood still for them. */
  readonly metrics = { cold: 0, warm: 0, throttled: 0, timeouts: 0, queueTimeouts: 0, started: 0, reaped: 0, coldStartSeconds: 0, peak: 0, forkSeconds: 0 };
  /** Each part's total over the completed invocations (ms), and their count: /metrics. */
  private readonly partSums = { queue: 0, start: 0, work: 0, ipc: 0, calls: 0, total: 0, count: 0 };
  /** Each completed invocation's parts, in completion order (the first MAX_SAMPLES): GET /invocations. */
  readonly invocations: InvocationParts[] = [];
  /** Each completed cold start, fork to ready (s), in order (the first MAX_SAMPLES): GET /cold-starts. */
  readonly coldStarts: number[] = [];
  /** When each of those was requested (ms since the epoch), in the same order: GET /cold-start-times (the validation draws the model's starts near their time in the run). */
  readonly coldStartsAt: number[] = [];

  constructor(readonly config: DispatcherConfig, private readonly backends: DispatcherBackends = {}) {
    this.rngCold = streamFor(config.seed ?? 1, `function:${config.name}:cold-start`);
    this.rngWork = streamFor(config.seed ?? 1, `function:${config.name}:service`);
  }

  /** Starts the provisioned instances (awaited) and the HTTP server; returns its port. */
  async start(): Promise<number> {
    await this.startSpawner();
    const warm: Array<Promise<boolean>> = [];
    for (let i = 0; i < this.config.provisioned; i++) warm.push(this.spawn().ready);
    const ok = await Promise.all(warm);
    if (ok.some((x) => !x)) { await this.close(); throw new Error(`function ${this.config.name}: a provisioned instance did not start`); }
    const server = createServer((req, res) => {
      if (req.url === "/metrics") {
        const more = this.backends.metrics?.() ?? Promise.resolve("");
        more.then((extra) => {
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
          res.end(this.prometheus() + extra);
        }, (e: unknown) => { res.writeHead(500); res.end(`${String(e)}\n`); });
        return;
      }
      // The pid lets the launcher's readiness check tell this process from another holding the port.
      if (req.url === "/cold-starts") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(this.coldStarts));
        return;
      }
      if (req.url === "/cold-start-times") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(this.coldStartsAt));
        return;
      }
      if (req.url === "/invocations") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(this.invocations));
        return;
      }
      if (req.url === "/healthz") { res.writeHead(200, { "x-headroom-pid": String(process.pid) }); res.end("ok\n"); return; }
      this.readCall(req).then((call): Promise<InvokeResult | { status: number; error: string }> => (typeof call === "string" ? Promise.resolve({ status: 400, error: call }) : this.invoke(call))).then((r) => {
        res.writeHead(r.status, { "content-type": "application/json" });
        res.end(`${JSON.stringify(r)}\n`);
      }, (e: unknown) => {
        res.writeHead(500);
        res.end(`${String(e)}\n`);
      });
    });
    // As the services' servers: the callers' keep-alive connections are not closed under them in a
    // quiet spell (a request racing a closing socket would fail the call).
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.config.port ?? 0, "127.0.0.1", () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** Instances alive (starting or ready). */
  alive(): number {
    return this.instances.length;
  }

  /** The spawner's process id (undefined before start() and after close()). */
  spawnerPid(): number | undefined {
    return this.spawner?.pid;
  }

  /** The private directory of the instances' socket (undefined before start() and after close()). */
  socketDirectory(): string | undefined {
    return this.sockDir;
  }

  /** The process ids of the instances alive now (one just requested has none until it is forked). */
  pids(): number[] {
    const out: number[] = [];
    for (const i of this.instances) if (i.pid !== undefined) out.push(i.pid);
    return out;
  }

  /**
   * The instances' socket, in a private directory (mkdtemp: 0700, so no other user reaches it),
   * and the spawner, awaited until it listens: its own start costs the dispatcher one fork, now,
   * before any load.
   */
  private async startSpawner(): Promise<void> {
    let base = this.config.socketDir ?? tmpdir();
    // A run dir given by a long path would overflow sun_path: the OS's temp dir then, still private.
    if (join(base, "fn-XXXXXX", "instances.sock").length > MAX_SOCKET_PATH) base = tmpdir();
    const dir = mkdtempSync(join(base, "fn-"));
    this.sockDir = dir;
    const path = join(dir, "instances.sock");
    const server = createSocketServer((sock) => this.accept(sock));
    this.sockServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => resolve());
    });
    const proc = fork(SPAWNER, [path], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [] });
    this.spawner = proc;
    this.spawnerExited = new Promise((resolve) => proc.once("exit", () => resolve()));
    proc.on("message", (m: { t: string; id?: number; pid?: number }) => {
      const inst = m.id === undefined ? undefined : this.byId.get(m.id);
      if (m.t === "spawned" && inst) inst.pid ??= m.pid;
      else if (m.t === "exit" && inst) this.exited(inst);
    });
    proc.on("exit", (code, signal) => {
      if (!this.closed) process.stderr.write(`${new Date().toISOString()} function ${this.config.name}: its spawner exited (${signal ?? code}); its instances exit with it\n`);
      for (const inst of [...this.byId.values()]) this.exited(inst);
    });
    proc.on("error", (e) => process.stderr.write(`${new Date().toISOString()} function ${this.config.name}: spawner: ${e.message}\n`));
    const up = await new Promise<boolean>((resolve) => {
      proc.on("message", (m: { t: string }) => { if (m.t === "up") resolve(true); });
      proc.once("exit", () => resolve(false));
    });
    if (!up) { await this.close(); throw new Error(`function ${this.config.name}: the instance spawner (${SPAWNER}) exited before it was up`); }
  }

  /** An instance's connection: its hello names it, then its ready and done messages, one JSON a line. */
  private accept(sock: Socket): void {
    let inst: Instance | undefined;
    let buffered = "";
    sock.setEncoding("utf8");
    sock.on("data", (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let m: { t?: string; id?: number; pid?: number };
        try { m = JSON.parse(line) as typeof m; } catch { sock.destroy(); return; }
        if (!inst) {
          const named = m.t === "hello" && m.id !== undefined ? this.byId.get(m.id) : undefined;
          // not one of ours, already connected, or already gone: refused
          if (!named || named.sock || named.state === "gone") { sock.destroy(); return; }
          inst = named;
          inst.sock = sock;
          inst.pid ??= m.pid;
        } else this.message(inst, m);
      }
    });
    // Its connection lost while its process runs: it can take no work, so it goes (its exit fails what runs there).
    sock.on("close", () => { if (inst && inst.state !== "gone") this.kill(inst); });
    sock.on("error", () => sock.destroy());
  }

  /** A message from instance `inst`: ready (its cold start ends), or an invocation's step done. */
  private message(inst: Instance, m: { t?: string; id?: number }): void {
    if (m.t === "ready" && inst.state === "starting" && !inst.killed) {
      inst.state = "ready";
      if (inst.busy > 0 && inst.busy < this.config.concurrency) inst.openedSeq = ++this.openings;
      if (inst.busy === 0) inst.lastUsed = performance.now(); // idle from now: the most recent idle one
      const took = (performance.now() - inst.forkedAt) / 1000;
      this.metrics.coldStartSeconds += took;
      if (this.coldStarts.length < MAX_SAMPLES) {
        this.coldStarts.push(took);
        this.coldStartsAt.push(performance.timeOrigin + inst.forkedAt);
      }
      inst.markReady(true);
      if (inst.busy === 0) this.armIdle(inst);
    } else if (m.t === "done" && m.id !== undefined) {
      const r = inst.running.get(m.id);
      inst.running.delete(m.id);
      r?.(true);
    }
  }

  /** Instance `inst`'s process exited (or its spawner did, which takes it along): what waited on it fails. */
  private exited(inst: Instance): void {
    if (!this.byId.delete(inst.id)) return;
    const was = inst.state;
    inst.state = "gone";
    if (inst.idleTimer) { clearTimeout(inst.idleTimer); inst.idleTimer = undefined; }
    const k = this.instances.indexOf(inst);
    if (k >= 0) this.instances.splice(k, 1);
    if (was === "starting") inst.markReady(false);
    for (const r of inst.running.values()) r(false);
    inst.running.clear();
    inst.sock?.destroy();
    inst.markExited();
  }

  /** A service's call: its class, key and order (service/peers.ts), or why its body is refused; any other request: no class. */
  private readCall(req: IncomingMessage): Promise<CallBody | undefined | string> {
    if (req.method !== "POST" || req.url !== CALL_PATH) {
      req.resume();
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      req.on("end", () => resolve(size > MAX_BODY ? `body larger than ${MAX_BODY} bytes` : parseCall(Buffer.concat(chunks).toString("utf8"), () => undefined)));
      req.on("error", (e) => resolve(e.message));
    });
  }

  /** The steps of one invocation of class `cls`: its handler, else the function's `service`. */
  private stepsOf(cls: string | undefined): readonly Step[] {
    const h = this.config.handlers;
    if (cls !== undefined && h && Object.hasOwn(h, cls)) return h[cls]!;
    return [{ service: this.config.service }];
  }

  /** One `service` step on instance `inst`: a wait of `ms` there, its round trip added to `timing`; rejects with InstanceGone if it goes away. */
  private runOn(inst: Instance, ms: number, timing: { work: number; trips: number }): Promise<void> {
    if (inst.killed || inst.state !== "ready" || !inst.sock) return Promise.reject(new InstanceGone());
    const id = this.nextInvocation++;
    const sent = performance.now();
    return new Promise((resolve, reject) => {
      inst.running.set(id, (ok) => {
        timing.work += ms;
        timing.trips += performance.now() - sent;
        if (ok) resolve(); else reject(new InstanceGone());
      });
      inst.sock!.write(`${JSON.stringify({ t: "run", id, ms })}\n`);
    });
  }

  /** One invocation: admission, an instance (warm or cold), its handler, the answer. */
  async invoke(call?: CallBody): Promise<InvokeResult> {
    const t0 = performance.now();
    const c = this.config;
    if (this.closed) return { status: 503, cold: false, instance: -1, ms: 0 };
    if (this.inFlight >= c.maxInstances * c.concurrency) {
      const room = c.onThrottle === "queue" && (c.queue === undefined || this.waiting.length < c.queue);
      if (!room) { this.metrics.throttled++; return { status: 429, cold: false, instance: -1, ms: performance.now() - t0 }; }
      const granted = await new Promise<"slot" | "timeout" | "closing">((resolve) => {
        const timer = c.queueTimeout !== undefined ? setTimeout(() => {
          const k = this.waiting.indexOf(w);
          if (k >= 0) this.waiting.splice(k, 1);
          resolve("timeout");
        }, c.queueTimeout * 1000) : undefined;
        const w: Waiter = { grant: (ok) => { if (timer) clearTimeout(timer); resolve(ok ? "slot" : "closing"); }, timer };
        this.waiting.push(w);
      });
      if (granted === "timeout") { this.metrics.queueTimeouts++; return { status: 504, cold: false, instance: -1, ms: performance.now() - t0 }; }
      if (granted === "closing") return { status: 503, cold: false, instance: -1, ms: performance.now() - t0 };
    } else {
      this.inFlight++;
    }
    const slotAt = performance.now();
    // The slot is ours (a queued invocation inherits the one its predecessor gave back).
    const inst = this.place();
    const cold = inst.state === "starting";
    inst.busy++;
    if (inst.state === "ready" && inst.busy === 1 && inst.busy < c.concurrency) inst.openedSeq = ++this.openings;
    if (inst.idleTimer) { clearTimeout(inst.idleTimer); inst.idleTimer = undefined; }
    if (cold) this.metrics.cold++; else this.metrics.warm++;
    const started = cold ? await inst.ready : true;
    if (!started) { this.done(inst); return { status: 502, cold, instance: inst.id, ms: performance.now() - t0 }; }
    const readyAt = performance.now();
    const timing = { work: 0, trips: 0 };
    const ctx: RequestContext = { className: call?.class ?? "", key: call?.key, order: call?.order };
    const deps: Deps = { rng: this.rngWork, network: c.network, cache: this.backends.cache, db: this.backends.db, work: (s) => this.runOn(inst, s * 1000, timing) };
    // The timeout counts from admission (the cold start included), as the simulator's does.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = c.timeout === undefined ? undefined : new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(0, c.timeout! * 1000 - (performance.now() - t0)));
    });
    const work = runSteps(this.stepsOf(call?.class), ctx, deps).then(() => "ok" as const, (e: unknown) => {
      if (e instanceof PoolTimeout || e instanceof DbUnavailable) return "unavailable" as const;
      if (!(e instanceof InstanceGone)) process.stderr.write(`${new Date().toISOString()} function ${c.name}: ${e instanceof Error ? e.stack : String(e)}\n`);
      return "failed" as const;
    });
    const outcome = await (timedOut ? Promise.race([work, timedOut]) : work);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.metrics.timeouts++;
      this.kill(inst); // Lambda ends a timed-out invocation with its environment
    }
    const endAt = performance.now();
    if (outcome === "ok") {
      // a warm invocation waited on no start: the dispatcher's own microseconds go to `calls`, the rest
      const start = cold ? readyAt - slotAt : 0;
      this.record({ at: performance.timeOrigin + t0, cls: ctx.className, cold, queue: slotAt - t0, start, work: timing.work, ipc: timing.trips - timing.work, calls: endAt - slotAt - start - timing.trips, total: endAt - t0 });
    }
    this.done(inst);
    const status = { ok: 200, timeout: 504, unavailable: 503, failed: 502 }[outcome];
    return { status, cold, instance: inst.id, ms: endAt - t0 };
  }

  /** A completed invocation's parts: kept for /invocations, summed for /metrics. */
  private record(p: InvocationParts): void {
    if (this.invocations.length < MAX_SAMPLES) this.invocations.push(p);
    const s = this.partSums;
    for (const k of PARTS) s[k] += p[k];
    s.total += p.total;
    s.count++;
  }

  /**
   * The model's choice (components/function/runtime.ts): a warm instance with a free slot, the
   * partly busy one that became so last first, then the most recently used idle one; else the
   * newest starting one with a free slot; else a new one.
   */
  private place(): Instance {
    const c = this.config;
    let open: Instance | undefined;
    let idle: Instance | undefined;
    let starting: Instance | undefined;
    // in start order, so the last starting one met is the newest
    for (const i of this.instances) {
      if (i.killed || i.busy >= c.concurrency) continue;
      if (i.state === "starting") starting = i;
      else if (i.state !== "ready") continue;
      else if (i.busy > 0) { if (!open || i.openedSeq > open.openedSeq) open = i; }
      else if (!idle || i.lastUsed > idle.lastUsed) idle = i;
    }
    return open ?? idle ?? starting ?? this.spawn();
  }

  private spawn(): Instance {
    const initMs = sample(this.config.coldStart, this.rngCold) * 1000;
    // The cold start counts from the request: the fork itself (in the spawner) is part of it.
    const forkedAt = performance.now();
    const id = this.nextInstance++;
    let markReady: (ok: boolean) => void = () => {};
    const ready = new Promise<boolean>((resolve) => { markReady = resolve; });
    let markExited: () => void = () => {};
    const exited = new Promise<void>((resolve) => { markExited = resolve; });
    const inst: Instance = {
      id, pid: undefined, sock: undefined, state: "starting", killed: false, busy: 0, lastUsed: forkedAt, openedSeq: 0, idleTimer: undefined,
      ready, markReady, forkedAt, exited, markExited, running: new Map(),
    };
    this.byId.set(id, inst);
    this.instances.push(inst);
    this.metrics.started++;
    if (this.instances.length > this.metrics.peak) this.metrics.peak = this.instances.length;
    const spawner = this.spawner;
    if (spawner?.connected) spawner.send({ t: "spawn", id, initMs });
    else queueMicrotask(() => this.exited(inst)); // no spawner (it died, or closing): the start fails, its invocations get 502
    this.metrics.forkSeconds += (performance.now() - forkedAt) / 1000;
    return inst;
  }

  /** An invocation left instance `inst`: its slot goes to a queued invocation, or back to the pool. */
  private done(inst: Instance): void {
    inst.busy--;
    inst.lastUsed = performance.now();
    if (inst.state === "ready" && inst.busy > 0 && inst.busy === this.config.concurrency - 1) inst.openedSeq = ++this.openings;
    const next = this.waiting.shift();
    if (next) next.grant(true); else this.inFlight--;
    if (inst.busy === 0 && inst.state === "ready" && !inst.killed) this.armIdle(inst);
  }

  private armIdle(inst: Instance): void {
    if (inst.idleTimer) clearTimeout(inst.idleTimer);
    inst.idleTimer = setTimeout(() => {
      inst.idleTimer = undefined;
      if (inst.busy !== 0 || inst.state !== "ready" || this.instances.length <= this.config.provisioned) return;
      this.metrics.reaped++;
      this.kill(inst);
    }, this.config.idleTimeout * 1000);
  }

  private kill(inst: Instance): void {
    if (inst.idleTimer) { clearTimeout(inst.idleTimer); inst.idleTimer = undefined; }
    if (inst.killed) return;
    inst.killed = true;
    if (inst.state === "gone") return;
    const k = this.instances.indexOf(inst);
    if (k >= 0) this.instances.splice(k, 1);
    // the spawner SIGKILLs it and says when it exited (exited()); a kill before its fork is handled after it, in order
    if (this.spawner?.connected) this.spawner.send({ t: "kill", id: inst.id });
  }

  prometheus(): string {
    const f = `function="${this.config.name}"`;
    const m = this.metrics;
    return [
      "# TYPE headroom_function_invocations_total counter",
      `headroom_function_invocations_total{${f},start="cold"} ${m.cold}`,
      `headroom_function_invocations_total{${f},start="warm"} ${m.warm}`,
      "# TYPE headroom_function_throttled_total counter",
      `headroom_function_throttled_total{${f}} ${m.throttled}`,
      "# TYPE headroom_function_timeouts_total counter",
      `headroom_function_timeouts_total{${f}} ${m.timeouts}`,
      "# TYPE headroom_function_instances gauge",
      `headroom_function_instances{${f}} ${this.instances.length}`,
      "# TYPE headroom_function_instances_started_total counter",
      `headroom_function_instances_started_total{${f}} ${m.started}`,
      "# TYPE headroom_function_instances_reaped_total counter",
      `headroom_function_instances_reaped_total{${f}} ${m.reaped}`,
      "# TYPE headroom_function_cold_start_seconds summary",
      `headroom_function_cold_start_seconds_sum{${f}} ${m.coldStartSeconds}`,
      `headroom_function_cold_start_seconds_count{${f}} ${m.started - this.instances.filter((i) => i.state === "starting").length}`,
      "# TYPE headroom_function_fork_seconds_total counter",
      `headroom_function_fork_seconds_total{${f}} ${m.forkSeconds}`,
      "# TYPE headroom_function_invocation_part_seconds_total counter",
      ...PARTS.map((k) => `headroom_function_invocation_part_seconds_total{${f},part="${k}"} ${this.partSums[k] / 1000}`),
      "# TYPE headroom_function_invocation_seconds summary",
      `headroom_function_invocation_seconds_sum{${f}} ${this.partSums.total / 1000}`,
      `headroom_function_invocation_seconds_count{${f}} ${this.partSums.count}`,
      "",
    ].join("\n");
  }

  /** Stops the server, fails queued invocations, kills every instance and waits for them to exit, then the spawner; removes the socket's directory. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.grant(false);
    // every process that may still run, killed ones whose exit is not in yet included
    const exits = [...this.byId.values()].map((i) => i.exited);
    for (const i of [...this.instances]) this.kill(i);
    await Promise.all(exits);
    // its IPC channel closed, the spawner exits (and would kill any instance left)
    if (this.spawner?.connected) this.spawner.disconnect();
    await this.spawnerExited;
    this.spawner = undefined;
    const sockServer = this.sockServer;
    this.sockServer = undefined;
    if (sockServer) await new Promise<void>((resolve) => sockServer.close(() => resolve()));
    if (this.sockDir) rmSync(this.sockDir, { recursive: true, force: true });
    this.sockDir = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  }
}
