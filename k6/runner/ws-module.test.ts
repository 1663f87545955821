// k6/ws in the built-in runner against a local `ws` server on loopback: a session's messages both
// ways and k6's metric names (ws_connecting, ws_session_duration, ws_sessions, ws_msgs_sent,
// ws_msgs_received), socket timers, and a refused handshake (503 at a connection limit) returned
// in the response without calling the callback.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { WebSocketServer } from "ws";
import { runScript } from "../testing/run-script.ts";

let http: Server;
let wss: WebSocketServer;
let url = "";
let open = 0;
const LIMIT = 2;

beforeAll(async () => {
  http = createServer();
  wss = new WebSocketServer({ noServer: true });
  // at most LIMIT sockets open at once, as a realtime instance's max_connections: then 503
  http.on("upgrade", (req, socket, head) => {
    if (open >= LIMIT) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    open++; // counted at once: three upgrades arriving together must not all pass
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("close", () => open--);
      // echo each message twice: received counts must be twice the sent ones
      ws.on("message", (d) => { ws.send(`echo:${d}`); ws.send(`again:${d}`); });
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/chat`;
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  await new Promise<void>((r) => http.close(() => r()));
});

describe("k6/ws", () => {
  it("a session: open, 3 messages sent, 6 received, close; k6's ws_* metrics", async () => {
    const r = await runScript(`import ws from "k6/ws"; import { check } from "k6";
export const options = { vus: 1, iterations: 2 };
export default function () {
  let got = 0;
  const res = ws.connect(__ENV.U, { tags: { room: "a" } }, function (socket) {
    socket.on("open", function () { socket.send("1"); socket.send("2"); socket.send("3"); });
    socket.on("message", function (m) { got++; if (got === 6) socket.setTimeout(function () { socket.close(); }, 20); });
  });
  check(res, { "status 101": (x) => x.status === 101, "got 6": () => got === 6 });
}`, { env: { U: url } });
    expect(r.exitCode).toBe(0);
    const m = r.summary.metrics;
    expect(m.checks.values.rate).toBe(1);
    expect(m.ws_sessions.values.count).toBe(2);
    expect(m.ws_msgs_sent.values.count).toBe(6);
    expect(m.ws_msgs_received.values.count).toBe(12);
    expect(m.ws_connecting.values.max).toBeGreaterThan(0);
    // the session lasts at least the 20 ms timer before the close
    expect(m.ws_session_duration.values.min).toBeGreaterThanOrEqual(20);
    const sent = r.points.find((p) => p.metric === "ws_msgs_sent")!;
    expect(sent.tags).toMatchObject({ url, room: "a", scenario: "default" });
  });

  it("a refused handshake returns its status and never calls the callback", async () => {
    const r = await runScript(`import ws from "k6/ws"; import { check, sleep } from "k6";
export const options = { vus: 3, iterations: 3 };
export default function () {
  let called = false;
  const res = ws.connect(__ENV.U, function (socket) {
    called = true;
    socket.on("open", function () { socket.setTimeout(function () { socket.close(); }, 300); });
  });
  check(res, { "101 and called, or 503 and not": (x) => (x.status === 101 && called) || (x.status === 503 && !called && x.error !== "") });
}`, { env: { U: url } });
    expect(r.exitCode).toBe(0);
    const m = r.summary.metrics;
    expect(m.checks.values.rate).toBe(1);
    // three VUs at once against a limit of two: one refused
    expect(m.ws_sessions.values.count).toBe(2);
  });

  it("an unsupported member is refused by name", async () => {
    const r = await runScript(`import ws from "k6/ws";
export const options = { vus: 1, iterations: 1 };
export default function () { ws.connect(__ENV.U, function (socket) { socket.on("open", function () { socket.sendBinary(new ArrayBuffer(1)); }); }); }`, { env: { U: url } });
    expect(r.stderr).toMatch(/'socket' has no member 'sendBinary'/);
  });
});
