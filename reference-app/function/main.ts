// A function's dispatcher as a process of its own, as `app up` runs it (parts/node-procs.ts): reads
// its config (config.ts FunctionConfig), opens the cache and the database its handlers call (one
// pool for all its instances' invocations, service/cache.ts and service/db.ts), serves on
// 127.0.0.1:<port> (invocations, /metrics, /healthz) and starts the instances on demand (through its
// spawner, talking to them over a Unix socket in a private directory inside the run dir, beside
// its config, so that the run's cleanup, which looks for processes naming the run dir, finds them).
// SIGTERM/SIGINT close it: every instance killed and awaited, the pools closed. Killed outright
// (SIGKILL to the process group, as the launcher's cleanup and the kill fault do), its instances
// die with it (its spawner and their processes are in its group); one that escapes exits when its
// socket or its IPC channel to the spawner closes.
import { dirname } from "node:path";
import { readConfig, type FunctionConfig } from "../config.ts";
import { streamFor } from "../sampler.ts";
import { Cache } from "../service/cache.ts";
import { Db } from "../service/db.ts";
import { serviceMetrics } from "../service/metrics.ts";
import { Dispatcher } from "./dispatcher.ts";

const cfg = readConfig<FunctionConfig>(process.argv[2]!);
const f = cfg.fn;
// The pools' and the cache's metrics, labelled as the function's dispatcher (appended to /metrics).
const metrics = serviceMetrics({ service: f.name, replica: "dispatcher" });
const cache = cfg.cache ? new Cache(cfg.cache, metrics) : undefined;
const db = cfg.db ? new Db(cfg.db, cfg.db.endpoints, streamFor(cfg.seed, `function:${f.name}:db`), metrics, cfg.db.shardEndpoints, cfg.db.modelPool) : undefined;
const d = new Dispatcher({
  name: f.name, maxInstances: f.maxInstances, concurrency: f.concurrency, coldStart: f.coldStart, idleTimeout: f.idleTimeout,
  provisioned: f.provisioned, service: { dist: "constant", value: 0 }, handlers: f.handlers, network: f.network, timeout: f.timeout, onThrottle: f.onThrottle,
  queue: f.queue, queueTimeout: f.queueTimeout, seed: cfg.seed, port: cfg.port,
  socketDir: dirname(process.argv[2]!),
}, { cache, db, metrics: cache || db ? () => metrics.registry.metrics() : undefined });
await d.start();
process.stdout.write(`${new Date().toISOString()} function ${f.name} listening on 127.0.0.1:${cfg.port} (${f.provisioned} provisioned, up to ${f.maxInstances} x ${f.concurrency})\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await d.close();
  await Promise.allSettled([db?.close(), cache?.close()]);
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
