// The live dashboard's server (live-server.ts, live-channel.ts): nothing without the run's token
// (403), the page and the event stream with it; a page joining late gets every event published so
// far, then the new ones; the interval history is bounded; close() ends the streams and releases
// the port.
import { afterEach, describe, expect, test } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request, type IncomingMessage } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLiveServer, EVENTS_PATH, type LiveServer } from "./live-server.ts";
import { LiveChannel } from "./live-channel.ts";

let dir: string | undefined;
let live: LiveServer | undefined;

afterEach(async () => {
  await live?.close();
  live = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(): Promise<LiveServer> {
  dir = await mkdtemp(join(tmpdir(), "headroom-live-"));
  await writeFile(join(dir, "index.html"), "<!doctype html><title>live page</title>");
  live = await startLiveServer(dir);
  return live;
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    // a request that hangs fails here, naming its path (CI once timed this test out at 120 s)
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${path}: no answer in 15 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** Opens the event stream; `events()` parses what arrived so far into [event, data] pairs. */
function stream(url: string): Promise<{ res: IncomingMessage; events: () => Array<[string, unknown]>; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      const ended = new Promise<void>((ok) => res.on("end", ok));
      const events = () => text.split("\n\n").flatMap((block) => {
        const ev = /^event: (.*)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        return ev && data ? [[ev[1], JSON.parse(data[1])] as [string, unknown]] : [];
      });
      resolve({ res, events, ended });
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${url}: no answer in 15 s`)));
    req.on("error", reject);
    req.end();
  });
}

const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f()).toBe(true);
};

describe("live server", () => {
  test("refuses every request without the run's token (403), serves the page and events with it", async () => {
    const s = await start();
    const base = new URL(s.url);
    expect(base.hostname).toBe("127.0.0.1");
    expect(base.search).toBe("?live");
    const token = base.pathname.split("/")[1];
    expect(token.length).toBeGreaterThanOrEqual(20);
    for (const path of ["/", "/index.html", EVENTS_PATH, `/${token.slice(0, -1)}/`, `/${token.slice(0, -1)}x${EVENTS_PATH}`, `/x${token}/`]) {
      expect((await get(s.port, path)).status, path).toBe(403);
    }
    const page = await get(s.port, `/${token}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("live page");
    const ev = await stream(`${base.origin}/${token}${EVENTS_PATH}`);
    expect(ev.res.statusCode).toBe(200);
    expect(ev.res.headers["content-type"]).toMatch(/^text\/event-stream/);
    ev.res.destroy();
  });

  test("a page joining late gets every event so far, in order, then the new ones", async () => {
    const s = await start();
    const events = `${new URL(s.url).origin}${new URL(s.url).pathname}live/events`;
    const early = await stream(events);
    s.channel.publish("phase", { index: 0 });
    s.channel.publish("interval", { phase: 0, t: 1 });
    s.channel.publish("interval", { phase: 0, t: 2 });
    await until(() => early.events().length === 3);
    const late = await stream(events);
    await until(() => late.events().length === 3);
    expect(late.events()).toEqual(early.events());
    s.channel.publish("done", { status: "done", exitCode: 0 });
    await until(() => late.events().length === 4 && early.events().length === 4);
    expect(late.events()[3]).toEqual(["done", { status: "done", exitCode: 0 }]);
  });

  test("close() ends the open streams and releases the port", async () => {
    const s = await start();
    const port = s.port;
    const ev = await stream(`${new URL(s.url).origin}${new URL(s.url).pathname}live/events`);
    await s.close();
    live = undefined;
    await ev.ended; // the stream ended: the test would time out otherwise
    await new Promise<void>((ok, fail) => {
      const probe = createServer();
      probe.once("error", fail);
      probe.listen(port, "127.0.0.1", () => probe.close(() => ok()));
    });
  });
});

describe("live channel", () => {
  test("keeps at most maxIntervals interval events, the oldest forgotten, every other event kept", () => {
    const c = new LiveChannel(3);
    c.publish("phase", { index: 0 });
    for (let t = 1; t <= 5; t++) c.publish("interval", { t });
    c.publish("phase-end", { phase: 0 });
    expect(c.size).toBe(1 + 3 + 1);
  });
});
