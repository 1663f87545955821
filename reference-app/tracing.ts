// OpenTelemetry tracing for a service replica or queue worker, on only when the launcher asks for it
// (`tracing` in the process's config file, from `headroom app up --traces FILE`): the Node SDK with
// the http, pg, ioredis and amqplib instrumentations, exported over OTLP/HTTP (JSON) to the run's
// own receiver on 127.0.0.1 with the run's bearer token. Imported first by service/main.ts and
// worker/main.ts so the instrumentations are registered before pg, ioredis and amqplib load: they
// are required here once, through require (which the instrumentations hook), and the app's ESM
// imports then get the same, patched modules from the require cache. Off, it costs one config read.
// Trades away the spans of the last batch of a process killed with SIGKILL (the batch processor
// exports every 200 ms; a normal stop flushes), and leans on one private field of the SDK's spans
// for sub-millisecond start times (see preciseStart).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { markInjectedWait } from "./injected-wait.ts";

export interface TracingConfig {
  /** OTLP/HTTP traces URL, e.g. http://127.0.0.1:PORT/v1/traces. */
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** service.name: the scenario component (the service, or `<queue>-worker`). */
  readonly serviceName: string;
  /** service.instance.id: the process's part name (api-1, worker-orders-2). */
  readonly instanceId: string;
}

let flush: () => Promise<void> = async () => {};

/** Exports the spans still buffered; a no-op when tracing is off. Call before exiting. */
export function flushTracing(): Promise<void> {
  return flush();
}

function configured(): TracingConfig | undefined {
  const path = process.argv[2];
  if (!path) return undefined;
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as { tracing?: TracingConfig }).tracing;
  } catch {
    return undefined; // main.ts reads the same file and reports what is wrong with it
  }
}

const cfg = configured();
if (cfg) {
  const require = createRequire(import.meta.url);
  const { NodeTracerProvider, BatchSpanProcessor } = require("@opentelemetry/sdk-trace-node") as typeof import("@opentelemetry/sdk-trace-node");
  const { resourceFromAttributes } = require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http") as typeof import("@opentelemetry/exporter-trace-otlp-http");
  const { registerInstrumentations } = require("@opentelemetry/instrumentation") as typeof import("@opentelemetry/instrumentation");
  const { HttpInstrumentation } = require("@opentelemetry/instrumentation-http") as typeof import("@opentelemetry/instrumentation-http");
  const { PgInstrumentation } = require("@opentelemetry/instrumentation-pg") as typeof import("@opentelemetry/instrumentation-pg");
  const { IORedisInstrumentation } = require("@opentelemetry/instrumentation-ioredis") as typeof import("@opentelemetry/instrumentation-ioredis");
  const { AmqplibInstrumentation } = require("@opentelemetry/instrumentation-amqplib") as typeof import("@opentelemetry/instrumentation-amqplib");

  const { hrTime } = require("@opentelemetry/core") as typeof import("@opentelemetry/core");
  // The SDK starts a span at Date.now(), whole milliseconds, and measures its duration with the
  // performance clock: children then sit up to 1 ms off inside their parents, which own time cannot
  // tell from work. This processor, first in line, restarts each span at the performance clock's
  // reading the SDK took in the same constructor (a private field: checked, skipped if absent).
  const preciseStart = {
    onStart(span: unknown) {
      const s = span as { startTime: [number, number]; _performanceStartTime?: unknown; _startTimeProvided?: unknown };
      if (typeof s._performanceStartTime === "number" && s._startTimeProvided === false) s.startTime = hrTime(s._performanceStartTime);
    },
    onEnd() {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const exporter = new OTLPTraceExporter({ url: cfg.endpoint, headers: { authorization: `Bearer ${cfg.token}` } });
  const processor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 200, maxQueueSize: 65_536, maxExportBatchSize: 2_048 });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": cfg.serviceName, "service.instance.id": cfg.instanceId }),
    spanProcessors: [preciseStart, processor],
  });
  provider.register();
  const quiet = new Set(["/healthz", "/metrics", "/pause", "/resume"]);
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => quiet.has((req.url ?? "").split("?")[0]!),
        // Outgoing HTTP of these processes is the exporter's own and the broker's management calls.
        ignoreOutgoingRequestHook: () => true,
      }),
      // The wait the query was told to take (its pg_sleep argument), so a test can tell the
      // stack's own round trip from the injected work in each span (fit/fit-loop.e2e.test.ts).
      new PgInstrumentation({ requestHook: markInjectedWait }),
      new IORedisInstrumentation(),
      new AmqplibInstrumentation(),
    ],
  });
  // Load the instrumented modules through require now, so the hooks patch them before main.ts's
  // imports (which share the require cache) use them.
  for (const m of ["http", "pg", "pg-pool", "ioredis", "amqplib"]) {
    try {
      require(m);
    } catch {
      // a process that does not use it (pg-pool comes with pg)
    }
  }
  flush = () => provider.forceFlush().catch(() => {});
}
