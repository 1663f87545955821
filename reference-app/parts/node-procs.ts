// Service replicas, queue workers, function dispatchers, realtime servers and the resilience gateway as Node.js child processes (TypeScript through tsx), each with
// its config file in the run dir, its log in logs/, readiness checked on its /healthz, and
// restartable for the kill/restart faults. A standby process (an auto-scaled pool's place above its
// starting count) gets its config and port now and is started only when the scaler asks.
import { Effect, Scope } from "effect";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StartFailed } from "../errors.ts";
import { restartable, waitReady, httpOkFrom, type RestartableProc } from "../resources.ts";
import type { FunctionConfig, GatewayConfig, RealtimeConfig, ServiceConfig, WorkerConfig } from "../config.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ENTRY = {
  service: fileURLToPath(new URL("../service/main.ts", import.meta.url)),
  worker: fileURLToPath(new URL("../worker/main.ts", import.meta.url)),
  function: fileURLToPath(new URL("../function/main.ts", import.meta.url)),
  realtime: fileURLToPath(new URL("../realtime/main.ts", import.meta.url)),
  gateway: fileURLToPath(new URL("../gateway/main.ts", import.meta.url)),
};

export interface NodePart {
  readonly name: string;
  readonly port: number;
  readonly control: RestartableProc;
}

export const startNodeProc = (
  name: string,
  config: ServiceConfig | WorkerConfig | FunctionConfig | RealtimeConfig | GatewayConfig,
  runPath: string,
  opts: { readonly standby?: boolean } = {},
): Effect.Effect<NodePart, StartFailed, Scope.Scope> =>
  Effect.gen(function* () {
    const cfgPath = join(runPath, `${name}.json`);
    // Owner-only: a worker's config holds the run's admin token.
    yield* Effect.promise(() => writeFile(cfgPath, JSON.stringify(config, null, 2), { mode: 0o600 }));
    const control = yield* restartable(
      {
        name,
        command: process.execPath,
        args: ["--import", "tsx", ENTRY[config.role], cfgPath],
        cwd: REPO_ROOT,
        logDir: join(runPath, "logs"),
        env: { NODE_ENV: "production" },
      },
      // Ready when this very process answers (its pid in the answer), not whoever holds the port.
      (p) => waitReady(name, p, () => httpOkFrom(config.port, "/healthz", p.pid), 60_000),
      opts,
    );
    return { name, port: config.port, control };
  });
