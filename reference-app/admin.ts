// The run's admin endpoint on 127.0.0.1: faults on demand for validation scenarios (kill/restart a
// service replica, stop/start a database replica, fail a database primary and promote a replica,
// flush the cache or restart it empty, pause/resume the workers,
// kill/restart a worker, kill/restart a realtime instance) and the run's status. Every call needs the run's token as a Bearer token.
import { Effect, Scope } from "effect";
import http from "node:http";
import { bearerMatches } from "./token.ts";
import { StartFailed, PortsExhausted } from "./errors.ts";
import { freePort } from "./resources.ts";

export interface Faults {
  killService(i: number): Promise<void>;
  restartService(i: number): Promise<void>;
  stopDbReplica(i: number): Promise<void>;
  startDbReplica(i: number): Promise<void>;
  /** A database failover (parts/pg-failover.ts): kill a shard's primary; promote a replica in its place. */
  failPrimary(shard: number): Promise<void>;
  promote(shard: number): Promise<void>;
  flushCache(): Promise<void>;
  /** The cache lost: its redis-server SIGKILLed and started again, empty (no persistence), with the same maxmemory. */
  restartCache(): Promise<void>;
  pauseWorkers(): Promise<void>;
  resumeWorkers(): Promise<void>;
  killWorker(queue: string, i: number): Promise<void>;
  restartWorker(queue: string, i: number): Promise<void>;
  /** A realtime instance (1-based): SIGKILLed (its connections drop; clients reconnect elsewhere), then started again. */
  killRealtime(i: number): Promise<void>;
  restartRealtime(i: number): Promise<void>;
}

/** Thrown by a fault when its target does not exist: answered with 400. */
export class BadTarget extends Error {}

const ROUTES: Array<[RegExp, (f: Faults, m: RegExpExecArray) => Promise<void>]> = [
  [/^\/faults\/service\/(\d{1,3})\/kill$/, (f, m) => f.killService(Number(m[1]))],
  [/^\/faults\/service\/(\d{1,3})\/restart$/, (f, m) => f.restartService(Number(m[1]))],
  [/^\/faults\/db\/replica\/(\d{1,3})\/stop$/, (f, m) => f.stopDbReplica(Number(m[1]))],
  [/^\/faults\/db\/replica\/(\d{1,3})\/start$/, (f, m) => f.startDbReplica(Number(m[1]))],
  [/^\/faults\/db\/shard\/(\d{1,3})\/fail-primary$/, (f, m) => f.failPrimary(Number(m[1]))],
  [/^\/faults\/db\/shard\/(\d{1,3})\/promote$/, (f, m) => f.promote(Number(m[1]))],
  [/^\/faults\/cache\/flush$/, (f) => f.flushCache()],
  [/^\/faults\/cache\/restart$/, (f) => f.restartCache()],
  [/^\/faults\/workers\/pause$/, (f) => f.pauseWorkers()],
  [/^\/faults\/workers\/resume$/, (f) => f.resumeWorkers()],
  [/^\/faults\/workers\/([a-z][a-z0-9_-]{0,62})\/(\d{1,3})\/kill$/, (f, m) => f.killWorker(m[1]!, Number(m[2]))],
  [/^\/faults\/workers\/([a-z][a-z0-9_-]{0,62})\/(\d{1,3})\/restart$/, (f, m) => f.restartWorker(m[1]!, Number(m[2]))],
  [/^\/faults\/realtime\/(\d{1,3})\/kill$/, (f, m) => f.killRealtime(Number(m[1]))],
  [/^\/faults\/realtime\/(\d{1,3})\/restart$/, (f, m) => f.restartRealtime(Number(m[1]))],
];

export const startAdmin = (token: string, faults: Faults, status: () => unknown): Effect.Effect<{ port: number }, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const port = yield* freePort;
    const server = http.createServer((req, res) => {
      const reply = (code: number, body: unknown) => {
        res.writeHead(code, { "content-type": "application/json" });
        res.end(JSON.stringify(body) + "\n");
      };
      if (!bearerMatches(req.headers.authorization, token)) return reply(401, { error: "the run's token is required: Authorization: Bearer <token>" });
      const path = (req.url ?? "/").split("?")[0]!;
      if (req.method === "GET" && path === "/status") return reply(200, status());
      if (req.method !== "POST") return reply(405, { error: "faults are POST requests" });
      for (const [re, run] of ROUTES) {
        const m = re.exec(path);
        if (!m) continue;
        Promise.resolve().then(() => run(faults, m)).then(
          () => reply(200, { ok: true, fault: path }),
          (e) => (e instanceof BadTarget ? reply(400, { error: e.message }) : reply(500, { error: String(e) })),
        );
        return;
      }
      reply(404, { error: "no such fault" });
    });
    yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          new Promise<void>((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => resolve());
          }),
        catch: (e) => new StartFailed({ part: "admin endpoint", reason: String(e) }),
      }),
      () =>
        Effect.promise(
          () =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
    );
    return { port };
  });
