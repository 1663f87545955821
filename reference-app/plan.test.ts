// planApp: the bundled scenarios plan to the parts they name; scenarios the app cannot realize are
// refused with the field and the reason, before anything starts.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { scenarioOf } from "../simulator/testing.ts";
import { compile } from "../simulator/engine/program.ts";
import { haproxyConfig } from "./parts/haproxy.ts";
import { simulate } from "../simulator/index.ts";
import { connectTimeoutMs } from "./service/db.ts";
import { CDN_TTL_UNSET_S, POOL_UNSET_TIMEOUT_S, linkRoutesNeeded, planApp, poolFor, portsNeeded, shardOfKey } from "./plan.ts";
import { linkRoutes } from "./link-routes.ts";
import { GATEWAY_HEADROOM } from "./function/gateway.ts";

function load(text: string, file = "test.yaml") {
  return scenarioOf(text, file);
}
const bundled = (name: string) => load(readFileSync(new URL(`../scenarios/${name}.yaml`, import.meta.url), "utf8"), name);

const BASE = `
version: 1
name: t
load:
  model: open
  rate: 10/s
  classes:
    get_product:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: api, maxconn: 4 }
  api:
    kind: service
    replicas: 2
    concurrency: 4
    handlers:
      get_product: [{ service: 1ms }, { call: db, op: read }]
  db: { kind: database, keys: 100, read: 1ms, write: 2ms, pool: { size: 4 } }
`;

describe("planApp: TLS at the balancer", () => {
  it("plans the entry balancer's tls (resumption on when the YAML resumes any share)", () => {
    const on = planApp(load(BASE.replace("maxconn: 4 }", "maxconn: 4, tls: { handshake: 1ms, resumed: 0.2ms, resumption: 30%, key: rsa-4096 } }")));
    expect(on.ok && on.plan.lb?.tls).toEqual({ resumption: true, key: "rsa-4096" });
    const off = planApp(load(BASE.replace("maxconn: 4 }", "maxconn: 4, tls: { handshake: 1ms } }")));
    expect(off.ok && off.plan.lb?.tls).toEqual({ resumption: false, key: "rsa-2048" });
    expect(planApp(load(BASE)).ok && (planApp(load(BASE)) as { plan: { lb?: { tls?: unknown } } }).plan.lb?.tls).toBeUndefined();
  });
  it("refuses tls behind a rate-limit gateway (nginx would take the clients' connections)", () => {
    const r = planApp(load(BASE.replace("maxconn: 4 }", "maxconn: 4, rate_limit: { rate: 100/s }, tls: { handshake: 1ms } }")));
    expect(!r.ok && r.issues.map((i) => i.field)).toEqual(["components.lb.tls"]);
  });
});

