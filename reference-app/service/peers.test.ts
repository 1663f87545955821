// Peers: a call reaches the callee's call path with the class, key and order; round robin over
// direct replicas; a failed answer or a refused connection becomes CallFailed with the status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CALL_PATH, CallFailed, Peers, padJson, parseCall } from "./peers.ts";

const seen: Array<{ server: number; path: string; body: string }> = [];
const servers: http.Server[] = [];
const urls: string[] = [];

beforeAll(async () => {
  for (const status of [200, 200, 503]) {
    const i = servers.length;
    const s = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        seen.push({ server: i, path: req.url ?? "", body });
        res.writeHead(status).end(status === 200 ? "{}" : "accept queue full");
      });
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    servers.push(s);
    urls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  }
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe("Peers", () => {
  it("sends the class, key and order to the call path, round robin over the callee's replicas", async () => {
    const peers = new Peers({ cart: [urls[0]!, urls[1]!] });
    const order = { id: "o-1", product: 3, quantity: 2 };
    for (let i = 0; i < 4; i++) await peers.call("cart", { class: "checkout", key: i, order });
    peers.close();
    expect(seen.map((s) => s.server)).toEqual([0, 1, 0, 1]);
    expect(seen.every((s) => s.path === CALL_PATH)).toBe(true);
    expect(JSON.parse(seen[3]!.body)).toEqual({ class: "checkout", key: 3, order });
  });

  it("pads a call's body to the request size drawn and sends the response size asked for", async () => {
    const peers = new Peers({ cart: [urls[0]!] });
    seen.length = 0;
    await peers.call("cart", { class: "checkout", key: 1, respond: 30_000 }, 20_000);
    peers.close();
    expect(Buffer.byteLength(seen[0]!.body)).toBe(20_000);
    const body = JSON.parse(seen[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ class: "checkout", key: 1, respond: 30_000 });
    expect(parseCall(seen[0]!.body, () => 10)).toEqual({ class: "checkout", key: 1, order: undefined, respond: 30_000 });
  });

  it("fails with the callee's status, and with 502 when nothing answers", async () => {
    const peers = new Peers({ full: [urls[2]!], gone: ["http://127.0.0.1:1"] });
    await expect(peers.call("full", { class: "c" })).rejects.toMatchObject({ status: 503 });
    const refused = await peers.call("gone", { class: "c" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CallFailed);
    expect((refused as CallFailed).status).toBe(502);
    peers.close();
  });
});

describe("parseCall", () => {
  const keys = (c: string) => (c === "browse" ? 100 : c === "checkout" ? undefined : null);
  it("accepts a known class with a key in range, refuses the rest with a reason", () => {
    expect(parseCall('{"class":"browse","key":99}', keys)).toEqual({ class: "browse", key: 99, order: undefined });
    expect(parseCall('{"class":"browse","key":100}', keys)).toBe("key out of range");
    expect(parseCall('{"class":"nope"}', keys)).toBe("no class 'nope' here");
    expect(parseCall("{", keys)).toBe("body is not valid JSON");
    expect(parseCall('{"class":"checkout","order":{"id":1}}', keys)).toBe("order must be { id, product, quantity }");
    expect(parseCall('{"class":"browse","respond":-1}', keys)).toMatch(/^respond must be a whole number of bytes/);
    expect(parseCall('{"class":"browse","respond":1.5}', keys)).toMatch(/^respond must be a whole number of bytes/);
  });

  it("pads JSON to the exact size, and leaves a text already larger as it is", () => {
    for (const n of [30, 1000, 65_536 + 17, 200_000]) expect(Buffer.byteLength(padJson('{"ok":true}', n))).toBe(n);
    expect(padJson('{"ok":true}', 5)).toBe('{"ok":true}');
  });
});
