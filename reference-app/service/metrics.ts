// The service replica's Prometheus metrics (prom-client): slots, accept queue, pools, cache,
// replication lag and publishing. Names are prefixed headroom_ and shared with the collector's docs.
import client from "prom-client";

export function serviceMetrics(labels: { service: string; replica: string }) {
  const registry = new client.Registry();
  registry.setDefaultLabels(labels);
  client.collectDefaultMetrics({ register: registry });
  const m = {
    registry,
    requests: new client.Counter({ name: "headroom_http_requests_total", help: "HTTP requests answered, by class and status", labelNames: ["class", "status"], registers: [registry] }),
    latency: new client.Histogram({
      name: "headroom_http_request_duration_seconds",
      help: "Time from arrival at the replica to the answer, by class",
      labelNames: ["class"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    slotsBusy: new client.Gauge({ name: "headroom_slots_busy", help: "Concurrency slots in use", registers: [registry] }),
    // Set by main.ts from Slots.busySeconds() when scraped (a gauge: prom-client counters only add).
    slotsBusySeconds: new client.Gauge({ name: "headroom_slots_busy_seconds", help: "Slot-seconds held since the replica started (integral of busy slots; its rate is the mean busy slots)", registers: [registry] }),
    slotsTotal: new client.Gauge({ name: "headroom_slots_total", help: "Concurrency slots of this replica", registers: [registry] }),
    acceptQueue: new client.Gauge({ name: "headroom_accept_queue_length", help: "Requests waiting for a slot", registers: [registry] }),
    acceptRejected: new client.Counter({ name: "headroom_accept_queue_rejected_total", help: "Requests refused with 503 because the accept queue was full", registers: [registry] }),
    poolWaiting: new client.Gauge({ name: "headroom_db_pool_waiting", help: "Requests waiting for a pooled connection, by server", labelNames: ["server"], registers: [registry] }),
    poolWait: new client.Histogram({
      name: "headroom_db_pool_wait_seconds",
      help: "Time spent waiting for a pooled connection, by server",
      labelNames: ["server"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    poolTimeouts: new client.Counter({ name: "headroom_db_pool_timeouts_total", help: "Pool acquisitions that timed out", labelNames: ["server"], registers: [registry] }),
    dbQueries: new client.Counter({ name: "headroom_db_queries_total", help: "Queries run, by server and op", labelNames: ["server", "op"], registers: [registry] }),
    cacheHits: new client.Counter({ name: "headroom_cache_hits_total", help: "Cache GETs that found the key", registers: [registry] }),
    cacheMisses: new client.Counter({ name: "headroom_cache_misses_total", help: "Cache GETs that did not", registers: [registry] }),
    cacheErrors: new client.Counter({ name: "headroom_cache_errors_total", help: "Cache operations that failed (treated as misses)", registers: [registry] }),
    replicaLag: new client.Gauge({ name: "headroom_db_replica_lag_seconds", help: "Replay lag of each streaming replica as seen from this replica", labelNames: ["server"], registers: [registry] }),
    published: new client.Counter({ name: "headroom_queue_published_total", help: "Messages confirmed by the broker", labelNames: ["queue"], registers: [registry] }),
    // the outgoing calls' own time (after any pool wait, without the YAML's injected `network`):
    // what validation's calibration at load compares with the model's per-hop times
    callTime: new client.Histogram({
      name: "headroom_call_seconds",
      help: "Time of one outgoing call as the service sees it (Redis command, PostgreSQL query after the pool, publish until the broker's confirm), by kind and op",
      labelNames: ["kind", "op"],
      // fine enough between 0.5 and 20 ms for calibration to read a confirm's spread from them
      buckets: [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.035, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    // the called services' retries and breakers run by this caller (service/peers.ts): a gauge read
    // from the caller's own counts at each scrape, by target and what happened
    resilience: new client.Gauge({ name: "headroom_calls_resilience_total", help: "Calls to other services by target: calls, attempts, retries, budget_denied, timeouts, failed, short_circuited, breaker_opened", labelNames: ["target", "what"], registers: [registry] }),
    publishRejected: new client.Counter({ name: "headroom_queue_publish_rejected_total", help: "Messages the broker refused (queue full)", labelNames: ["queue"], registers: [registry] }),
  };
  return m;
}

export type ServiceMetrics = ReturnType<typeof serviceMetrics>;
