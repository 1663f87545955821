// One queue worker: consumes the run's queue with the YAML's prefetch, waits the sampled service
// time, fails a `failure_rate` share of handlings on purpose (retried by republishing with an
// attempt count, then dead-lettered), and records each message as one row of `processed`
// (INSERT ... ON CONFLICT DO NOTHING), so a redelivery after a crash never counts twice.
// The ack comes after the row is committed: a worker killed mid-message loses nothing.
// First: when the config asks for traces, the instrumentations must be in place before pg & co load.
import { flushTracing } from "../tracing.ts";
import http from "node:http";
import amqp from "amqplib";
import pg from "pg";
import client from "prom-client";
import { readConfig, type WorkerConfig } from "../config.ts";
import { sample, streamFor } from "../sampler.ts";
import { sleep } from "../service/handlers.ts";
import { bearerMatches } from "../token.ts";
import type { Step } from "../plan.ts";

const cfg = readConfig<WorkerConfig>(process.argv[2]!);
const q = cfg.queue;
const rng = streamFor(cfg.seed, `worker-${q.name}-${cfg.index}`);

const registry = new client.Registry();
registry.setDefaultLabels({ queue: q.name, worker: String(cfg.index) });
client.collectDefaultMetrics({ register: registry });
const m = {
  busy: new client.Gauge({ name: "headroom_worker_busy", help: "Messages being handled now", registers: [registry] }),
  acked: new client.Counter({ name: "headroom_queue_acked_total", help: "Messages handled and acknowledged", registers: [registry] }),
  processed: new client.Counter({ name: "headroom_queue_processed_total", help: "New rows in processed (first handling)", registers: [registry] }),
  duplicates: new client.Counter({ name: "headroom_queue_duplicates_total", help: "Redelivered messages whose row already existed", registers: [registry] }),
  failures: new client.Counter({ name: "headroom_queue_failures_total", help: "Handlings that failed (injected or real)", registers: [registry] }),
  retried: new client.Counter({ name: "headroom_queue_retried_total", help: "Failed messages republished for another attempt", registers: [registry] }),
  deadLettered: new client.Counter({ name: "headroom_queue_dead_lettered_total", help: "Messages moved to the dead-letter queue after the last retry", registers: [registry] }),
  asyncLatency: new client.Histogram({
    name: "headroom_async_latency_seconds",
    help: "Time from publish (in the service) to processed (row committed here)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  }),
  redelivered: new client.Counter({ name: "headroom_queue_redelivered_total", help: "Messages the broker delivered again (a worker died or closed holding them)", registers: [registry] }),
  paused: new client.Gauge({ name: "headroom_worker_paused", help: "1 while consumption is paused by a fault", registers: [registry] }),
};

const pool = cfg.db
  ? new pg.Pool({
      host: "127.0.0.1",
      // a database of another region than the queue's: through the region relay, its connections kept (set-up is crossings the model never charges)
      port: cfg.db.relayPorts?.[String(cfg.db.endpoints.primary)] ?? cfg.db.endpoints.primary,
      ...(cfg.db.relayPorts?.[String(cfg.db.endpoints.primary)] !== undefined ? { idleTimeoutMillis: 0 } : {}),
      user: cfg.db.endpoints.user, password: cfg.db.endpoints.password, database: cfg.db.endpoints.database, max: Math.min(q.prefetch, 10),
    })
  : undefined;
pool?.on("error", () => {});
// A connection cut mid-query (the database killed) also emits 'error' on the checked-out client; unheard, it ends the process.
pool?.on("connect", (c) => c.on("error", () => {}));

// The plan admits only database reads and writes in a worker's handler: their costs add up.
const dbSteps = q.handler.filter((s): s is Extract<Step, { call: string }> => "call" in s);

const conn = await amqp.connect(cfg.amqpUrl);
const ch = await conn.createConfirmChannel();
await ch.prefetch(q.prefetch);
let consumerTag: string | undefined;
let inFlight = 0;

function republish(queue: string, msg: amqp.ConsumeMessage, attempt: number): Promise<void> {
  return new Promise((resolve, reject) =>
    ch.sendToQueue(queue, msg.content, { persistent: true, contentType: "application/json", headers: { "x-attempt": attempt } }, (err) =>
      err ? reject(err) : resolve(),
    ),
  );
}

async function record(body: { order_id: string; published_at: number }, attempt: number): Promise<void> {
  if (!pool) return;
  // The handler's database operations cost time on the primary; the row is the idempotent result.
  const cost = cfg.db ? dbSteps.reduce((sum, s) => sum + sample(s.op === "read" ? cfg.db!.read : cfg.db!.write, rng), 0) : 0;
  const r = await pool.query(
    "INSERT INTO processed (order_id, queue, worker, attempt, published_at) " +
      "SELECT $1, $2, $3, $4, to_timestamp($5::double precision / 1000) FROM pg_sleep($6) ON CONFLICT (order_id) DO NOTHING",
    [body.order_id, q.name, cfg.index, attempt, body.published_at, cost],
  );
  if (r.rowCount === 1) m.processed.inc();
  else m.duplicates.inc();
}

async function onMessage(msg: amqp.ConsumeMessage | null): Promise<void> {
  if (!msg) return; // consumer cancelled by the broker (queue deleted at the end of the run)
  inFlight++;
  m.busy.set(inFlight);
  if (msg.fields.redelivered) m.redelivered.inc();
  try {
    const attempt = Number(msg.properties.headers?.["x-attempt"] ?? 0);
    let body: { order_id: string; published_at: number };
    try {
      body = JSON.parse(msg.content.toString("utf8"));
    } catch {
      // A message nobody can handle goes straight to the dead-letter queue.
      await republish(q.names.dlq, msg, attempt);
      ch.ack(msg);
      m.deadLettered.inc();
      return;
    }
    await sleep(sample(q.service, rng));
    let ok = rng.next() >= q.failureRate;
    if (ok) {
      try {
        await record(body, attempt);
      } catch (e) {
        process.stderr.write(`${new Date().toISOString()} record failed: ${e instanceof Error ? e.message : String(e)}\n`);
        ok = false;
      }
    }
    if (ok) {
      ch.ack(msg);
      m.acked.inc();
      m.asyncLatency.observe(Math.max(0, (Date.now() - body.published_at) / 1000));
      return;
    }
    m.failures.inc();
    if (attempt < q.retries) {
      await republish(q.names.queue, msg, attempt + 1);
      m.retried.inc();
    } else {
      await republish(q.names.dlq, msg, attempt);
      m.deadLettered.inc();
    }
    ch.ack(msg);
  } finally {
    inFlight--;
    m.busy.set(inFlight);
  }
}

// A partition's one consumer handles its messages one at a time, in delivery order, so a key's
// messages are handled in publish order (parts/partitions.ts); prefetch only fills the window.
let partitionTail: Promise<void> = Promise.resolve();
const logFailure = (e: unknown) => void process.stderr.write(`${new Date().toISOString()} ${e instanceof Error ? e.stack : String(e)}\n`);
const handle = (msg: amqp.ConsumeMessage | null): void => {
  if (q.partitions === undefined) void onMessage(msg).catch(logFailure);
  else partitionTail = partitionTail.then(() => onMessage(msg).catch(logFailure));
};

async function resume(): Promise<void> {
  if (consumerTag) return;
  const r = await ch.consume(q.names.queue, handle, { noAck: false });
  consumerTag = r.consumerTag;
  m.paused.set(0);
}

async function pause(): Promise<void> {
  if (!consumerTag) return;
  const tag = consumerTag;
  consumerTag = undefined;
  await ch.cancel(tag);
  m.paused.set(1);
}

const server = http.createServer((req, res) => {
  const reply = (status: number, text: string, type = "text/plain; charset=utf-8") => {
    // The pid lets the launcher's readiness check tell this process from another holding the port.
    res.writeHead(status, { "content-type": type, "x-headroom-pid": String(process.pid) });
    res.end(text);
  };
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/healthz") return reply(200, "ok\n");
  if (req.method === "GET" && path === "/metrics") {
    registry.metrics().then((t) => reply(200, t, registry.contentType), () => reply(500, "metrics failed\n"));
    return;
  }
  if (req.method === "POST" && (path === "/admin/pause" || path === "/admin/resume")) {
    if (!bearerMatches(req.headers.authorization, cfg.token)) return reply(401, "token required\n");
    (path === "/admin/pause" ? pause() : resume()).then(() => reply(200, "ok\n"), (e) => reply(500, `${String(e)}\n`));
    return;
  }
  reply(404, "no such endpoint\n");
});

await resume();
server.listen(cfg.port, "127.0.0.1", () => {
  process.stdout.write(`${new Date().toISOString()} worker ${q.name}#${cfg.index} on 127.0.0.1:${cfg.port}\n`);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  try {
    await pause();
    // Finish what is in hand; anything unacked after this is redelivered by the broker.
    const deadline = Date.now() + 5000;
    while (inFlight > 0 && Date.now() < deadline) await sleep(0.02);
    await ch.close();
    await conn.close();
  } catch {
    /* broker already gone */
  }
  await pool?.end().catch(() => {});
  await flushTracing();
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
