// Test helpers for `validate --target` and `compare`: a tiny "user's system" with known service
// times, and a small Prometheus stand-in that scrapes it.
//
// The system is one HTTP server on 127.0.0.1 with `servers` workers: each GET under /items/ takes a
// worker for serviceMs (a timer, so it needs no CPU), waiting FIFO when all are busy: an M/D/c
// station whose truth is known; any other path answers 404. Its /metrics expose the busy seconds
// (finished requests plus the running part of those in service) as a Prometheus counter.
//
// The fast tests ask `startPromStandIn` (a real Prometheus, testing/prometheus.ts, takes seconds to
// start and does not say what it was asked; own-system.long.test.ts runs one): it really scrapes /metrics every scrapeMs into an in-memory series and
// implements /api/v1/query for the one expression shape the tests use, `rate(NAME[Ns])` optionally
// `/ K` (increase between the samples at or before `time - N` and `time`, per second of their span,
// divided by K: Prometheus's rate without its extrapolation); anything else is answered as Prometheus answers bad PromQL. It trades
// away PromQL itself: it proves the client, the $window substitution and the rows, not Prometheus.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sumMetrics } from "../../reference-app/prom.ts";

export interface OwnSystem {
  url: string;
  /** requests completed per path prefix, e.g. "/items" */
  completed: number;
  busySeconds(): number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function shut(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

export async function startOwnSystem(o: { servers: number; serviceMs: number }): Promise<OwnSystem> {
  let free = o.servers;
  const waiting: Array<() => void> = [];
  const started = new Set<number>(); // start times (ms) of the requests in service
  let busyDone = 0; // ms
  let completed = 0;
  const busySeconds = () => {
    const now = performance.now();
    let running = 0;
    for (const t of started) running += now - t;
    return (busyDone + running) / 1000;
  };
  const serve = (done: () => void) => {
    const t0 = performance.now();
    started.add(t0);
    setTimeout(() => {
      started.delete(t0);
      busyDone += performance.now() - t0;
      completed++;
      done();
      const next = waiting.shift();
      if (next) next();
      else free++;
    }, o.serviceMs);
  };
  const server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      res.setHeader("Content-Type", "text/plain; version=0.0.4");
      res.end(`# TYPE own_busy_seconds_total counter\nown_busy_seconds_total ${busySeconds()}\n# TYPE own_requests_total counter\nown_requests_total ${completed}\n`);
      return;
    }
    if (req.method !== "GET" || !path.startsWith("/items/")) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    const done = () => res.end('{"ok":true}');
    if (free > 0) {
      free--;
      serve(done);
    } else waiting.push(() => serve(done));
  });
  server.keepAliveTimeout = 60_000;
  const url = await listen(server);
  return {
    url,
    get completed() {
      return completed;
    },
    busySeconds,
    close: () => shut(server),
  };
}

export interface PromStandIn {
  url: string;
  /** the expressions asked, in order */
  asked: string[];
  close(): Promise<void>;
}

const RATE = /^\s*rate\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\[(\d+)s\]\s*\)\s*(?:\/\s*([0-9.]+)\s*)?$/;

export async function startPromStandIn(o: { scrape: string; scrapeMs?: number }): Promise<PromStandIn> {
  const series = new Map<string, Array<{ t: number; v: number }>>(); // t in unix seconds
  const asked: string[] = [];
  let scraping = true;
  const scrapeOnce = async () => {
    try {
      const text = await (await fetch(o.scrape)).text();
      const t = Date.now() / 1000;
      for (const [name, v] of sumMetrics(text)) {
        let s = series.get(name);
        if (!s) series.set(name, (s = []));
        s.push({ t, v });
      }
    } catch {
      // a failed scrape leaves a gap, as in Prometheus
    }
  };
  await scrapeOnce();
  const loop = (async () => {
    while (scraping) {
      await new Promise((r) => setTimeout(r, o.scrapeMs ?? 200));
      if (scraping) await scrapeOnce();
    }
  })();
  /** the last sample at or before t */
  const at = (s: Array<{ t: number; v: number }>, t: number) => {
    let best: { t: number; v: number } | undefined;
    for (const p of s) if (p.t <= t) best = p;
    return best;
  };
  const server = createServer((req, res) => {
    req.resume();
    const u = new URL(req.url ?? "/", "http://x");
    res.setHeader("Content-Type", "application/json");
    if (u.pathname !== "/api/v1/query") {
      res.statusCode = 404;
      res.end(JSON.stringify({ status: "error", errorType: "not_found", error: "unknown endpoint" }));
      return;
    }
    const q = u.searchParams.get("query") ?? "";
    asked.push(q);
    const t = Number(u.searchParams.get("time") ?? Date.now() / 1000);
    const m = RATE.exec(q);
    if (!m) {
      res.statusCode = 400;
      res.end(JSON.stringify({ status: "error", errorType: "bad_data", error: `1:1: parse error: the stand-in knows only rate(name[Ns]) [/ K], got ${q}` }));
      return;
    }
    const s = series.get(m[1]) ?? [];
    const end = at(s, t);
    const start = at(s, t - Number(m[2]));
    const result = end && start && end.t > start.t ? [{ metric: {}, value: [t, String((end.v - start.v) / (end.t - start.t) / Number(m[3] ?? 1))] }] : [];
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
  });
  const url = await listen(server);
  return {
    url,
    asked,
    close: async () => {
      scraping = false;
      await loop;
      await shut(server);
    },
  };
}
