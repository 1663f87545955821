// Node side of the dashboard: build it with Vite and serve the built files from 127.0.0.1 on a free
// (or given) port. Used by `headroom serve` and by the end-to-end tests; a plain static server,
// because the app needs nothing from the server once built. It answers only requests addressed to
// its own names (127.0.0.1, localhost, [::1] with its port): a page on another site that rebinds
// its DNS name to 127.0.0.1 sends its own name as Host and gets 421, so it cannot read the files.
// Trade-off: a user reaching the server under another name (an /etc/hosts alias, a tunnel) is
// refused too.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

export const DASHBOARD_DIR = fileURLToPath(new URL(".", import.meta.url));
export const DEFAULT_DIST = join(DASHBOARD_DIR, "dist");

/** Builds the app into outDir (default dashboard/dist) with dashboard/vite.config.ts. */
export async function buildDashboard(outDir: string = DEFAULT_DIST, quiet = false): Promise<void> {
  const { build } = await import("vite");
  await build({
    configFile: join(DASHBOARD_DIR, "vite.config.ts"),
    logLevel: quiet ? "error" : "warn",
    build: { outDir, emptyOutDir: true },
  });
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

export class NotBuiltError extends Error {}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The Host values this server answers to on `port`: its loopback names, with the port (a browser
 * leaves the port out only for 80). Compared case-insensitively. */
export function ownHosts(port: number): ReadonlySet<string> {
  const names = ["127.0.0.1", "localhost", "[::1]"];
  const hosts = names.map((n) => `${n}:${port}`);
  if (port === 80) hosts.push(...names);
  return new Set(hosts);
}

export interface ServeOptions {
  /**
   * A secret first path segment (the live dashboard's per-run token): every path must start with
   * /<prefix>/, anything else gets 403; the files are served under it and `url` includes it.
   */
  readonly prefix?: string;
  /** Answers a request before the files (path without the prefix); returns false to leave it to them. */
  readonly handle?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
}

/** Whether `path` starts with /<prefix>/ (compared in constant time); the rest of it, or null. */
function underPrefix(path: string, prefix: string): string | null {
  const want = Buffer.from(`/${prefix}/`);
  const got = Buffer.from(path.slice(0, prefix.length + 2));
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  return path.slice(prefix.length + 1);
}

/** Serves dir on 127.0.0.1; port 0 picks a free one. Resolves once listening. */
export async function serveDirectory(dir: string, port = 0, opts: ServeOptions = {}): Promise<RunningServer> {
  const root = resolve(dir);
  try {
    await stat(join(root, "index.html"));
  } catch {
    throw new NotBuiltError(`${join(root, "index.html")} not found: build the dashboard first (run headroom serve without --no-build)`);
  }
  let hosts: ReadonlySet<string> = new Set();
  const server: Server = createServer(async (req, res) => {
    const host = (req.headers.host ?? "").toLowerCase();
    if (!hosts.has(host)) {
      res.writeHead(421, { "content-type": "text/plain" }).end(`this server answers only to ${[...hosts].join(", ")}, not Host ${JSON.stringify(host.slice(0, 100))}\n`);
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      res.writeHead(400, { "content-type": "text/plain" }).end("bad request path\n");
      return;
    }
    if (opts.prefix !== undefined) {
      const rest = underPrefix(path, opts.prefix);
      if (rest === null) {
        res.writeHead(403, { "content-type": "text/plain" }).end("forbidden: open the URL the command printed (it carries the run's token)\n");
        return;
      }
      path = rest;
    }
    if (opts.handle?.(req, res, path)) return;
    const file = normalize(join(root, path === "/" ? "index.html" : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  // Keep-alive sockets would hold close() open until they time out.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => ok());
  });
  const actual = (server.address() as { port: number }).port;
  hosts = ownHosts(actual);
  return {
    url: `http://127.0.0.1:${actual}/${opts.prefix !== undefined ? `${opts.prefix}/` : ""}`,
    port: actual,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
