// What the link relay's hop adds to one exchange, beyond the link's own processor-sharing time:
// the relay as the app runs it (its own process, parts/link-relay-proc.ts; SCHED_FIFO as root), an
// HTTP origin and a real redis-server behind it, one client sending one request at a time (so no
// transfer shares its link), each case alternating in blocks between the relay's route and the
// target straight. Cases: HTTP answers of 100 B, 20 kB and 200 kB and a Redis GET of a 20 kB value
// on a link too fast to matter (1 TB/s: the hop alone), and the 20 kB ones on 2 MB/s (16 Mbit/s, the
// validation scenarios' links: the hop plus the release timing, less the 10 ms the model charges).
// Prints per case the mean and median of (through the relay) - (straight) - (the PS time alone).
// Run: /tmp/hr-quiet/measure node bin/run-ts.mjs reference-app/parts/link-relay-hop.measure.ts [N]
// Not a test: a measurement whose figures go to docs/reference-app.md ("The relay's own hop").
import { spawn } from "node:child_process";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { spawnLinkRelay } from "./link-relay-proc.ts";

const N = Number(process.argv[2] ?? 400);
const BLOCK = 20;
const FAST = 1e12;
const SLOW = 2e6;

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  }).on("error", reject);
});

const dir = mkdtempSync(join(tmpdir(), "hr-relay-hop-"));
const origin = http.createServer((req, res) => {
  const n = Number(req.url!.slice(1));
  res.writeHead(200, { "content-length": n }).end(Buffer.alloc(n, 120));
});
const redisPort = await freePort();
const redis = spawn("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
const clients: Redis[] = [];
let relay: Awaited<ReturnType<typeof spawnLinkRelay>> | undefined;
try {
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", () => r()));
  const httpPort = (origin.address() as net.AddressInfo).port;
  relay = await spawnLinkRelay(
    [{ name: "fast", bytesPerSecond: FAST }, { name: "slow", bytesPerSecond: SLOW }, { name: "rfast", bytesPerSecond: FAST }, { name: "rslow", bytesPerSecond: SLOW }],
    [
      { name: "h-fast", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: httpPort, up: -1, down: 0 },
      { name: "h-slow", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: httpPort, up: -1, down: 1 },
      { name: "r-fast", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: redisPort, up: -1, down: 2, protocol: "resp" },
      { name: "r-slow", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: redisPort, up: -1, down: 3, protocol: "resp" },
    ],
    dir,
  );
  const [hFast, hSlow, rFast, rSlow] = relay.ports as [number, number, number, number];
  const redisAt = async (port: number) => {
    const c = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 0, enableReadyCheck: false });
    c.on("error", () => {});
    clients.push(c);
    await c.ping();
    return c;
  };
  const straightRedis = await redisAt(redisPort);
  await straightRedis.set("v", Buffer.alloc(20_000, 120));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const httpGet = (port: number, n: number) => new Promise<void>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: `/${n}`, agent }, (res) => res.on("data", () => {}).on("end", resolve).on("error", reject)).on("error", reject);
  });
  // each case: (through the relay, straight, the PS time the link itself takes)
  const cases: { name: string; via: () => Promise<unknown>; straight: () => Promise<unknown>; psMs: number }[] = [];
  for (const n of [100, 20_000, 200_000]) cases.push({ name: `HTTP ${n} B, fast link`, via: () => httpGet(hFast, n), straight: () => httpGet(httpPort, n), psMs: 0 });
  cases.push({ name: "HTTP 20000 B, 2 MB/s", via: () => httpGet(hSlow, 20_000), straight: () => httpGet(httpPort, 20_000), psMs: 0 });
  const rf = await redisAt(rFast), rs = await redisAt(rSlow);
  cases.push({ name: "Redis GET 20000 B, fast link", via: () => rf.getBuffer("v"), straight: () => straightRedis.getBuffer("v"), psMs: 0 });
  cases.push({ name: "Redis GET 20000 B, 2 MB/s", via: () => rs.getBuffer("v"), straight: () => straightRedis.getBuffer("v"), psMs: 0 });
  for (const c of cases) {
    // the HTTP head crosses the link too (about 40 B here; Redis's framing 9 B): PS time of the whole message
    if (c.name.includes("2 MB/s")) c.psMs = ((20_000 + (c.name.startsWith("HTTP") ? 38 : 9)) / SLOW) * 1000;
  }
  const time = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
  const median = (x: number[]) => {
    const s = [...x].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  console.log(`relay pid ${relay.pid}; ${N} exchanges per path and case, blocks of ${BLOCK}, one at a time`);
  for (const c of cases) {
    for (let i = 0; i < 20; i++) { await c.via(); await c.straight(); } // warm: JIT, connections
    const via: number[] = [], straight: number[] = [];
    for (let b = 0; b < N / BLOCK; b++) {
      for (let i = 0; i < BLOCK; i++) via.push(await time(c.via));
      for (let i = 0; i < BLOCK; i++) straight.push(await time(c.straight));
    }
    const sd = Math.sqrt(mean(via.map((x) => (x - mean(via)) ** 2)) / via.length + mean(straight.map((x) => (x - mean(straight)) ** 2)) / straight.length);
    console.log(`${c.name}: via relay mean ${mean(via).toFixed(3)} p50 ${median(via).toFixed(3)} ms; straight mean ${mean(straight).toFixed(3)} p50 ${median(straight).toFixed(3)} ms; PS ${c.psMs.toFixed(3)} ms; hop mean ${(mean(via) - mean(straight) - c.psMs).toFixed(3)} ± ${(1.96 * sd).toFixed(3)} ms, p50 ${(median(via) - median(straight) - c.psMs).toFixed(3)} ms`);
  }
  agent.destroy();
} finally {
  for (const c of clients) c.disconnect();
  if (relay) process.stderr.write(await relay.stop());
  redis.kill();
  await new Promise<void>((r) => origin.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
}
