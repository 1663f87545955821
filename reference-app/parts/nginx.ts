// nginx in front of HAProxy, in one of two roles. The scenario's CDN: an edge cache (proxy_cache)
// that caches what the origin marks cacheable (the service sends Cache-Control max-age = the CDN's
// ttl on classes routed through the CDN, no-store elsewhere) and reports HIT/MISS in X-Cache-Status.
// With regions the CDN's edge has one listening server per origin region of the users, each
// sending its misses to that region's geo router, all sharing one cache (keyed by the request's
// URI alone): the model's CDN has one edge state for every caller and fetches from the caller's
// region (components/cdn compile: its origin call leaves from the caller's region).
// A rate-limited balancer's gateway: limit_req (a token bucket, as the model's) answering 429,
// chosen over HAProxy's stick tables, whose sliding count accepts a few percent less under overload.
import { Effect, Scope } from "effect";
import { mkdir, writeFile, chown, chmod } from "node:fs/promises";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { StartFailed, PortsExhausted } from "../errors.ts";
import { randomBytes } from "node:crypto";
import { freePort, proc, waitReady } from "../resources.ts";
import type { CdnPlan, RateLimitPlan } from "../plan.ts";
import type { Tools } from "../preflight.ts";

export interface NginxPart {
  /** The first server's port (the only one without regions). */
  readonly port: number;
  /** Each server's port, in the order of the origin ports it was given. */
  readonly ports: readonly number[];
}

/** One listening server of nginx and the origin it proxies to. */
export interface NginxServer {
  readonly port: number;
  readonly originPort: number;
}

/** Where nginx answers its readiness check: the run's nonce, so the answer is known to be ours. */
export const READY_PATH = "/__headroom/ready";

/** What the nginx in front of HAProxy does: cache (the CDN) or limit the rate (the gateway). */
export type NginxRole = { readonly kind: "cdn"; readonly plan: CdnPlan } | { readonly kind: "gateway"; readonly limit: RateLimitPlan };

function roleLines(role: NginxRole, stateDir: string): { http: string; location: string } {
  if (role.kind === "gateway") {
    // One key for every request ($server_port: one listen port), so the limit is the balancer's.
    return {
      http: `limit_req_zone $server_port zone=gate:1m rate=${role.limit.nginxRate};\n  limit_req_status 429;`,
      location: `limit_req zone=gate burst=${role.limit.nginxBurst} nodelay;`,
    };
  }
  const ttl = Math.max(1, Math.round(role.plan.ttl));
  return {
    http: `proxy_cache_path ${stateDir}/cache levels=1:2 keys_zone=edge:10m max_size=256m inactive=${ttl}s use_temp_path=off;`,
    // the key leaves out the upstream ($proxy_host, in nginx's default): every server's users share the cache
    location: "proxy_cache edge;\n      proxy_cache_key $scheme$request_uri;\n      proxy_cache_lock on;\n      add_header X-Cache-Status $upstream_cache_status always;",
  };
}

export function nginxConfig(role: NginxRole, servers: readonly NginxServer[], stateDir: string, logDir: string, readyNonce: string, user?: string): string {
  const lines = roleLines(role, stateDir);
  const upstreams = servers.map((x, i) => `upstream origin${i + 1} { server 127.0.0.1:${x.originPort}; keepalive 32; }`).join("\n  ");
  const blocks = servers.map((x, i) => `server {
    listen 127.0.0.1:${x.port};
    location = ${READY_PATH} { return 200 "${readyNonce}"; }
    location / {
      proxy_pass http://origin${i + 1};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      ${lines.location}
    }
  }`).join("\n  ");
  return `${user ? `user ${user};\n` : ""}daemon off;
worker_processes 1;
pid ${stateDir}/nginx.pid;
error_log ${logDir}/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log ${logDir}/nginx-access.log;
  client_body_temp_path ${stateDir}/body;
  proxy_temp_path ${stateDir}/proxy;
  fastcgi_temp_path ${stateDir}/fastcgi;
  uwsgi_temp_path ${stateDir}/uwsgi;
  scgi_temp_path ${stateDir}/scgi;
  ${lines.http}
  ${upstreams}
  ${blocks}
}
`;
}

function idsOf(user: string, group: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("getent", ["group", group], { encoding: "utf8" }).split(":")[2]);
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Starts nginx in `role` with one listening server per origin port (the CDN's edge per origin region; otherwise one). */
export const startNginx = (role: NginxRole, originPorts: readonly number[], runPath: string, tools: Tools): Effect.Effect<NginxPart, StartFailed | PortsExhausted, Scope.Scope> =>
  Effect.gen(function* () {
    const stateDir = join(runPath, "state", "nginx");
    const logDir = join(runPath, "logs");
    // As root, nginx's worker drops to an unprivileged user that must own the cache dir.
    const asRoot = process.getuid?.() === 0;
    const worker = asRoot ? idsOf("nobody", "nogroup") : undefined;
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(join(stateDir, "cache"), { recursive: true });
        // The cache and nginx's pid file: for nginx's own user (its worker's, as root) alone.
        await chmod(stateDir, 0o700);
        await chmod(join(stateDir, "cache"), 0o700);
        if (worker) {
          await chown(stateDir, worker.uid, worker.gid);
          await chown(join(stateDir, "cache"), worker.uid, worker.gid);
        }
      },
      catch: (e) => new StartFailed({ part: "nginx", reason: String(e) }),
    });
    const servers: NginxServer[] = [];
    for (const originPort of originPorts) servers.push({ port: yield* freePort, originPort });
    const ports = servers.map((x) => x.port);
    const cfgPath = join(runPath, "nginx.conf");
    const nonce = randomBytes(12).toString("hex");
    yield* Effect.promise(() => writeFile(cfgPath, nginxConfig(role, servers, stateDir, logDir, nonce, worker ? "nobody nogroup" : undefined)));
    const p = yield* proc({
      name: "nginx",
      command: tools.nginx,
      // -e: the startup error log before the config's own is read (else /var/log/nginx).
      args: ["-c", cfgPath, "-p", stateDir, "-e", join(logDir, "nginx-error.log")],
      logDir,
      stopSignal: "SIGTERM",
    });
    // Ready when the answer carries this config's nonce: our nginx, not another program that took
    // the port between its probe and nginx's bind.
    yield* waitReady("nginx", p, async () => {
      for (const port of ports) {
        const res = await fetch(`http://127.0.0.1:${port}${READY_PATH}`, { signal: AbortSignal.timeout(2000) });
        const body = await res.text();
        if (body !== nonce) throw new Error(`127.0.0.1:${port} answers, but not with this run's nonce: another program has the port`);
      }
      return true;
    });
    return { port: ports[0]!, ports };
  });
