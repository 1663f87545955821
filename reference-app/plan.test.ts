// planApp: the bundled scenarios plan to the parts they name; scenarios the app cannot realize are
// refused with the field and the reason, before anything starts.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { parseScenario } from "../simulator/model/index.ts";
import { CDN_TTL_UNSET_S, planApp, portsNeeded } from "./plan.ts";

function load(text: string, file = "test.yaml") {
  const r = parseScenario(text, file);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
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

  it("refuses a kind it does not realize, naming the field", () => {
    const r = planApp(load(BASE + "  extra: { kind: station, service: 1ms }\n"));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual({
      field: "components.extra.kind",
      reason: expect.stringContaining("does not realize kind 'station'"),
    });
  });

  it("refuses sharding, several replicas without a balancer, and classes without http", () => {
    const sharded = planApp(load(BASE.replace("pool: { size: 4 } }", "pool: { size: 4 }, shards: { count: 2 } }")));
    expect(!sharded.ok && sharded.issues.map((i) => i.field)).toContain("components.db.shards");
    const noLb = planApp(load(BASE.replace("  lb: { kind: load_balancer, backends: api, maxconn: 4 }\n", "").replace("flow: [{ call: lb }]", "flow: [{ call: api }]")));
    expect(!noLb.ok && noLb.issues.map((i) => i.field)).toContain("components.api.replicas");
    const noHttp = planApp(load(BASE.replace('      http: { method: GET, path: "/products/{key}" }\n', "")));
    expect(!noHttp.ok && noHttp.issues.map((i) => i.field)).toContain("load.classes.get_product.http");
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

  it("refuses a pool total above the database's max_connections", () => {
    const r = planApp(load(BASE.replace("pool: { size: 4 } }", "pool: { size: 48 }, max_connections: 100 }")));
    expect(!r.ok && r.issues[0]).toMatchObject({ field: "components.db.max_connections", reason: expect.stringContaining("101 connections") });
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

  it("refuses client retries and a circuit breaker by their fields; plans autoscaling and a rate limit", () => {
    const text = BASE
      .replace("    replicas: 2\n", "    replicas: 2\n    autoscaling: { min: 2, max: 4, target: 0.7 }\n    retries: { attempts: 3 }\n    circuit_breaker: { failure_rate: 50% }\n")
      .replace("maxconn: 4 }", "maxconn: 4, rate_limit: { rate: 100/s, burst: 10 } }");
    const r = planApp(load(text));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field).sort()).toEqual(["components.api.circuit_breaker", "components.api.retries"]);
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
    const text = BASE.replace("    replicas: 2\n", "    replicas: 2\n    autoscaling: { min: 1, max: 24, target: 0.7 }\n");
    const r = planApp(load(text));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.find((i) => i.field === "components.db.max_connections")?.reason).toMatch(/101 connections/);
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

  it("refuses regions, geo routing and users placed in regions", () => {
    const text = BASE
      .replace("  rate: 10/s\n", "  rate: 10/s\n  regions: { east: 1 }\n")
      .replace("flow: [{ call: lb }]", "flow: [{ call: front }]")
      .replace("backends: api, maxconn: 4 }", "backends: api, maxconn: 4, region: east }")
      .replace("    replicas: 2\n", "    replicas: 2\n    region: east\n")
      .replace("pool: { size: 4 } }", "pool: { size: 4 }, region: east }") +
      "regions: { east: {} }\ngeo: { front: [lb] }\n";
    expect(fields(text)).toEqual(expect.arrayContaining(["regions", "geo", "load.regions", "components.lb.region", "components.api.region", "components.db.region"]));
  });

  it("accepts scheduled crashes of a service replica (the validation harness injects them) and refuses every other failure", () => {
    expect(fields(BASE + "failures:\n  - { at: 5s, crash: api, replica: 2, restart_after: 3s }\n")).toEqual([]);
    const others = fields(
      BASE.replace("pool: { size: 4 } }", "pool: { size: 4 }, replicas: 1 }") +
        "failures:\n" +
        "  - { at: 5s, fail_primary: db, promote_after: 2s }\n" +
        "  - { random: api, mtbf: 60s, mttr: 5s }\n",
    );
    expect(others).toEqual(["failures[0]", "failures[1]"]);
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
