// A function's dispatcher as a process of its own, as `app up` runs it (parts/node-procs.ts): reads
// its config (config.ts FunctionConfig), serves on 127.0.0.1:<port> (invocations, /metrics,
// /healthz) and forks the instances on demand. SIGTERM/SIGINT close it: every instance killed and
// awaited. Killed outright (SIGKILL to the process group, as the launcher's cleanup and the kill
// fault do), its instances die with it; one that escapes exits when its IPC channel closes.
import { readConfig, type FunctionConfig } from "../config.ts";
import { Dispatcher } from "./dispatcher.ts";

const cfg = readConfig<FunctionConfig>(process.argv[2]!);
const f = cfg.fn;
const d = new Dispatcher({
  name: f.name, maxInstances: f.maxInstances, concurrency: f.concurrency, coldStart: f.coldStart, idleTimeout: f.idleTimeout,
  provisioned: f.provisioned, service: { dist: "constant", value: 0 }, work: f.work, timeout: f.timeout, onThrottle: f.onThrottle,
  queue: f.queue, queueTimeout: f.queueTimeout, seed: cfg.seed, port: cfg.port,
});
await d.start();
process.stdout.write(`${new Date().toISOString()} function ${f.name} listening on 127.0.0.1:${cfg.port} (${f.provisioned} provisioned, up to ${f.maxInstances} x ${f.concurrency})\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await d.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
