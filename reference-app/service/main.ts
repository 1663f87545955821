// One replica of the scenario's service: a node:http server on 127.0.0.1 that serves every request
// class inside a concurrency slot, runs the class's call graph against the real cache, database,
// broker and the other services it calls (service/peers.ts), and exposes /healthz and /metrics. Started by the launcher with its config file's path.
// First: when the config asks for traces, the instrumentations must be in place before pg & co load.
import { flushTracing } from "../tracing.ts";
import http from "node:http";
import { randomUUID } from "node:crypto";
import { readConfig, type ServiceConfig } from "../config.ts";
import { sample, streamFor } from "../sampler.ts";
import { serviceMetrics } from "./metrics.ts";
import { Slots } from "./slots.ts";
import { compileRoutes, KEY_HEADER, matchRoute, parseOrder } from "./routes.ts";
import { Db, DbUnavailable, PoolTimeout } from "./db.ts";
import { bearerMatches } from "../token.ts";
import { Cache } from "./cache.ts";
import { Publisher, QueueFull } from "./publisher.ts";
import { runSteps, type Deps, type RequestContext } from "./handlers.ts";
import { MAX_SIZED_BODY } from "../body-limit.ts";
import { firstRow, nextLink, pageAfter } from "./pages.ts";
import { CALL_PATH, CallFailed, Peers, padJson, parseCall } from "./peers.ts";
import { RealtimePublisher } from "../realtime/publish.ts";
import { CallTimeoutError } from "./resilience.ts";
import { BrokenCircuitError } from "cockatiel";

const MAX_BODY = 16 * 1024;

const cfg = readConfig<ServiceConfig>(process.argv[2]!);
const metrics = serviceMetrics({ service: cfg.service.name, replica: String(cfg.index) });
const slots = new Slots(cfg.service.concurrency, cfg.service.backlog, undefined, cfg.service.queueTimeout !== undefined ? cfg.service.queueTimeout * 1000 : undefined);
metrics.slotsTotal.set(cfg.service.concurrency);
const routes = compileRoutes(cfg.classes);
const rng = streamFor(cfg.seed, `${cfg.service.name}-${cfg.index}`);
// Response sizes draw apart, so the service times drawn from `rng` stay as without sizes.
const sizeRng = streamFor(cfg.seed, `${cfg.service.name}-${cfg.index}:response-size`);

const db = cfg.db ? new Db(cfg.db, cfg.db.endpoints, rng, metrics, cfg.db.shardEndpoints, cfg.db.modelPool) : undefined;
// One lag monitor per service (its replica 1): each holds a connection on every database replica.
if (cfg.index === 1) db?.startLagMonitor();
const cache = cfg.cache ? new Cache(cfg.cache, metrics) : undefined;
// Connected before serving: a cache or database of another region is reached over the region
// relay, where a connection's set-up takes crossings the model never charges a request.
// Not fatal: a cache not ready counts misses as before; a connection not opened is opened by the
// first query that needs it (paying its set-up), as is said on stderr.
await cache?.ready().catch((e) => process.stderr.write(`${new Date().toISOString()} ${String(e)}\n`));
await db?.warm().catch((e) => process.stderr.write(`${new Date().toISOString()} database connections not all opened before serving: ${String(e)}\n`));
const publisher = cfg.queues.length
  ? await Publisher.open(cfg.amqpUrl, new Map(cfg.queues.map((q) => [q.name, q.names.partitions ?? q.names.queue])), metrics)
  : undefined;
