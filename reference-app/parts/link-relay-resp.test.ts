// The link relay on a cache's route (protocol "resp"): a real redis-server behind it, ioredis in
// front, the cache's link of 1 MB/s on Redis's replies. A 200 kB value alone comes back in its
// bytes over the capacity, two at once on two connections share the link (each takes twice as
// long; FIFO would give one 0.2 s), pipelined GETs on one connection cross one after another, and
// the relay counts the values as the model's bytes (the bulk strings), the RESP framing apart.
// Lower limits are exact (the relay never releases before the PS moment); upper ones carry slack
// for the shared 2-core machine, as link-relay.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { startLinkRelay, type RunningLinkRelay } from "./link-relay.ts";

const CAPACITY = 1_000_000; // bytes per second
const VALUE = 200_000;
const SLACK_S = 0.08 + VALUE * 50e-9;

let dir: string;
let server: ChildProcess | undefined;
let relay: RunningLinkRelay;
const clients: Redis[] = [];

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  }).on("error", reject);
});

const client = (port: number) => {
  const c = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  c.on("error", () => {});
  clients.push(c);
  return c;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "hr-resp-relay-"));
  const port = await freePort();
  server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  const direct = client(port);
  for (let i = 0; ; i++) {
    try {
      await direct.connect();
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await direct.set("big", "v".repeat(VALUE));
  await direct.set("big2", "w".repeat(VALUE));
  relay = await startLinkRelay([{ name: "cache", bytesPerSecond: CAPACITY }], [{ name: "api->cache", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, up: -1, down: 0, protocol: "resp" }]);
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await relay?.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await gone;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const timed = async <T>(f: () => Promise<T>): Promise<{ s: number; v: T }> => {
  const t0 = performance.now();
  const v = await f();
  return { s: (performance.now() - t0) / 1000, v };
};

describe("the link relay on Redis's replies (RESP)", () => {
  it("one value alone: its bytes over the capacity; two at once share the link; pipelined ones cross in turn; the values are the bytes counted", async () => {
    const a = client(relay.ports[0]!), b = client(relay.ports[0]!);
    await Promise.all([a.connect(), b.connect()]); // ioredis's ready check (INFO) crosses the link too
    relay.reset();

    const alone = await timed(() => a.get("big"));
    expect(alone.v).toHaveLength(VALUE);
    expect(alone.s).toBeGreaterThanOrEqual(VALUE / CAPACITY);
    expect(alone.s).toBeLessThan(VALUE / CAPACITY + SLACK_S);

    // two at once: each at C/2, ending together at 2 x 0.2 s (FIFO: the first at 0.2)
    const [x, y] = await Promise.all([timed(() => a.get("big")), timed(() => b.get("big2"))]);
    for (const t of [x, y]) {
      expect(t.v).toHaveLength(VALUE);
      expect(t.s).toBeGreaterThanOrEqual((2 * VALUE) / CAPACITY - 0.005);
      expect(t.s).toBeLessThan((2 * VALUE) / CAPACITY + SLACK_S);
    }

    // a pipeline on one connection: its replies one after another (a TCP stream is FIFO), a nil between
    const piped = await timed(() => a.pipeline().get("big").get("missing").get("big2").exec());
    expect(piped.v!.map(([, v]) => (v as string | null)?.length ?? null)).toEqual([VALUE, null, VALUE]);
    expect(piped.s).toBeGreaterThanOrEqual((2 * VALUE) / CAPACITY);
    expect(piped.s).toBeLessThan((2 * VALUE) / CAPACITY + SLACK_S);

    const [r] = relay.report();
    // six replies: five values and one nil, nothing counted of the framing ("$200000\r\n...\r\n", "$-1\r\n")
    expect(r!.messages).toBe(6);
    expect(r!.bodyBytes).toBe(5 * VALUE);
    expect(r!.headBytes).toBe(5 * (`$${VALUE}\r\n`.length + 2) + "$-1\r\n".length);
    expect(r!.bodySquares).toBe(5 * VALUE * VALUE);
    // busy: the alone one, the pair, the pipeline's two in turn
    expect(r!.busySeconds).toBeGreaterThanOrEqual((5 * VALUE) / CAPACITY - 0.005);
    expect(r!.busySeconds).toBeLessThan((5 * VALUE) / CAPACITY + 0.05);
  });
});
