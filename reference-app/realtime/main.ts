// One instance of the scenario's realtime component: the WebSocket server (realtime/server.ts) on
// its port of 127.0.0.1 with the model's limits, subscribed to the run's backbone Redis. Started by
// the launcher with its config file's path (0600: it holds the Redis password); SIGTERM stops it.
import { readConfig, type RealtimeConfig } from "../config.ts";
import { startRealtimeServer } from "./server.ts";

const cfg = readConfig<RealtimeConfig>(process.argv[2]!);
const rt = cfg.realtime;
const name = `${rt.name}-${cfg.index}`;
const server = await startRealtimeServer({
  port: cfg.port,
  instance: name,
  maxConnections: rt.maxConnections,
  redis: { host: "127.0.0.1", port: cfg.redis.port, password: cfg.redis.password },
  memory: rt.memory,
  memoryBase: rt.memoryBase,
  memoryPerConnection: rt.memoryPerConnection,
  messageSize: rt.messageSize,
  restartAfter: rt.restartAfter,
  network: rt.network,
  seed: cfg.seed,
});
process.stdout.write(`${new Date().toISOString()} ${name} listening on 127.0.0.1:${server.port} (max ${rt.maxConnections} connections)\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
