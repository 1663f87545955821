// What a span is, from the OpenTelemetry semantic conventions (old and new attribute names): an
// entry into a service (a server span: its class is method + route), a cache or database operation
// (db.system; redis and memcached are caches), a publish to or a handling from a queue
// (messaging.system), an HTTP call to another service (its callee's server span is the real node),
// a pool wait (pg-pool.connect and the like: subtracted from own time, not a call), or internal
// (transparent: its children count as its parent's). Trades away spans that follow no convention:
// they are internal, and the report counts them.
import type { AttrValue, Span } from "./span.ts";

export type Role = "entry" | "cache" | "database" | "publish" | "consume" | "http-call" | "wait" | "internal";

export interface Op {
  readonly role: Role;
  /** The component: the service for entry, the cache/database/queue's name otherwise. */
  readonly component: string;
  /** The operation: a class ("GET /products/{key}") for entries; get/set/delete, read/write, publish, handle. */
  readonly op: string;
  /** Attribute names the classification wanted but did not find. */
  readonly missing: ReadonlyArray<string>;
}

const CACHES = new Set(["redis", "memcached", "valkey", "keydb"]);

function str(a: Readonly<Record<string, AttrValue>>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = a[k];
    if (v !== undefined && v !== "") return String(v);
  }
  return undefined;
}

const CACHE_OPS: Record<string, string> = { get: "get", mget: "get", hget: "get", hgetall: "get", set: "set", setex: "set", psetex: "set", mset: "set", hset: "set", del: "delete", unlink: "delete" };

function cacheOp(word: string): string {
  return CACHE_OPS[word.toLowerCase()] ?? word.toLowerCase();
}

function dbOp(word: string): string {
  const w = word.toUpperCase();
  if (w === "SELECT" || w === "FIND" || w === "GET") return "read";
  if (w === "INSERT" || w === "UPDATE" || w === "DELETE" || w === "UPSERT" || w === "MERGE" || w === "REPLACE") return "write";
  return word.toLowerCase();
}

/** A route with `:param` or `{param}` placeholders written the scenario's way (`{key}`). */
export function scenarioPath(route: string): string {
  return route.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

/**
 * The concrete value of an entry span's path parameter (the class's `{key}`): the raw path's
 * segment where its route (http.route, or the path made a route) has its first parameter. Undefined
 * when the span has no raw path or its route no parameter.
 */
export function keyValue(s: Span): string | undefined {
  const raw = str(s.attributes, "url.path", "http.target")?.split("?")[0];
  if (raw === undefined) return undefined;
  const route = str(s.attributes, "http.route");
  const template = route !== undefined ? scenarioPath(route) : templatePath(raw);
  const i = template.split("/").findIndex((seg) => /^\{[^}]+\}$/.test(seg));
  return i < 0 ? undefined : raw.split("/")[i];
}

/**
 * A concrete path made a route when the span has no http.route: numeric, hex-id and UUID segments
 * become `{key}` (the scenario's one path parameter), so /products/42 and /products/7 are one class.
 */
export function templatePath(path: string): string {
  return path.split("/").map((seg) => (/^\d+$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9a-f]{16,}$/i.test(seg) ? "{key}" : seg)).join("/");
}

export function classify(s: Span): Op {
  const a = s.attributes;
  const missing: string[] = [];
  const dbSystem = str(a, "db.system", "db.system.name");
  const messaging = str(a, "messaging.system");
  const lname = s.name.toLowerCase();
  if (lname.includes("pool.connect") || lname === "pg.connect" || lname.endsWith(".connect")) {
    return { role: "wait", component: dbSystem ?? s.service, op: "connect", missing };
  }
  if (dbSystem !== undefined && s.kind !== "server") {
    const word = str(a, "db.operation", "db.operation.name") ?? str(a, "db.statement", "db.query.text")?.trim().split(/\s+/)[0];
    if (word === undefined) missing.push("db.operation");
    const component = str(a, "peer.service") ?? dbSystem;
    const w = word ?? s.name.split(/[\s:.]+/).pop() ?? s.name;
    return CACHES.has(dbSystem.toLowerCase())
      ? { role: "cache", component, op: cacheOp(w), missing }
      : { role: "database", component, op: dbOp(w), missing };
  }
  if (messaging !== undefined) {
    const dest = str(a, "messaging.destination.name", "messaging.destination", "messaging.rabbitmq.destination.routing_key", "messaging.rabbitmq.routing_key");
    if (dest === undefined) missing.push("messaging.destination.name");
    const component = dest ?? s.name.split(" ")[0] ?? messaging;
    if (s.kind === "consumer") return { role: "consume", component, op: "handle", missing };
    if (s.kind === "producer" || s.kind === "client") return { role: "publish", component, op: "publish", missing };
  }
  if (s.kind === "server" || (s.parentId === undefined && s.kind !== "client")) {
    const method = str(a, "http.request.method", "http.method");
    const route = str(a, "http.route");
    if (method !== undefined && route === undefined) missing.push("http.route");
    const raw = str(a, "url.path", "http.target")?.split("?")[0];
    const path = route ?? (raw === undefined ? undefined : templatePath(raw));
    const op = method !== undefined && path !== undefined ? `${method.toUpperCase()} ${scenarioPath(path)}` : s.name;
    return { role: "entry", component: s.service, op, missing };
  }
  if (s.kind === "client" && (str(a, "http.request.method", "http.method") !== undefined || str(a, "server.address", "net.peer.name", "peer.service") !== undefined)) {
    const target = str(a, "peer.service", "server.address", "net.peer.name") ?? "external";
    return { role: "http-call", component: target, op: str(a, "http.request.method", "http.method") ?? s.name, missing };
  }
  return { role: "internal", component: s.service, op: s.name, missing };
}
