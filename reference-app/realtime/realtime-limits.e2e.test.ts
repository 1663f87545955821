// A realtime component's limits through `app up` as the model holds them: two instances of two
// connections behind the HAProxy front take four connections (two each: least connections), refuse
// the fifth with 503 at once (the model refuses, it does not queue); an instance killed (the
// `crash:` fault) drops its two and HAProxy sends new connections to the other, which is full, so
// they are refused until the instance is back; the model's memory account (128 B base + 256 B a
// connection against 640 B) runs an instance out of memory on its third connection when
// max_connections would allow it. Every part on 127.0.0.1, nothing left after stop.
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { parseScenario } from "../../simulator/index.ts";
import { startAppPromise } from "../launcher.ts";
import { appPorts, leftovers, listenAddresses, metricSum } from "../testing.ts";

function scenario(chat: string) {
  const r = parseScenario(`
version: 1
name: realtime-limits
load:
  model: open
  rate: 1/s
  classes:
    ping: { http: { method: GET, path: /ping }, flow: [{ call: api }] }
  connections:
    chat: { rate: 1/s, lifetime: 10s }
components:
  api: { kind: service, service: 1ms }
  chat: { kind: realtime, balance: least_connections, channels: { count: 3 }, backbone: { service: 100us }, restart_after: 1s, ${chat} }
`, "realtime-limits.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

/** A client on channel 0: open, or the status its upgrade was refused with (0: the connection failed). */
function client(url: string): Promise<{ ws: WebSocket; closed: Promise<void> } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}?channel=0`);
    const closed = new Promise<void>((r) => ws.once("close", () => r()));
    ws.on("open", () => resolve({ ws, closed }));
    ws.on("error", () => resolve({ status: 0 }));
    ws.on("unexpected-response", (_q, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
  });
}

const open = (c: Awaited<ReturnType<typeof client>>) => ("ws" in c ? "open" : c.status);

/** A client once HAProxy's checks see an instance back (up to 5 s). */
async function clientWhenBack(url: string): Promise<Awaited<ReturnType<typeof client>>> {
  for (let i = 0; ; i++) {
    const c = await client(url);
    if ("ws" in c || i === 50) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("realtime limits under app up", () => {
  it("holds max_connections per instance, refuses past them at once, survives a crash and runs out of the model's memory", async () => {
    const { app, stop } = await startAppPromise(scenario("instances: 2, max_connections: 2"));
    const ports = appPorts(app);
    const all: WebSocket[] = [];
    try {
      for (const p of ports) expect(listenAddresses(p), `port ${p}`).toEqual(["127.0.0.1"]);
      const rt = app.realtime!;
      const four = [];
      for (let i = 0; i < 4; i++) four.push(await client(rt.url));
      four.forEach((c) => "ws" in c && all.push(c.ws));
      expect(four.map(open)).toEqual(["open", "open", "open", "open"]);
      const t = performance.now();
      expect(open(await client(rt.url))).toBe(503);
      expect(performance.now() - t).toBeLessThan(500);
      expect(await Promise.all(rt.metricsUrls.map((u) => metricSum([u], "headroom_rt_connections")))).toEqual([2, 2]);
      // instance 1 crashes: its two connections drop; the other is full, so a new one is refused
      await app.faults.killRealtime(1);
      await new Promise((r) => setTimeout(r, 1000));
      expect(all.map((ws) => ws.readyState)).toEqual(expect.arrayContaining([WebSocket.CLOSED, WebSocket.CLOSED, WebSocket.OPEN, WebSocket.OPEN]));
      expect(all.filter((ws) => ws.readyState === WebSocket.CLOSED)).toHaveLength(2);
      expect(open(await client(rt.url))).toBe(503);
      await app.faults.restartRealtime(1);
      const back = await clientWhenBack(rt.url);
      expect(open(back)).toBe("open");
      if ("ws" in back) all.push(back.ws);
    } finally {
      for (const ws of all) ws.terminate();
      await stop();
    }
    expect(await leftovers(app.runDir, ports)).toEqual([]);

    // the model's memory: 128 + 2 x 256 = 640 fits, a third connection (896) runs the instance out
    const mem = await startAppPromise(scenario("instances: 1, max_connections: 10, memory: 640, memory_base: 128, memory_per_connection: 256"));
    try {
      const url = mem.app.realtime!.url;
      const two = [await client(url), await client(url)];
      expect(two.map(open)).toEqual(["open", "open"]);
      const third = await client(url);
      await Promise.all(two.map((c) => ("ws" in c ? c.closed : undefined)));
      if ("ws" in third) await third.closed;
      // down for restart_after (1 s): refused; then empty and serving
      expect(open(await client(url))).not.toBe("open");
      const again = await clientWhenBack(url);
      expect(open(again)).toBe("open");
      expect(await metricSum(mem.app.realtime!.metricsUrls, "headroom_rt_out_of_memory_total")).toBe(1);
      expect(await metricSum(mem.app.realtime!.metricsUrls, "headroom_rt_connections")).toBe(1);
      if ("ws" in again) again.ws.terminate();
    } finally {
      await mem.stop();
    }
  }, 90_000);
});