describe("planApp", () => {
  it("plans cache-aside: HAProxy, 2 replicas, Redis sized from capacity, one primary", () => {
    const r = planApp(bundled("cache-aside"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.lb).toMatchObject({ algorithm: "least_connections", maxconn: 16, queueTimeout: 1 });
    expect(r.plan.service).toMatchObject({ replicas: 2, concurrency: 16, backlog: 64, timeout: 5 });
    expect(r.plan.cache).toMatchObject({ capacity: 5000, ttl: 300, valueSize: 1000 });
    expect(r.plan.db).toMatchObject({ keys: 20000, replicas: 0, readFrom: "primary", pool: { size: 8, timeout: 1 } });
    expect(r.plan.classes).toEqual([
      { name: "get_product", method: "GET", path: "/products/{key}", keyCount: 20000, via: "lb" },
      { name: "create_order", method: "POST", path: "/orders", keyCount: undefined, via: "lb" },
    ]);
  });

  it("plans read-replicas with two replicas, reads from replicas and a 20 ms lag", () => {
    const r = planApp(bundled("read-replicas"));
    expect(r.ok && r.plan.db).toMatchObject({ replicas: 2, readFrom: "replicas", lag: { dist: "constant", value: 0.02 } });
  });

  it("plans queue-offload with one queue of two workers, retries and a max length", () => {
    const r = planApp(bundled("queue-offload"));
    expect(r.ok && r.plan.queues).toMatchObject([
      { name: "orders", workers: 2, prefetch: 10, retries: 3, failureRate: 0.01, maxLength: 10000, overflow: "reject_publish" },
    ]);
  });

  it("plans a station as the one-replica service it amounts to: servers as slots, buffer as backlog", () => {
    const r = planApp(bundled("single-service"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.lb).toBeUndefined();
    expect(r.plan.service).toMatchObject({ name: "api", replicas: 1, places: 1, concurrency: 8, backlog: undefined, handlers: { get_product: [{ service: { dist: "exponential", mean: 0.02 } }] } });
    expect(r.plan.classes).toEqual([{ name: "get_product", method: "GET", path: "/products/{key}", keyCount: 10000, via: "lb" }]);
    const own = planApp(load(BASE.replace("flow: [{ call: lb }]", "flow: [{ visit: st, service: 3ms }]").replace(/  lb: .*\n/, "") + "  st: { kind: station, servers: 2, buffer: 5, service: 1ms }\n"));
    if (!own.ok) throw new Error(JSON.stringify(own.issues));
    expect(own.plan.service).toMatchObject({ name: "st", concurrency: 2, backlog: 5, handlers: { get_product: [{ service: { dist: "constant", value: 0.003 } }] } });
  });

  it("refuses a station's routing and a visit that is not a class's whole flow; plans its queue timeout", () => {
    const text = BASE.replace("flow: [{ call: lb }]", "flow: [st, st2]") + "  st: { kind: station, service: 1ms, routing: [{ to: exit, p: 1 }] }\n  st2: { kind: station, service: 1ms }\n";
    const r = planApp(load(text));
    // the flow is named twice: a visit that is not the whole flow, and a flow that starts with no call
    expect(!r.ok && [...new Set(r.issues.map((i) => i.field))].sort()).toEqual(["components.st.routing", "load.classes.get_product.flow"]);
    const reneging = planApp(load(BASE.replace("flow: [{ call: lb }]", "flow: [st]").replace(/  lb: .*\n/, "") + "  st: { kind: station, servers: 2, service: 1ms, queue_timeout: 250ms }\n"));
    if (!reneging.ok) throw new Error(JSON.stringify(reneging.issues));
    expect(reneging.plan.service).toMatchObject({ name: "st", queueTimeout: 0.25 });
  });

  it("fronts a service of several replicas that clients call straight with the model's client round robin (an HAProxy roundrobin)", () => {
    const r = planApp(bundled("sharded-db"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.lb).toEqual({ name: "api_clients_rr", backends: "api", algorithm: "round_robin", queueTimeout: 5, connectRetries: 0, implicit: true });
    expect(r.plan.balancers[0]).toBe(r.plan.lb);
    expect(r.plan.db).toMatchObject({ shards: 4, replicas: 1, pool: { size: 12, timeout: 2 }, maxConnections: 40 });
    // no maxconn (no queue at the balancer), no checks, no connect retries: the client's spreading only
    const cfg = haproxyConfig(r.plan.lb!, 9000, [9001, 9002, 9003], "/tmp/s", undefined);
    expect(cfg).toContain("balance roundrobin");
    expect(cfg).not.toMatch(/^\s*server .*(maxconn|check)/m);
    expect(cfg).toContain("retries 0");
  });

  it("a called service's retries and breaker go to its callers' plan; the entry's to the users' resilience gateway", () => {
    const inner = BASE.replace("{ service: 1ms }, { call: db, op: read }", "{ service: 1ms }, { call: inv }") +
      "  inv:\n    kind: service\n    service: 2ms\n    timeout: 50ms\n    retries: { attempts: 3, budget: 0.2 }\n    circuit_breaker: { failure_rate: 0.5 }\n";
    const r = planApp(load(inner));
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    const inv = r.plan.services.find((s) => s.name === "inv")!;
    expect(inv.resilience?.retries).toMatchObject({ attempts: 3, budget: 0.2, jitter: "full" });
    expect(inv.resilience?.circuit_breaker).toMatchObject({ failure_rate: 0.5, window: 10, min_calls: 20 });
    expect(r.plan.services.find((s) => s.name === "api")!.calls).toContain("inv");
    const entry = planApp(load(BASE.replace("    concurrency: 4\n    handlers:", "    concurrency: 4\n    retries: { attempts: 2 }\n    handlers:")));
    expect(entry.ok, JSON.stringify(!entry.ok && entry.issues)).toBe(true);
    if (!entry.ok) return;
    expect(entry.plan.service.resilience?.retries).toMatchObject({ attempts: 2 });
    // one more port: the gateway's
    const plain = planApp(load(BASE));
    if (!plain.ok) throw new Error(JSON.stringify(plain.issues));
    expect(portsNeeded(entry.plan)).toBe(portsNeeded(plain.plan) + 1);
  });

  it("plans a function a service calls: its dispatcher's limits, and per class the steps of its handler", () => {
    const r = planApp(load(readFileSync(new URL("../scenarios/validation/dynamic/function-burst.yaml", import.meta.url), "utf8")));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.functions).toEqual([{
      name: "thumbs", maxInstances: 12, concurrency: 8, coldStart: { dist: "constant", value: 0.2 }, idleTimeout: 2, provisioned: 0,
      timeout: undefined, onThrottle: "reject", queue: undefined, queueTimeout: undefined,
      handlers: { thumbnail: [{ service: { dist: "lognormal", mean: 0.1, cv: 0.5 } }] }, calls: [],
    }]);
    expect(r.plan.service.calls).toEqual(["thumbs"]);
    // the admin, the one replica and the dispatcher
    expect(portsNeeded(r.plan)).toBe(3);
    const own = planApp(load(BASE.replace("{ service: 1ms }, { call: db, op: read }", "{ service: 1ms }, { call: fn }") +
      "  fn:\n    kind: function\n    cold_start: 100ms\n    on_throttle: queue\n    queue: 5\n    handlers:\n      get_product: [{ service: 2ms }, { service: 3ms }]\n"));
    if (!own.ok) throw new Error(JSON.stringify(own.issues));
    expect(own.plan.functions[0]).toMatchObject({ maxInstances: 1000, onThrottle: "queue", queue: 5, handlers: { get_product: [{ service: { dist: "constant", value: 0.002 } }, { service: { dist: "constant", value: 0.003 } }] } });
  });

  it("realizes a class entering at a function through its API gateway service, and the function's calls to the cache and the database (serverless-api)", () => {
    const r = planApp(bundled("serverless-api"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    // the classes enter at the gateway, a one-replica service whose handler is the class's flow
    expect(r.plan.service).toMatchObject({ name: "items_fn_gateway", replicas: 1, concurrency: 40 + GATEWAY_HEADROOM, calls: ["items_fn"] });
    expect(r.plan.service.handlers.get_item).toEqual([{ call: "items_fn" }]);
    expect(r.plan.classes.map((c) => c.via)).toEqual(["lb", "lb"]);
    const fn = r.plan.functions[0]!;
    expect(fn.calls).toEqual(["cache", "db"]);
    expect(fn.network).toEqual({ dist: "constant", value: 0.001 });
    expect(fn.handlers.put_item!.map((st) => ("call" in st ? st.call : "service"))).toEqual(["service", "db", "cache"]);
    // a function's publish or call to a service is refused by its field
    const bad = planApp(load(BASE.replace("{ service: 1ms }, { call: db, op: read }", "{ service: 1ms }, { call: fn }") +
      "  fn:\n    kind: function\n    cold_start: 100ms\n    handlers:\n      get_product: [{ service: 2ms }, { call: other }]\n  other:\n    kind: service\n    service: 1ms\n"));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues.find((i) => i.field === "components.fn.handlers.get_product[1]")?.reason).toContain("a call to the service 'other' from a function's handler is not realized");
  });

  it("counts a function's pool in the database's connections", () => {
    const text = readFileSync(new URL("../scenarios/serverless-api.yaml", import.meta.url), "utf8");
    // the dispatcher's pool of 40 fits 42: no gate; PostgreSQL gets room for it, the launcher's 3 and the reserve of 3
    const fits = planApp(load(text.replace("max_connections: 100", "max_connections: 42")));
    expect(fits.ok && fits.plan.db).toMatchObject({ maxConnections: 42, gate: undefined, serverMaxConnections: 46 });
    // 39 < 40: the model's limit can bind, so a gate of 39 queues the dispatcher's 40
    const gated = planApp(load(text.replace("max_connections: 100", "max_connections: 39")));
    expect(gated.ok && gated.plan.db).toMatchObject({ maxConnections: 39, gate: { size: 39, clients: 40 }, serverMaxConnections: 45 });
  });

  it("realizes links beyond the entry: a called service's, a balancer's between services, and sizes on calls to them", () => {
    const yaml = BASE.replace("      get_product: [{ service: 1ms }, { call: db, op: read }]\n", "      get_product: [{ service: 1ms }, { call: store, response_size: 20KB }, { call: inner, request_size: 2KB, response_size: 5KB }]\n") +
      "  store: { kind: service, replicas: 2, bandwidth: 8Mbps, handlers: { get_product: [{ service: 1ms }] } }\n" +
      "  inner: { kind: load_balancer, backends: deep, bandwidth: 16Mbps }\n" +
      "  deep: { kind: service, replicas: 3, handlers: { get_product: [{ service: 1ms }] } }\n";
    const r = planApp(load(yaml));
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    expect(r.plan.links).toEqual([
      { component: "store", kind: "service", bytesPerSecond: 1e6 },
      { component: "inner", kind: "balancer", bytesPerSecond: 2e6 },
    ]);
    // api -> each store replica (store's answers), api -> inner (inner's answers), inner -> each deep
    // replica (inner's requests); nothing in front of lb nor between lb and api (no link at either end)
    expect(linkRoutes(r.plan).map((x) => `${x.name} ${x.up} ${x.down}`)).toEqual([
      "inner->deep-1 1 -1", "inner->deep-2 1 -1", "inner->deep-3 1 -1",
      "api->store-1 -1 0", "api->store-2 -1 0", "api->inner -1 1",
    ]);
    expect(linkRoutesNeeded(r.plan)).toBe(6);
    // a read's response size is realized (the row padded to it); a write's sizes are refused at their field
    const dbRead = planApp(load(BASE.replace("{ call: db, op: read }", "{ call: db, op: read, response_size: 1KB }")));
    expect(dbRead.ok, JSON.stringify(!dbRead.ok && dbRead.issues)).toBe(true);
    const db = planApp(load(BASE.replace("{ call: db, op: read }", "{ call: db, op: write, response_size: 1KB }")));
    expect(!db.ok && db.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual([
      "components.api.handlers.get_product[1].response_size: a write to the database 'db' carries no response size the app realizes: a write answers no row",
    ]);
    // a database's link: a route per calling service to its one server (PostgreSQL's protocol); every read sized
    const linked = BASE.replace("{ call: db, op: read }", "{ call: db, op: read, response_size: 4KB }").replace("kind: database, keys: 100,", "kind: database, bandwidth: 8Mbps, keys: 100,");
    const dbLink = planApp(load(linked));
    expect(dbLink.ok, JSON.stringify(!dbLink.ok && dbLink.issues)).toBe(true);
    if (dbLink.ok) {
      expect(dbLink.plan.links).toEqual([{ component: "db", kind: "database", bytesPerSecond: 1e6 }]);
      expect(linkRoutes(dbLink.plan).map((x) => `${x.name} ${x.up} ${x.down} ${x.protocol}`)).toEqual(["api->db -1 0 pg"]);
    }
    const unsized = planApp(load(linked.replace(", response_size: 4KB", "")));
    expect(!unsized.ok && unsized.issues.map((i) => i.field)).toEqual(["components.api.handlers.get_product[1].response_size"]);
  });

  it("realizes a class's response size (after compression), request size and pagination; refuses what it has no part for", () => {
    const sized = planApp(load(BASE.replace("      keys: { count: 100 }\n", "      keys: { count: 100 }\n      response_size: 40KB\n      compression: 50%\n")));
    expect(sized.ok, JSON.stringify(!sized.ok && sized.issues)).toBe(true);
    if (sized.ok) expect(sized.plan.classes[0].responseSize).toEqual({ dist: "constant", value: 20e3 });
    const media = planApp(bundled("media-api"));
    // both links by the link relay: the balancer's 1 Gbit/s, the API's 10 Gbit/s, in bytes per second
    expect(media.ok, JSON.stringify(!media.ok && media.issues)).toBe(true);
    if (media.ok) {
      expect(media.plan.links).toEqual([
        { component: "lb", kind: "balancer", bytesPerSecond: 125e6 },
        { component: "api", kind: "service", bytesPerSecond: 1.25e9 },
      ]);
      // a route in front of HAProxy and one per API replica
      expect(linkRoutesNeeded(media.plan)).toBe(3);
    }
    // links the relay cannot stand on are refused at their field
    const mediaYaml = readFileSync(new URL("../scenarios/media-api.yaml", import.meta.url), "utf8");
    // a cache's link (Redis's replies, the link relay's RESP routes): every get needs the value's size
    const cachedYaml = mediaYaml.replace("    ttl: 10m\n", "    ttl: 10m\n    bandwidth: 1Gbps\n");
    const cached = planApp(load(cachedYaml));
    expect(!cached.ok && cached.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual(["thumbnail", "image"].map((c) =>
      `components.api.handlers.${c}[1].response_size: the cache 'meta' has a bandwidth: give this get its response_size (1000B, the value a hit returns), as the link carries every value Redis returns and the model only sized answers`));
    const sizedGets = planApp(load(cachedYaml.replaceAll("          op: get\n", "          op: get\n          response_size: 1000B\n").replaceAll("{ call: meta, op: set }", "{ call: meta, op: set, request_size: 1000B }")));
    expect(sizedGets.ok, JSON.stringify(!sizedGets.ok && sizedGets.issues)).toBe(true);
    if (sizedGets.ok) {
      expect(sizedGets.plan.links.map((l) => `${l.component} ${l.kind}`)).toEqual(["lb balancer", "api service", "meta cache"]);
      // each API replica to meta: its commands on api's link, meta's replies on meta's
      expect(linkRoutes(sizedGets.plan).filter((x) => x.protocol === "resp").map((x) => `${x.name} ${x.up} ${x.down}`)).toEqual(["api->meta 1 2"]);
    }
    // a set's value on a linked caller's link needs the relay's route: refused towards a cache without a link
    const unlinkedCache = planApp(load(mediaYaml.replaceAll("{ call: meta, op: set }", "{ call: meta, op: set, request_size: 1000B }")));
    expect(!unlinkedCache.ok && unlinkedCache.issues.map((i) => i.field)).toEqual(["thumbnail", "image"].map((c) => `components.api.handlers.${c}[1].miss[1].request_size`));
    // sizes Redis cannot carry, or not the cache's value size, at their fields
    const odd = planApp(load(cachedYaml.replace("          op: get\n", "          op: get\n          response_size: 2KB\n          request_size: 10B\n").replace("          op: get\n          miss", "          op: get\n          response_size: 1000B\n          miss").replace("{ call: meta, op: set }", "{ call: meta, op: set, response_size: 1KB }")));
    expect(!odd.ok && odd.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual([
      "components.api.handlers.thumbnail[1].request_size: a get to the cache 'meta' carries no request size in Redis: a GET sends its key only",
      "components.api.handlers.thumbnail[1].response_size: a get's response_size is the cached value, which the services pad to the cache's value_size (1000 B): give response_size: 1000B (a constant), or change value_size",
      "components.api.handlers.thumbnail[1].miss[1].response_size: a set to the cache 'meta' carries no response size in Redis: Redis answers a SET with +OK",
    ]);
    const tls = planApp(load(mediaYaml.replace("    overhead: 0.1ms\n", "    overhead: 0.1ms\n    tls: { handshake: 1ms }\n")));
    expect(!tls.ok && tls.issues.map((i) => i.field)).toEqual(["components.lb.bandwidth"]);
    const paged = planApp(load(BASE.replace("      keys: { count: 100 }\n", "      keys: { count: 100 }\n      request_size: 600B\n      compression: 30%\n      pagination: { page_size: 10, row_size: 800B, pages: 4 }\n")));
    expect(paged.ok, JSON.stringify(!paged.ok && paged.issues)).toBe(true);
    if (paged.ok) {
      const c = paged.plan.classes[0]!;
      expect(c.pagination).toEqual({ pageSize: 10, rowSize: 800, pages: 4 });
      expect(c.requestSize).toEqual({ dist: "constant", value: 600 });
      // a page on the wire: 10 rows x 800 B x 30%
      expect(c.responseSize!.dist).toBe("constant");
      expect((c.responseSize as { value: number }).value).toBeCloseTo(2400, 9);
    }
    // 30 pages of 10 rows need 300 rows; the database holds 100 keys
    const long = planApp(load(BASE.replace("      keys: { count: 100 }\n", "      keys: { count: 100 }\n      pagination: { page_size: 10, row_size: 800B, pages: 30 }\n")));
    expect(!long.ok && long.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual([
      "load.classes.get_product.pagination: a walk of 30 pages of 10 rows reads 300 rows, more than the 100 the database 'db' is seeded with",
    ]);
  });

  it("plans several replicas without a balancer behind the implicit round robin, and refuses classes without http", () => {
    const noLb = planApp(load(BASE.replace("  lb: { kind: load_balancer, backends: api, maxconn: 4 }\n", "").replace("flow: [{ call: lb }]", "flow: [{ call: api }]")));
    expect(noLb.ok && noLb.plan.lb).toMatchObject({ name: "api_clients_rr", implicit: true, backends: "api" });
    const noHttp = planApp(load(BASE.replace('      http: { method: GET, path: "/products/{key}" }\n', "")));
    expect(!noHttp.ok && noHttp.issues.map((i) => i.field)).toContain("load.classes.get_product.http");
  });

  it("plans a partitioned queue with one worker per partition (workers do not apply), and their ports", () => {
    const r = planApp(bundled("validation/partitioned-queue"));
    expect(r.ok && r.plan.queues).toMatchObject([{ name: "events", partitions: 4, workers: 4, prefetch: 1, maxLength: 100000 }]);
    // admin + 1 service replica + 4 partition workers
    expect(r.ok && portsNeeded(r.plan)).toBe(6);
  });

  it("counts the ports a run listens on", () => {
    const r = planApp(bundled("queue-offload"));
    // admin + postgres primary + 2 service replicas + 2 workers + HAProxy
    expect(r.ok && portsNeeded(r.plan)).toBe(7);
  });

  it("refuses a worker handler that does more than database reads and writes", () => {
    const r = planApp(load(BASE + "  q: { kind: queue, service: 1ms, handler: [{ call: api }] }\n"));
    expect(!r.ok && r.issues).toContainEqual({ field: "components.q.handler[0]", reason: expect.stringContaining("read | write") });
  });

  it("gives PostgreSQL room for the app's pools, the launcher's connections and the superuser reserve", () => {
    // 2 replicas x 49 = 98 queries at most: the model's 100 never binds, PostgreSQL's own limit is 98 + 3 + 3
    const r = planApp(load(BASE.replace("pool: { size: 4 } }", "pool: { size: 49 }, max_connections: 100 }")));
    expect(r.ok && r.plan.db).toMatchObject({ maxConnections: 100, gate: undefined, serverMaxConnections: 104 });
    // where the app's connections fit with room to spare, PostgreSQL's limit is the model's
    const roomy = planApp(load(BASE.replace("pool: { size: 4 } }", "pool: { size: 4 }, max_connections: 100 }")));
    expect(roomy.ok && roomy.plan.db).toMatchObject({ gate: undefined, serverMaxConnections: 100 });
  });

  it("counts a replica server's lag monitor and the queue workers' pools on the primary; gates where they pass max_connections", () => {
    // the primary: 2 x 4 pooled + 3 workers x min(prefetch 20, 10) = 38 queries at most, within 41: no gate
    const text = BASE.replace("pool: { size: 4 } }", "pool: { size: 4 }, replicas: 1, max_connections: 41 }") + "  q: { kind: queue, workers: 3, prefetch: 20, service: 1ms }\n";
    const fits = planApp(load(text));
    expect(fits.ok && fits.plan.db).toMatchObject({ gate: undefined, serverMaxConnections: 44 });
    // 2 x 4 + 4 x 10 = 48 > 41: a gate of 41 per server; PostgreSQL: the gate's 41, 1 lag monitor (it bypasses the gate), 3 + 3
    const r = planApp(load(text.replace("workers: 3", "workers: 4")));
    expect(r.ok && r.plan.db).toMatchObject({ gate: { size: 41, clients: 48 }, serverMaxConnections: 48 });
    if (r.ok) expect(portsNeeded(r.plan)).toBe(portsNeeded(fits.ok ? fits.plan : r.plan) + 1 + 2);
    // each replica: 2 x 4 pooled (8 queries at most, within 11) + 1 lag monitor
    const rep = planApp(load(BASE.replace("pool: { size: 4 } }", "pool: { size: 4 }, replicas: 1, read_from: replicas, max_connections: 11 }")));
    expect(rep.ok && rep.plan.db).toMatchObject({ gate: undefined, serverMaxConnections: 15 });
  });

  it("refuses a database failover behind a gate (the gate is not repointed)", () => {
    const text = BASE.replace("pool: { size: 4 } }", "replicas: 1, max_connections: 3 }") + "failures:\n  - { at: 10s, fail_primary: db, promote_after: 2s }\n";
    const r = planApp(load(text));
    expect(!r.ok && r.issues.map((i) => i.field)).toContain("failures");
  });
});

describe("service time without handlers", () => {
  it("a class without a handler does the service's own time, as in the simulator", () => {
    const r = planApp(bundled("lb-replicas"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.service.handlers.get_product).toEqual([{ service: { dist: "lognormal", mean: 0.04, cv: 0.8 } }]);
  });
});

describe("features the simulator models and the app does not realize", () => {
  const fields = (text: string) => {
    const r = planApp(load(text));
    return r.ok ? [] : r.issues.map((i) => i.field);
  };

  it("plans the users' retries and circuit breaker with autoscaling and a rate limit (the gateway in front); refuses them with TLS, by field", () => {
    const text = BASE
      .replace("    replicas: 2\n", "    replicas: 2\n    autoscaling: { min: 2, max: 4, target: 0.7 }\n    retries: { attempts: 3 }\n    circuit_breaker: { failure_rate: 50% }\n")
      .replace("maxconn: 4 }", "maxconn: 4, rate_limit: { rate: 100/s, burst: 10 } }");
    const r = planApp(load(text));
    expect(r.ok, JSON.stringify(!r.ok && r.issues)).toBe(true);
    if (!r.ok) return;
    expect(r.plan.service.resilience).toMatchObject({ retries: { attempts: 3 }, circuit_breaker: { failure_rate: 0.5 } });
    const tls = BASE
      .replace("    replicas: 2\n", "    replicas: 2\n    retries: { attempts: 3 }\n    circuit_breaker: { failure_rate: 50% }\n")
      .replace("maxconn: 4 }", "maxconn: 4, tls: { handshake: 1ms } }");
    expect(fields(tls).sort()).toEqual(["components.api.circuit_breaker", "components.api.retries"]);
    // a CDN's classes would bypass the gateway in front of the balancer
    const cdn = BASE
      .replace("    replicas: 2\n", "    replicas: 2\n    retries: { attempts: 3 }\n")
      .replace("      flow: [{ call: lb }]", "      flow: [{ call: edge }]")
      .replace("components:\n", "components:\n  edge: { kind: cdn, origin: lb, edge_latency: 1ms, objects: { count: 100 } }\n");
    const r2 = planApp(load(cdn));
    expect(!r2.ok && r2.issues.map((i) => `${i.field}: ${i.reason}`)).toEqual([expect.stringMatching(/^components\.api\.retries: on the service users enter with the CDN 'edge'/)]);
  });

  it("plans an auto-scaled pool with a place per replica up to max, and the model's defaults", () => {
    const r = planApp(load(BASE.replace("    replicas: 2\n", "    replicas: 2\n    autoscaling: { min: 1, max: 5, target: 0.7, interval: 5s }\n").replace("pool: { size: 4 } }", "pool: { size: 4 }, max_connections: 100 }")));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.service).toMatchObject({ replicas: 2, places: 5 });
    expect(r.plan.service.autoscaling).toEqual({ min: 1, max: 5, metric: "utilization", target: 0.7, interval: 5, step_out: undefined, step_in: 1, cooldown_out: 30, cooldown_in: 120, boot: 30 });
    // one port per place: 5 replicas + HAProxy + the database + the admin endpoint
    expect(portsNeeded(r.plan)).toBe(8);
  });

  it("counts every replica place against max_connections, as the simulator does", () => {
    const text = BASE.replace("    replicas: 2\n", "    replicas: 2\n    autoscaling: { min: 1, max: 25, target: 0.7 }\n");
    const r = planApp(load(text));
    // 25 places x pool 4 = 100: within the model's 100, and PostgreSQL's own limit makes room for all of them
    expect(r.ok && r.plan.db).toMatchObject({ gate: undefined, serverMaxConnections: 106 });
  });

  it("refuses autoscaling without a load balancer: new replicas join through HAProxy", () => {
    const text = BASE.replace("flow: [{ call: lb }]", "flow: [{ call: api }]").replace(/  lb: .*\n/, "").replace("    replicas: 2\n", "    replicas: 1\n    autoscaling: { min: 1, max: 3, target: 0.7 }\n");
    expect(fields(text)).toEqual(["components.api.autoscaling"]);
  });

  it("maps a rate limit to nginx's limit_req (a bucket of burst + 1), and refuses one it cannot hold", () => {
    const lb = (rl: string) => planApp(load(BASE.replace("maxconn: 4 }", `maxconn: 4, rate_limit: ${rl} }`)));
    const ok = lb("{ rate: 50/s, burst: 10 }");
    expect(ok.ok && ok.plan.lb?.rateLimit).toEqual({ rate: 50, burst: 10, nginxRate: "50r/s", nginxBurst: 9 });
    // 2.5/s is 150 a minute; burst defaults to 1, nginx burst 0 (a bucket of one)
    const slow = lb("{ rate: 2.5/s }");
    expect(slow.ok && slow.plan.lb?.rateLimit).toMatchObject({ nginxRate: "150r/m", nginxBurst: 0 });
    expect(slow.ok && portsNeeded(slow.plan)).toBe(6); // 2 replicas, HAProxy, the gateway, the database, the admin endpoint
    // one request every 2 minutes: below a whole request per minute
    const rare = lb("{ rate: 0.0083/s }");
    expect(rare.ok).toBe(false);
    if (!rare.ok) expect(rare.issues[0]).toMatchObject({ field: "components.lb.rate_limit", reason: expect.stringMatching(/whole requests per second or per minute/) });
  });

  it("plans regions: the users' geo route per origin, nearest first, and the calls that cross; refuses what cannot cross", () => {
    const TWO = `
version: 1
name: two
regions:
  east: { latency: { west: 20ms } }
  west: {}
geo:
  front: [api-east, lb-west]
load:
  model: open
  rate: 10/s
  regions: { east: 3, west: 1 }
  classes:
    read:
      http: { method: GET, path: "/items" }
      flow: [{ call: front }]
components:
  api-east: { kind: service, region: east, concurrency: 4, handlers: { read: [{ service: 1ms }, { call: core }] } }
  lb-west: { kind: load_balancer, backends: api-west, region: west }
  api-west: { kind: service, region: west, replicas: 2, concurrency: 4, handlers: { read: [{ service: 1ms }, { call: core }] } }
  core: { kind: service, region: east, replicas: 2, concurrency: 4, service: 2ms }
`;
    const r = planApp(load(TWO));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const lat = { dist: "constant", value: 0.02 };
    expect(r.plan.regions).toEqual({
      names: ["east", "west"],
      regionOf: { "api-east": "east", "lb-west": "west", "api-west": "west", core: "east" },
      geo: "front",
      origins: [
        { region: "east", share: 0.75, entries: [{ name: "api-east", region: "east" }, { name: "lb-west", region: "west", latency: lat }] },
        { region: "west", share: 0.25, entries: [{ name: "lb-west", region: "west" }, { name: "api-east", region: "east", latency: lat }] },
      ],
      calls: [{ caller: "api-west", callee: "core", from: "west", to: "east", latency: lat }],
      stores: [],
      outages: [],
    });
    // the entry the faults act on: the geo route's first; every service planned
    expect(r.plan.service.name).toBe("api-east");
    expect(r.plan.services.map((p) => p.name).sort()).toEqual(["api-east", "api-west", "core"]);
    // 5 replicas, lb-west, admin; 2 geo routers; relay routes: west > core's 2 replicas, east > lb-west, west > api-east
    expect(portsNeeded(r.plan)).toBe(5 + 1 + 1 + 2 + 4);
    // an outage is the launcher's schedule
    const out = planApp(load(TWO + "failures:\n  - { region: west, at: 10s, for: 5s }\n"));
    expect(out.ok && out.plan.regions?.outages).toEqual([{ region: "west", at: 10, for: 5 }]);

    const refused = TWO
      .replace("geo:\n  front: [api-east, lb-west]", "geo:\n  front: [api-east, api-west]")
      .replace("service, region: east, replicas: 2, concurrency: 4, service: 2ms }", "service, region: east, replicas: 2, concurrency: 4, handlers: { read: [{ call: db, op: read }] } }\n  db: { kind: database, region: west, keys: 10, read: 1ms, write: 1ms }")
      .replace("  west: {}\n", "  west: { bandwidth: { east: 1Gbps } }\n")
      .replace("backends: api-west, region: west }", "backends: api-west, region: east }");
    const f = planApp(load(refused));
    expect(f.ok).toBe(false);
    if (!f.ok) {
      // a database of another region is reached over the relay: not refused
      expect(f.issues.filter((i) => i.field === "components.db.region")).toEqual([]);
      expect(f.issues.map((i) => i.field)).toEqual(expect.arrayContaining(["components.lb-west.region", "geo.front"]));
      // bandwidth between regions is realized on the relay's routes (regions/relay.ts): not refused
      expect(f.issues.filter((i) => i.field.startsWith("regions."))).toEqual([]);
      expect(f.issues.find((i) => i.field === "geo.front")?.reason).toMatch(/'api-west' is a service of several replicas/);
    }
    // bandwidth between regions: every call and geo entry that crosses carries the pair's link
    const linked = planApp(load(TWO.replace("  west: {}\n", "  west: { bandwidth: { east: 1Gbps } }\n")));
    if (!linked.ok) throw new Error(JSON.stringify(linked.issues));
    const rp = linked.plan.regions!;
    expect(rp.calls.length).toBeGreaterThan(0);
    expect(rp.calls.map((c) => c.bandwidth)).toEqual(rp.calls.map(() => 1e9));
    const crossing = rp.origins.flatMap((o) => o.entries.filter((e) => e.latency));
    expect(crossing.length).toBeGreaterThan(0);
    expect(crossing.map((e) => e.bandwidth)).toEqual(crossing.map(() => 1e9));
    expect(r.plan.regions!.calls.every((c) => c.bandwidth === undefined)).toBe(true);
    // a service's handler calling the geo route
    expect(fields(TWO.replace("  front: [api-east, lb-west]\n", "  front: [api-east, lb-west]\n  back: [core]\n").replace("{ service: 1ms }, { call: core }] } }\n  lb-west", "{ service: 1ms }, { call: back }] } }\n  lb-west"))).toEqual(["components.api-east.handlers.read[1].call"]);
  });

  it("plans a CDN with regions: at the edge of every origin region (a server each), its origin the users' geo route; refuses one in a region or with another origin", () => {
    const CDN = readFileSync(new URL("./regions/fixtures/regions-cdn.yaml", import.meta.url), "utf8");
    const r = planApp(load(CDN));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    // the fixture's edge_latency (0.1 ms), which the edge relay waits per request
    expect(r.plan.cdn).toEqual({ name: "cdn", ttl: 3600, edgeLatency: { dist: "constant", value: 0.0001 } });
    expect(r.plan.classes.map((c) => [c.name, c.via])).toEqual([["asset", "cdn"], ["browse", "lb"]]);
    expect(r.plan.regions?.origins.map((o) => o.region)).toEqual(["east", "west", "south"]);
    // 2 replicas, 2 balancers, admin; 3 geo routers; relay routes: east > lb-west, west > lb-east,
    // south > lb-east and lb-west; the edge's 3 servers (one per origin region) and the edge relay's
    // 3 routes in front of them (each waits the edge latency)
    expect(portsNeeded(r.plan)).toBe(2 + 2 + 1 + 3 + 4 + 3 + 3);
    // an origin other than the entry the browses use: two entries, and no geo router for the edge's misses
    expect(fields(CDN.replace("cdn: { kind: cdn, origin: api,", "cdn: { kind: cdn, origin: lb-east,"))).toEqual(expect.arrayContaining(["load.classes", "components.cdn.origin"]));
    expect(fields(CDN.replace("cdn: { kind: cdn, origin: api,", "cdn: { kind: cdn, region: east, origin: api,"))).toEqual(["components.cdn.region"]);
  });

  it("plans a cache per region: a Redis each, the first the one the faults act on; refuses a service calling two", () => {
    const TWO = readFileSync(new URL("./regions/fixtures/regions-caches.yaml", import.meta.url), "utf8");
    const r = planApp(load(TWO));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.caches.map((k) => k.name)).toEqual(["cache-east", "cache-west"]);
    expect(r.plan.cache?.name).toBe("cache-east");
    // west's cache is in its own region: only west's database reads cross
    expect(r.plan.regions?.stores.map((x) => `${x.caller}>${x.store}`)).toEqual(["api-west>db"]);
    // 2 replicas, 2 Redis, the database, admin; 2 geo routers; relay routes: east > api-west, west > api-east, west > db
    expect(portsNeeded(r.plan)).toBe(2 + 2 + 1 + 1 + 2 + 3);
    expect(fields(TWO.replace("{ call: cache-east, op: set }] }] } }", "{ call: cache-west, op: set }] }] } }"))).toEqual(["components.api-east"]);
  });

  it("refuses TLS on a geo route's balancers by the geo router's reason, not as a balancer between services", () => {
    const CDN = readFileSync(new URL("./regions/fixtures/regions-cdn.yaml", import.meta.url), "utf8");
    const tls = "tls: { handshake: 6ms, requests_per_connection: 1 } }";
    const r = planApp(load(CDN.replace("backends: api-east }", `backends: api-east, ${tls}`).replace("backends: api-west }", `backends: api-west, ${tls}`)));
    expect(!r.ok && r.issues.map((i) => i.field)).toEqual(["components.lb-east.tls", "components.lb-west.tls"]);
    expect(!r.ok && r.issues.every((i) => /reach through a geo router is not realized/.test(i.reason))).toBe(true);
  });

  it("reaches a cache, database or queue of another region over the relay: one route per server from each caller's region", () => {
    const STORES = `
version: 1
name: stores
regions:
  east: { latency: { west: 20ms } }
  west: {}
geo:
  front: [api-east, api-west]
load:
  model: open
  rate: 10/s
  regions: { east: 1, west: 1 }
  classes:
    read:
      http: { method: GET, path: "/items" }
      flow: [{ call: front }]
components:
  api-east: { kind: service, region: east, concurrency: 4, handlers: { read: [{ call: cache, op: get }, { call: db, op: read }, { publish: events }] } }
  api-west: { kind: service, region: west, concurrency: 4, handlers: { read: [{ call: cache, op: get }, { call: db, op: read }, { publish: events }] } }
  cache: { kind: cache, region: east, capacity: 100 }
  db: { kind: database, region: east, keys: 10, read: 1ms, write: 1ms, replicas: 1 }
  events: { kind: queue, region: east, workers: 1, service: 1ms }
  jobs: { kind: queue, region: west, workers: 1, service: 1ms, handler: [{ call: db, op: write }] }
`;
    const r = planApp(load(STORES));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const lat = { dist: "constant", value: 0.02 };
    expect(r.plan.regions!.stores).toEqual([
      { caller: "api-west", store: "cache", kind: "cache", from: "west", to: "east", latency: lat },
      { caller: "api-west", store: "db", kind: "database", from: "west", to: "east", latency: lat },
      { caller: "api-west", store: "events", kind: "queue", from: "west", to: "east", latency: lat },
      // a queue's consumer in west writes to east's database
      { caller: "jobs", store: "db", kind: "database", from: "west", to: "east", latency: lat },
    ]);
    // relay routes from west: the cache, the 2 database servers (primary, replica), the broker
    // (the consumer's database routes are the same as api-west's); the geo routes' other entries: 2
    const base = planApp(load(STORES.replace(/region: east, capacity/, "region: west, capacity").replace("db: { kind: database, region: east", "db: { kind: database, region: west").replace("events: { kind: queue, region: east", "events: { kind: queue, region: west")));
    if (!base.ok) throw new Error(JSON.stringify(base.issues));
    expect(base.plan.regions!.stores.map((c) => `${c.caller}>${c.store}`)).toEqual(["api-east>cache", "api-east>db", "api-east>events"]);
    expect(portsNeeded(r.plan) - portsNeeded(base.plan)).toBe(0); // the same routes, from the other region
    const local = planApp(load(STORES.replace("region: west, concurrency", "region: east, concurrency").replace("queue, region: west", "queue, region: east").replace("regions: { east: 1, west: 1 }", "regions: { east: 1 }").replace("front: [api-east, api-west]", "front: [api-east]")));
    if (!local.ok) throw new Error(JSON.stringify(local.issues));
    expect(local.plan.regions!.stores).toEqual([]);
    expect(portsNeeded(r.plan) - portsNeeded(local.plan)).toBe(1 + 2 + 1 + 2 + 1); // routes from west to the cache, the 2 db servers and the broker; the geo routes' 2 crossings; west's geo router
    // one broker connection per process: publishing to queues of two regions is refused
    const two = STORES.replace("{ publish: events }] } }\n  cache", "{ publish: events }, { publish: jobs }] } }\n  cache");
    expect(fields(two)).toEqual(["components.api-west"]);
  });

  it("accepts scheduled crashes of a service replica and database failovers (the launcher's schedule), refuses random failures", () => {
    expect(fields(BASE + "failures:\n  - { at: 5s, crash: api, replica: 2, restart_after: 3s }\n")).toEqual([]);
    const text =
      BASE.replace("pool: { size: 4 } }", "pool: { size: 4 }, replicas: 1 }") +
      "failures:\n" +
      "  - { at: 5s, fail_primary: db, promote_after: 2s }\n" +
      "  - { random: api, mtbf: 60s, mttr: 5s }\n";
    expect(fields(text)).toEqual(["failures[1]"]);
    const r = planApp(load(text.replace("  - { random: api, mtbf: 60s, mttr: 5s }\n", ""), "failover.yaml"));
    expect(r.ok && r.plan.db?.failovers).toEqual([{ at: 5, shard: 0, promoteAfter: 2 }]);
    expect(r.ok && r.plan.db?.synchronous).toBe(false);
  });

  it("accepts a scheduled loss of the cache (the harness flushes it)", () => {
    const text = readFileSync(new URL("../scenarios/validation/dynamic/cache-loss.yaml", import.meta.url), "utf8");
    const r = planApp(load(text, "cache-loss.yaml"));
    expect(r.ok ? [] : r.issues).toEqual([]);
  });

  it("every scenario the validation suite and the reference-app tests start is still realizable", () => {
    const files = [
      ...["cache-aside", "lb-replicas", "queue-offload", "read-replicas"].map((n) => `../scenarios/${n}.yaml`),
      ...readdirSync(new URL("../scenarios/validation/", import.meta.url)).filter((f) => f.endsWith(".yaml")).map((f) => `../scenarios/validation/${f}`),
      // the time-series scenarios (npm run validate:dynamics), kept out of the level suite's folder
      ...readdirSync(new URL("../scenarios/validation/dynamic/", import.meta.url)).filter((f) => f.endsWith(".yaml")).map((f) => `../scenarios/validation/dynamic/${f}`),
    ];
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const f of files) {
      let text = readFileSync(new URL(f, import.meta.url), "utf8");
      // validate:dynamics starts a service whose callers hold retries or a breaker without those
      // fields: its load client carries them out (validation/resilience-validate.ts).
      if (f.includes("/dynamic/")) text = text.replace(/^ {4}(retries|circuit_breaker):.*$/gm, "");
      const r = planApp(load(text, f));
      expect(r.ok ? [] : r.issues, f).toEqual([]);
    }
  });
});

describe("backlog and timeout defaults", () => {
  it("are unbounded when the YAML sets none, as in the simulator (program.ts: c.backlog ?? -1, c.timeout ?? Infinity), and kept when set", () => {
    const unset = planApp(load(BASE));
    expect(unset.ok && unset.plan.service.backlog).toBeUndefined();
    expect(unset.ok && unset.plan.service.timeout).toBeUndefined();
    const set = planApp(load(BASE.replace("    concurrency: 4\n", "    concurrency: 4\n    backlog: 0\n    timeout: 2s\n")));
    expect(set.ok && set.plan.service).toMatchObject({ backlog: 0, timeout: 2 });
  });
});

describe("CDN ttl default", () => {
  // The CDN sits in front of the balancer; a static class starts its flow at it.
  const withCdn = (ttl: string) =>
    BASE.replace("      flow: [{ call: lb }]", "      flow: [{ call: edge }]").replace(
      "components:\n",
      `components:\n  edge: { kind: cdn, origin: lb, edge_latency: 1ms, objects: { count: 100 }${ttl} }\n`,
    );
  it("keeps objects a year when the YAML sets no ttl (the simulator never expires them), and the YAML's ttl when set", () => {
    const unset = planApp(load(withCdn("")));
    expect(unset.ok && unset.plan.cdn).toMatchObject({ name: "edge", ttl: CDN_TTL_UNSET_S });
    expect(CDN_TTL_UNSET_S).toBe(31_536_000);
    const set = planApp(load(withCdn(", ttl: 5m")));
    expect(set.ok && set.plan.cdn).toMatchObject({ ttl: 300 });
  });
});

describe("one reading of the YAML: the app plans from the simulator's parsed model", () => {
  // compile() is what the simulator runs: its balancer's health checks are the model's reading.
  const simHealth = (text: string) => {
    const p = compile(load(text));
    return p.balancers.find((b) => p.components[b.component]!.name === "lb")!.health;
  };

  it("a balancer without health_check: no checks in the simulator, none in the app (HAProxy servers without `check`)", () => {
    const r = planApp(load(BASE));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(simHealth(BASE)).toBeNull();
    expect(r.plan.lb?.health).toBeUndefined();
    expect(haproxyConfig(r.plan.lb!, 8080, [9001, 9002], "/run/x.sock", undefined)).not.toMatch(/\bcheck\b/);
  });

  it("health_check with only an interval: rise and fall are the parser's defaults, the same in both", () => {
    const text = BASE.replace("maxconn: 4 }", "maxconn: 4, health_check: { interval: 1500ms } }");
    const r = planApp(load(text));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(simHealth(text)).toEqual({ interval: 1.5, rise: 2, fall: 3 });
    expect(r.plan.lb?.health).toEqual(simHealth(text));
    expect(haproxyConfig(r.plan.lb!, 8080, [9001, 9002], "/run/x.sock", undefined)).toContain("  default-server inter 1500ms rise 2 fall 3");
  });

  it("a cache without a service time: the model's default (0.2 ms), not a second one", () => {
    const r = planApp(load(BASE + "  kv: { kind: cache, capacity: 10 }\n"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.cache?.service).toEqual({ dist: "constant", value: 0.0002 });
  });

  it("a database without a pool: no pool bound, as in the simulator; each process gets one connection per slot, never timing out", () => {
    const text = BASE.replace("pool: { size: 4 } }", "max_connections: 100 }");
    const r = planApp(load(text));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(compile(load(text)).databases[0]!.pools.every((p) => p === -1)).toBe(true);
    expect(r.plan.db?.pool).toBeUndefined();
    expect(poolFor(r.plan.db!, r.plan.service.concurrency)).toEqual({ size: 4, timeout: POOL_UNSET_TIMEOUT_S });
  });
});

// A three-tier call graph: the entry service calls `cart` through its balancer and fans out to
// `pricing` (direct) and `stock` (direct) in parallel.
const TIERS = `
version: 1
name: tiers
load:
  model: open
  rate: 10/s
  classes:
    checkout:
      http: { method: POST, path: "/orders" }
      flow: [{ call: lb }]
    browse:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: web, health_check: { interval: 1s } }
  web:
    kind: service
    replicas: 2
    concurrency: 8
    handlers:
      checkout: [{ service: 1ms }, { call: cart-lb, network: 2ms }]
      browse: [{ service: 1ms }, { parallel: [[{ call: pricing }], [{ call: stock }]] }]
  cart-lb: { kind: load_balancer, backends: cart }
  cart:
    kind: service
    replicas: 2
    concurrency: 4
    network: 1ms
    handlers:
      checkout: [{ service: 2ms }, { call: db, op: write }]
  pricing: { kind: service, replicas: 2, concurrency: 4, service: 3ms }
  stock:
    kind: service
    concurrency: 4
    handlers:
      browse: [{ call: db, op: read }]
  db: { kind: database, keys: 100, read: 1ms, write: 2ms, pool: { size: 4 } }
`;

describe("several services", () => {
  it("plans each service as its own pool, the entry first, with the components each calls", () => {
    const r = planApp(load(TIERS));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.service.name).toBe("web");
    expect(r.plan.services.map((p) => [p.name, p.replicas, p.concurrency, p.calls])).toEqual([
      ["web", 2, 8, ["cart-lb", "pricing", "stock"]],
      ["cart", 2, 4, ["db"]],
      ["pricing", 2, 4, []],
      ["stock", 1, 4, ["db"]],
    ]);
    expect(r.plan.balancers.map((b) => [b.name, b.backends, b.health])).toEqual([
      ["lb", "web", { interval: 1, rise: 2, fall: 3 }],
      ["cart-lb", "cart", undefined],
    ]);
    // a class without a handler on pricing runs its service time there, as the simulator's call does
    expect(r.plan.services[2]!.handlers.browse).toEqual([{ service: { dist: "constant", value: 0.003 } }]);
    // admin + postgres + 2 + 2 + 2 + 1 replicas + 2 HAProxy
    expect(portsNeeded(r.plan)).toBe(11);
  });

  it("counts the pools of every service that calls the database against max_connections", () => {
    // web does not call db; cart (2 x 4) and stock (1 x 4) do: 12 at most, within 14, so PostgreSQL gets 12 + 3 + 3
    const r = planApp(load(TIERS.replace("pool: { size: 4 } }", "pool: { size: 4 }, max_connections: 14 }")));
    expect(r.ok && r.plan.db).toMatchObject({ gate: undefined, serverMaxConnections: 18 });
  });

  it("refuses classes entering at different services; plans auto-scaling of an inner service behind its balancer (scaled-pools.test.ts has the rest)", () => {
    const two = planApp(load(TIERS.replace("      flow: [{ call: lb }]\n    browse", "      flow: [{ call: cart-lb }]\n    browse")));
    expect(!two.ok && two.issues.map((i) => i.field)).toContain("load.classes");
    const scaled = planApp(load(TIERS.replace("    network: 1ms\n", "    network: 1ms\n    autoscaling: { min: 1, max: 3, target: 0.7 }\n")));
    if (!scaled.ok) throw new Error(JSON.stringify(scaled.issues));
    // cart's places are its scaler's max (3), two running at the start
    expect(scaled.plan.services.find((p) => p.name === "cart")).toMatchObject({ replicas: 2, places: 3, autoscaling: { min: 1, max: 3, target: 0.7 } });
    // pricing has no balancer: refused, by field
    const bare = planApp(load(TIERS.replace("  pricing: { kind: service, replicas: 2,", "  pricing: { kind: service, replicas: 2, autoscaling: { min: 1, max: 3, target: 0.7 },")));
    expect(!bare.ok && bare.issues.map((i) => i.field)).toEqual(["components.pricing.autoscaling"]);
  });

  it("injects a service's network but never its call_overhead (the model's client side of a call, which the real app has)", () => {
    const r = planApp(load(TIERS.replace("    network: 1ms\n", "    network: 1ms\n    call_overhead: 0.4ms\n")));
    expect(r.ok).toBe(true);
    const cart = r.ok ? r.plan.services.find((x) => x.name === "cart") : undefined;
    expect(cart?.network).toEqual({ dist: "constant", value: 0.001 });
    expect(JSON.stringify(r.ok && r.plan)).not.toContain("0.0004");
  });

  it("refuses an op on a call to a service", () => {
    const r = planApp(load(TIERS.replace("{ call: pricing }", "{ call: pricing, op: read }")));
    expect(!r.ok && r.issues.map((i) => i.field)).toEqual(["components.web.handlers.browse[1].parallel[0][0].op"]);
  });
});

describe("sharded databases", () => {
  // A write-only class over `classKeys` uniform keys; the database holds 1,000 keys in 4 shards.
  const sharded = (by: string, classKeys: number) => `
version: 1
name: shards
load:
  model: open
  rate: 400/s
  classes:
    put:
      http: { method: POST, path: "/orders" }
      keys: { count: ${classKeys} }
      flow: [{ call: api }]
components:
  api:
    kind: service
    concurrency: 64
    handlers:
      put: [{ call: db, op: write }]
  db: { kind: database, keys: 1000, read: 1ms, write: 1ms, shards: { count: 4, by: ${by} }, max_connections: 100 }
`;

  it("plans one cluster per shard with the simulator's key space, and counts their ports", () => {
    const r = planApp(load(sharded("range", 300)));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.plan.db).toMatchObject({ shards: 4, byRange: true, keySpace: 1000, replicas: 0 });
    expect(portsNeeded(r.plan)).toBe(1 + 4 + 1); // admin, 4 primaries, the one api replica
  });

  // The share of writes each shard gets in a simulation, against the share the app's router gives
  // the same keys: a wrong function, key space or hash/range reading moves whole shards' shares.
  for (const [by, classKeys] of [["range", 300], ["hash", 3], ["hash", 1000]] as const) {
    it(`routes a key to the shard the simulator picks (${by}, ${classKeys} keys)`, () => {
      const s = load(sharded(by, classKeys));
      const r = planApp(s);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      const keysOn = [0, 0, 0, 0];
      for (let k = 0; k < classKeys; k++) keysOn[shardOfKey(r.plan.db!, k)]!++;
      const app = keysOn.map((n) => n / classKeys);
      const res = simulate(s, { duration: 20, warmup: 1, replications: 1 });
      const parts = res.components.db!.parts;
      const perShard = [0, 1, 2, 3].map((i) => parts[`db.shard${i}.primary`]!.throughput.mean);
      const total = perShard.reduce((a, b) => a + b, 0);
      // ~7,600 writes: a share's binomial sd is at most 0.006; 0.03 is 5 sd, far below a moved shard
      perShard.forEach((x, i) => expect(Math.abs(x / total - app[i]!), `shard ${i}`).toBeLessThan(0.03));
      if (by === "range") expect(keysOn).toEqual([250, 50, 0, 0]);
    });
  }

  it("refuses queue workers writing to a sharded database", () => {
    const text = sharded("hash", 10).replace("      put: [{ call: db, op: write }]", "      put: [{ publish: q }]") + "  q: { kind: queue, service: 1ms, handler: [{ call: db, op: write }] }\n";
    const r = planApp(load(text));
    expect(!r.ok && r.issues.map((i) => i.field)).toEqual(["components.db.shards"]);
  });
});

describe("a pool timeout the YAML does not bound", () => {
  it("is no pg timeout at all: a Node timer past 2^31 - 1 ms would fire at once and fail every query", () => {
    expect(connectTimeoutMs(POOL_UNSET_TIMEOUT_S)).toBe(0);
    expect(connectTimeoutMs(30)).toBe(30_000);
    expect(connectTimeoutMs(0.0001)).toBe(1);
    expect(connectTimeoutMs((2 ** 31 - 1) / 1000)).toBe(2 ** 31 - 1);
  });
});

describe("a realtime component", () => {
  it("plans realtime-chat: its instances, limits and sessions as the model reads them, its crash and the service that publishes", () => {
    const r = planApp(bundled("realtime-chat"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const rt = r.plan.realtime!;
    expect({ ...rt, send: undefined, network: undefined, backbone: undefined, connections: undefined }).toMatchObject({
      name: "chat", instances: 4, maxConnections: 5000, balance: "least_connections", memory: 512 * 1024 ** 2, memoryBase: 64 * 1024 ** 2,
      memoryPerConnection: 64 * 1024, messageSize: 2000, restartAfter: 30, channels: { count: 1000, s: 0.6 }, publishers: ["api"],
    });
    expect(rt.connections).toMatchObject({ rate: 40, messages: 1 / 60 });
    // its 4 servers, their HAProxy front and the backbone Redis take ports of their own
    const withoutRt = planApp(load(readFileSync(new URL("../scenarios/realtime-chat.yaml", import.meta.url), "utf8").replace(/\n {2}chat:\n(?: {4}.*\n)+/, "\n").replace("{ call: chat }", "{ service: 1ms }").replace(/\n {2}connections:\n(?: {4}.*\n)+/, "\n").replace(/failures:\n.*\n/, "")));
    if (!withoutRt.ok) throw new Error(JSON.stringify(withoutRt.issues));
    expect(portsNeeded(r.plan) - portsNeeded(withoutRt.plan)).toBe(4 + 2);
  });

  it("refuses what the servers do not realize, by field", () => {
    const text = readFileSync(new URL("../scenarios/realtime-chat.yaml", import.meta.url), "utf8");
    const r = planApp(load(text.replace("    send: 20us\n", "    send: 20us\n    send_buffer: 2s\n").replace("max_connections: 5000", "max_connections: 8000").replace("backbone: { service: 100us }", "backbone: { service: 100us, latency: 1ms }")));
    expect(!r.ok && r.issues.map((i) => i.field)).toEqual(["components.chat.max_connections", "components.chat.send_buffer", "components.chat.backbone.latency"]);
  });
});
