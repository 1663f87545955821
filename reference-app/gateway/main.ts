// The users' resilience gateway as a process of its own, as `app up` runs it (parts/node-procs.ts):
// reads its config (config.ts GatewayConfig), serves on 127.0.0.1:<port> in front of the entry
// (gateway/gateway.ts), answers /healthz, /metrics and /_headroom/gateway. SIGTERM/SIGINT close it.
import { readConfig, type GatewayConfig } from "../config.ts";
import { startGateway } from "./gateway.ts";

const cfg = readConfig<GatewayConfig>(process.argv[2]!);
const g = await startGateway({ upstream: cfg.upstream, service: cfg.service, spec: cfg.spec, seed: cfg.seed }, cfg.port);
const what = [cfg.spec.timeout !== undefined ? `timeout ${cfg.spec.timeout} s` : "", cfg.spec.retries ? `${cfg.spec.retries.attempts} attempts` : "", cfg.spec.circuit_breaker ? "a breaker" : ""].filter(Boolean).join(", ");
process.stdout.write(`${new Date().toISOString()} resilience gateway for ${cfg.service} listening on 127.0.0.1:${cfg.port} -> ${cfg.upstream} (${what})\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  const s = g.snapshot();
  process.stdout.write(`${new Date().toISOString()} resilience gateway stopping: ${JSON.stringify(s.counts)}\n`);
  await g.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
