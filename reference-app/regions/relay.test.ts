// The delaying relay (regions/relay.ts) on loopback, no namespaces: bytes arrive intact and in order
// in both directions under a random latency, no chunk is released before its delay (every round
// trip takes at least twice the constant one-way latency; a one-way route's at least once, well
// under twice), a half-close still gets its answer, and
// an unreachable target resets the client's connection. No upper time bound is asserted here (the
// RTT against the configured latency is measured in namespaces, netns.e2e.test.ts).
import { afterEach, describe, expect, it } from "vitest";
import http from "node:http";
import net from "node:net";
import { startRelay, type RunningRelay } from "./relay.ts";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
});

async function echoServer(): Promise<number> {
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on("data", (d) => s.write(d));
    s.on("end", () => s.end("|bye"));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  open.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
  return (srv.address() as net.AddressInfo).port;
}

async function relayTo(port: number, latency?: Parameters<typeof startRelay>[0][number]["latency"]): Promise<RunningRelay> {
  const relay = await startRelay([{ name: "t", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, latency }], 7);
  open.push(relay);
  return relay;
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port, noDelay: true, allowHalfOpen: true }, () => resolve(s));
    s.once("error", reject);
  });
}

describe("delaying relay", () => {
  it("keeps order and bytes in both directions under a random per-chunk latency", async () => {
    const relay = await relayTo(await echoServer(), { dist: "exponential", mean: 0.002 });
    const s = await connect(relay.ports[0]!);
    const sent: string[] = [];
    let got = "";
    s.setEncoding("utf8").on("data", (d: string) => (got += d));
    for (let i = 0; i < 300; i++) {
      const piece = `<${i}>`;
      sent.push(piece);
      s.write(piece);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    const want = sent.join("");
    const t0 = Date.now();
    while (got.length < want.length && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 5));
    expect(got).toBe(want);
    expect(relay.forwarded()).toBeGreaterThan(0);
    s.destroy();
  });

  it("never releases a chunk early: each round trip takes at least twice the one-way latency", async () => {
    const relay = await relayTo(await echoServer(), { dist: "constant", value: 0.005 });
    const s = await connect(relay.ports[0]!);
    const rtts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await new Promise((r) => { s.once("data", r); s.write("x"); });
      rtts.push(performance.now() - t);
    }
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(10);
    s.destroy();
  });

  it("a one-way route (a CDN's edge latency) holds the request only: each round trip at least the latency, well under twice it", async () => {
    const port = await echoServer();
    const relay = await startRelay([{ name: "edge", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, latency: { dist: "constant", value: 0.03 }, oneWay: true }], 7);
    open.push(relay);
    const s = await connect(relay.ports[0]!);
    const rtts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await new Promise((r) => { s.once("data", r); s.write("x"); });
      rtts.push(performance.now() - t);
    }
    rtts.sort((a, b) => a - b);
    expect(rtts[0]!).toBeGreaterThanOrEqual(30);
    // both ways would be at least 60 ms; the answer is forwarded at once
    expect(rtts[5]!).toBeLessThan(55);
    s.destroy();
  });

  it("passes a half-close after the held chunks, and the answer comes back", async () => {
    const relay = await relayTo(await echoServer(), { dist: "constant", value: 0.003 });
    const s = await connect(relay.ports[0]!);
    let got = "";
    s.setEncoding("utf8").on("data", (d: string) => (got += d));
    const ended = new Promise<void>((r) => s.once("end", () => r()));
    s.write("abc");
    s.end();
    await ended;
    expect(got).toBe("abc|bye");
  });

  it("resets the client's connection when the target cannot be reached", async () => {
    const free = await echoServer();
    // a port nobody listens on: the echo server's, once closed
    await open.pop()!.close();
    const relay = await relayTo(free);
    const s = await connect(relay.ports[0]!);
    const err = await new Promise<NodeJS.ErrnoException | undefined>((r) => {
      s.once("error", (e) => r(e));
      s.once("close", () => r(undefined));
    });
    expect(err?.code).toBe("ECONNRESET");
    expect(s.destroyed).toBe(true);
  });

  it("cuts a route (its region down): the open connection and new ones are reset; restored, it forwards again", async () => {
    const relay = await relayTo(await echoServer());
    const s = await connect(relay.ports[0]!);
    const closed = new Promise<string>((resolve) => {
      s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
      s.on("close", () => resolve("closed"));
    });
    relay.cut(["t"], true);
    expect(await closed).toBe("ECONNRESET");
    // a new connection is reset at once (while connecting or right after): no byte comes back
    const reset = await new Promise<string>((resolve) => {
      let got = "";
      const t = net.connect({ host: "127.0.0.1", port: relay.ports[0]! }, () => t.write("ping"));
      t.setEncoding("utf8").on("data", (d: string) => (got += d));
      t.on("error", (e: NodeJS.ErrnoException) => resolve(`${e.code}${got}`));
      t.on("close", () => resolve(`closed${got}`));
    });
    expect(reset).toBe("ECONNRESET");
    relay.cut(["t"], false);
    const u = await connect(relay.ports[0]!);
    const echoed = await new Promise<string>((resolve) => {
      u.setEncoding("utf8").on("data", (d: string) => resolve(d));
      u.write("again");
    });
    expect(echoed).toBe("again");
    u.destroy();
  });
});