const peers = cfg.peers ? new Peers(cfg.peers, cfg.peerResilience, cfg.seed, cfg.index) : undefined;
const realtime = cfg.realtime ? new RealtimePublisher(cfg.realtime, cfg.seed, `${cfg.service.name}-${cfg.index}`) : undefined;
const deps: Deps = { rng, network: cfg.service.network, cache, db, publisher, peers, realtime };
const orderKeys = cfg.productKeys ?? cfg.db?.keys ?? 1;

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, {
    "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A JSON answer padded with a `pad` field to `bytes` bytes (the class's or the call's response size); as is when already larger. */
const padded = (body: unknown, bytes: number): string => padJson(JSON.stringify(body), bytes);

function readBody(req: http.IncomingMessage, limit = MAX_BODY): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const t0 = performance.now();
  // An absolute-form target (`GET http://[bad/ HTTP/1.1`) passes node's parser but not URL's: a
  // client error, answered 400 rather than left to throw into the 500 path.
  let url: URL;
  try {
    url = new URL(req.url ?? "/", "http://127.0.0.1");
  } catch {
    return send(res, 400, { error: "malformed request target" });
  }
  // The pid lets the launcher's readiness check tell this process from another holding the port.
  if (url.pathname === "/healthz" && req.method === "GET") return send(res, 200, "ok\n", { "x-headroom-pid": String(process.pid) });
  if (url.pathname === "/metrics" && req.method === "GET") {
    metrics.slotsBusy.set(slots.inUse);
    metrics.slotsBusySeconds.set(slots.busySeconds());
    metrics.acceptQueue.set(slots.queued);
    if (peers) {
      for (const [target, c] of Object.entries(peers.resilienceCounts())) {
        for (const [what, v] of Object.entries(c)) metrics.resilience.set({ target, what: what.replace(/[A-Z]/g, (x) => `_${x.toLowerCase()}`) }, v);
      }
    }
    return send(res, 200, await metrics.registry.metrics(), { "content-type": metrics.registry.contentType });
  }
  // The launcher's failover (parts/pg-failover.ts): a shard's primary is down, or a replica was
  // promoted and takes the writes. Only with the run's token.
  if (url.pathname === "/admin/db" && req.method === "POST") {
    if (!cfg.token || !bearerMatches(req.headers.authorization, cfg.token)) return send(res, 401, { error: "the run's token is required" });
    if (!db) return send(res, 400, { error: "this service has no database" });
    const body = await readBody(req);
    let ev: { event?: unknown; shard?: unknown; port?: unknown };
    try {
      ev = JSON.parse(body ?? "") as typeof ev;
    } catch {
      return send(res, 400, { error: "a JSON body { event, shard, port } is expected" });
    }
    try {
      if (ev.event === "primary-down" && typeof ev.shard === "number") db.primaryDown(ev.shard);
      else if (ev.event === "promoted" && typeof ev.shard === "number" && typeof ev.port === "number") db.promoted(ev.shard, ev.port);
      else return send(res, 400, { error: "event is primary-down { shard } or promoted { shard, port }" });
    } catch (e) {
      return send(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
    return send(res, 200, { ok: true });
  }
  let order: RequestContext["order"];
  let m: ReturnType<typeof matchRoute>;
  /** A call's answer size in bytes (its step's response_size as the caller drew it). */
  let callRespond: number | undefined;
  if (url.pathname === CALL_PATH && req.method === "POST") {
    // A call from another service: its class, key and order in the body (padded to the call
    // step's request_size, if it has one).
    const body = await readBody(req, MAX_SIZED_BODY);
    if (body === undefined) return send(res, 413, { error: `body larger than ${MAX_SIZED_BODY} bytes` });
    const call = parseCall(body, (c) => {
      const cls = cfg.classes.find((k) => k.name === c);
      return cls ? cls.keyCount : null;
    });
    if (typeof call === "string") return send(res, 400, { error: call });
    m = { kind: "ok", cls: { ...cfg.classes.find((k) => k.name === call.class)!, via: "lb" }, key: call.key };
    order = call.order;
    callRespond = call.respond;
  } else {
    const headerKey = req.headers[KEY_HEADER];
    m = matchRoute(routes, req.method ?? "GET", url.pathname, typeof headerKey === "string" ? headerKey : undefined);
  }
  if (m.kind === "bad") return send(res, m.status, { error: m.error });

  // A class with a request_size: its body (padded by the load generators) is read whole before the
  // work starts, as an API reads what it is sent; on a GET it carries nothing else.
  const bodyLimit = m.cls.requestSize && url.pathname !== CALL_PATH ? MAX_SIZED_BODY : MAX_BODY;
  if (order === undefined && (req.method === "POST" || req.method === "PUT" || req.method === "PATCH") && url.pathname !== CALL_PATH) {
    const body = await readBody(req, bodyLimit);
    if (body === undefined) return send(res, 413, { error: `body larger than ${bodyLimit} bytes` });
    const parsed = parseOrder(body, orderKeys, m.key !== undefined && m.key < orderKeys ? m.key : 0);
    if (typeof parsed === "string") return send(res, 400, { error: parsed });
    order = { id: randomUUID(), ...parsed };
  } else if (bodyLimit === MAX_SIZED_BODY && (await readBody(req, bodyLimit)) === undefined) return send(res, 413, { error: `body larger than ${bodyLimit} bytes` });

  // A paginated class: this call is one page, its cursor in ?after= (service/pages.ts); a call from
  // another service reads its key's first page.
  const pg = m.cls.pagination;
  let page: RequestContext["page"];
  if (pg) {
    const rows = cfg.db ? (cfg.db.table?.rows ?? cfg.db.keys) : 0;
    const after = url.pathname === CALL_PATH ? firstRow(m.key ?? 0, pg.pageSize, pg.pages, rows) - 1 : pageAfter(url.searchParams, m.key ?? 0, pg.pageSize, pg.pages, rows);
    if (typeof after === "string") return send(res, 400, { error: after });
    page = { after, pageSize: pg.pageSize, rowSize: pg.rowSize };
  }

  const className = m.cls.name;
  // the class's size is what its users get; a call from another service carries its step's size,
  // if any (model/payload.ts callSizes)
  const responseSize = url.pathname === CALL_PATH ? undefined : m.cls.responseSize;
  const done = (status: number, body: unknown, headers?: Record<string, string>) => {
    metrics.requests.inc({ class: className, status: String(status) });
    metrics.latency.observe({ class: className }, (performance.now() - t0) / 1000);
    if (status === 200 && callRespond) send(res, status, padded(body, callRespond), { ...headers, "content-type": "application/json" });
    else if (status === 200 && responseSize) send(res, status, padded(body, sample(responseSize, sizeRng)), { ...headers, "content-type": "application/json" });
    else send(res, status, body, headers);
  };

  const release = await slots.acquire();
  metrics.acceptQueue.set(slots.queued);
  if (!release) {
    metrics.acceptRejected.inc();
    return done(503, { error: "accept queue full" });
  }
  // a station's queue_timeout: the request left the queue (reneged)
  if (release === "timeout") return done(503, { error: "queue timeout" });
  metrics.slotsBusy.set(slots.inUse);
  const ctx: RequestContext = { className, key: m.key, order, ...(page ? { page } : {}) };
  // browser_cache: a conditional request carrying the ETag this class and key answer with is a
  // revalidation: the `<class>/revalidate` handler's work, then a 304.
  const bc = m.cls.browserCache;
  const tag = bc?.etag ? browserEtag(className, m.key) : undefined;
  const revalidation = tag !== undefined && req.headers["if-none-match"] === tag;
  const handler = (revalidation ? cfg.service.handlers[`${className}/revalidate`] : undefined) ?? cfg.service.handlers[className] ?? [];
  // The slot stays held until the call graph really finishes, even after a timeout answer, as a
  // thread would be.
  const work = runSteps(handler, ctx, deps).finally(() => {
    release();
    metrics.slotsBusy.set(slots.inUse);
  });
  let timer: NodeJS.Timeout | undefined;
  const limit = cfg.service.timeout;
  // Without a timeout in the YAML a request runs as long as its work does, as in the simulator.
  const timeout = limit === undefined ? undefined : new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), limit * 1000)));
  try {
    const outcome = await (timeout ? Promise.race([work.then(() => "done" as const), timeout]) : work.then(() => "done" as const));
    if (outcome === "timeout") {
      work.catch(() => {});
      return done(504, { error: `timed out after ${limit}s` });
    }
  } catch (e) {
    if (e instanceof PoolTimeout) return done(503, { error: "database pool timeout" });
    if (e instanceof DbUnavailable) return done(503, { error: `database unavailable: ${e.message}` });
    if (e instanceof QueueFull) return done(503, { error: "queue full" });
    // a function's throttle (its dispatcher's 429) reaches the client as one, as an API gateway passes it on
    if (e instanceof CallFailed) return done(e.status >= 500 || e.status === 429 ? e.status : 502, { error: e.message });
    // the called service's policies, run here (service/resilience.ts): its timeout, its open breaker
    if (e instanceof CallTimeoutError) return done(504, { error: e.message });
    if (e instanceof BrokenCircuitError) return done(503, { error: `circuit open: ${e.message}` });
    process.stderr.write(`${new Date().toISOString()} ${className}: ${e instanceof Error ? e.stack : String(e)}\n`);
    return done(500, { error: "internal error" });
  } finally {
    clearTimeout(timer);
  }

  // browser_cache: the YAML's max-age and the ETag on every answer (a 304 to a revalidation)
  const browserHeaders = bc ? { "cache-control": `max-age=${Math.round(bc.maxAge)}`, ...(tag ? { etag: tag } : {}) } : undefined;
  if (revalidation) return done(304, "", browserHeaders);
  if (order) return done(201, { order_id: order.id }, browserHeaders);
  if (page) {
    // a page: what it read, and the next page's link (the body padded to the page's wire size)
    const link = url.pathname === CALL_PATH ? undefined : nextLink(url.pathname, page.after, page.pageSize, ctx.pageRead);
    const cacheControl = m.cls.via === "cdn" && cfg.cdnTtl !== undefined ? `public, max-age=${Math.round(cfg.cdnTtl)}` : "no-store";
    return done(200, { class: className, key: m.key ?? null, after: page.after, rows: ctx.pageRead?.rows ?? 0 }, { ...(browserHeaders ?? { "cache-control": cacheControl }), ...(link ? { link } : {}) });
  }
  if (m.key !== undefined && ctx.lookedUp) {
    if (!ctx.product) return done(404, { error: `no product ${m.key}` });
    const cacheControl = m.cls.via === "cdn" && cfg.cdnTtl !== undefined ? `public, max-age=${Math.round(cfg.cdnTtl)}` : "no-store";
    return done(200, { ...ctx.product, cache: ctx.cacheHit ? "hit" : "miss" }, browserHeaders ?? { "cache-control": cacheControl });
  }
  const cacheControl = m.cls.via === "cdn" && cfg.cdnTtl !== undefined ? `public, max-age=${Math.round(cfg.cdnTtl)}` : "no-store";
  return done(200, { class: className, key: m.key ?? null }, browserHeaders ?? { "cache-control": cacheControl });
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    process.stderr.write(`${new Date().toISOString()} unhandled: ${e instanceof Error ? e.stack : String(e)}\n`);
    if (!res.headersSent) send(res, 500, { error: "internal error" });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(cfg.port, "127.0.0.1", () => {
  process.stdout.write(`${new Date().toISOString()} ${cfg.service.name}#${cfg.index} listening on 127.0.0.1:${cfg.port}\n`);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  peers?.close();
  realtime?.close();
  await Promise.allSettled([db?.close(), cache?.close(), publisher?.close(), flushTracing()]);
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

/** The ETag of a class's response for a key: the reference app's content never changes, so a revalidation always gets its 304. */
function browserEtag(className: string, key: number | undefined): string {
  return `"${className}-${key ?? 0}"`;
}