describe("delaying relay with a link between regions (processor sharing, then the delay)", () => {
  const CAPACITY = 1_000_000; // bytes per second
  const ONE_WAY = 0.02;
  /** What the machine may add to a crossing (as link-relay.test.ts: a loaded 2-core machine). */
  const SLACK_S = 0.08;

  async function origin(): Promise<number> {
    const srv = http.createServer((req, res) => {
      const n = Number(req.url!.split("/").pop());
      req.resume().on("end", () => res.writeHead(200, { "content-length": n }).end(Buffer.alloc(n, 120)));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    open.push({ close: () => new Promise<void>((r) => srv.close(() => r())) });
    return (srv.address() as net.AddressInfo).port;
  }

  function get(port: number, path: string, t0: number): Promise<{ s: number; bytes: number }> {
    return new Promise((resolve, reject) => {
      http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
        let got = 0;
        res.on("data", (b: Buffer) => (got += b.length));
        res.on("end", () => resolve({ s: (performance.now() - t0) / 1000, bytes: got }));
      }).on("error", reject);
    });
  }

  it("an answer crosses the link (its bytes over the capacity, shared by two at once) and the latency each way; the link's counters see the bodies", async () => {
    const port = await origin();
    const links = [{ name: "a->b", bytesPerSecond: CAPACITY }, { name: "b->a", bytesPerSecond: CAPACITY }];
    const relay = await startRelay([{ name: "t", listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, latency: { dist: "constant", value: ONE_WAY }, up: 0, down: 1 }], 7, links);
    open.push(relay);
    await get(relay.ports[0]!, "/1000", performance.now()); // warm
    relay.resetLinks();
    const t0 = performance.now();
    const one = await get(relay.ports[0]!, "/200000", t0);
    const alone = 200_000 / CAPACITY + 2 * ONE_WAY;
    expect(one.bytes).toBe(200_000);
    expect(one.s).toBeGreaterThanOrEqual(alone);
    expect(one.s).toBeLessThanOrEqual(alone + SLACK_S);
    const t1 = performance.now();
    const [a, b] = await Promise.all([get(relay.ports[0]!, "/200000", t1), get(relay.ports[0]!, "/200000", t1)]);
    // shared: both end near 2 x 0.2 s + the round trip's latency (FIFO would end one at 0.24 s)
    for (const r of [a, b]) {
      expect(r.s).toBeGreaterThanOrEqual(0.4 + 2 * ONE_WAY - 0.05);
      expect(r.s).toBeLessThanOrEqual(0.4 + 2 * ONE_WAY + 0.1 + SLACK_S);
    }
    const [up, down] = relay.links();
    expect([up!.messages, up!.bodyBytes]).toEqual([3, 0]); // three GETs: heads only
    expect([down!.messages, down!.bodyBytes]).toEqual([3, 600_000]);
    expect(down!.headBytes).toBeGreaterThan(3 * 30);
    expect(down!.busySeconds).toBeGreaterThanOrEqual(0.6 - 1e-9);
    expect(down!.busySeconds).toBeLessThanOrEqual(0.6 + 3 * SLACK_S);
  });
});
