// The dashboard's static server: serves the built files with their types, nothing outside its
// folder, refuses an unbuilt folder clearly, answers only to its own Host names (DNS rebinding),
// and releases its port on close.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "node:http";
import { serveDirectory, NotBuiltError, type RunningServer } from "./server.ts";

let dir: string;
let server: RunningServer;

/** A raw GET (fetch would normalize "/../" away before sending it). */
function get(port: number, path: string, host?: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", headers: host === undefined ? {} : { host } }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "headroom-serve-"));
  await mkdir(join(dir, "site", "assets"), { recursive: true });
  await writeFile(join(dir, "site", "index.html"), "<!doctype html><title>the page</title>");
  await writeFile(join(dir, "site", "assets", "app.js"), "export {}");
  await writeFile(join(dir, "secret.txt"), "not for the browser");
  server = await serveDirectory(join(dir, "site"));
});

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("serveDirectory", () => {
  test("listens on 127.0.0.1 on a free port and serves index.html at /", async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const r = await get(server.port, "/");
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html/);
  });

  test("assets get their content type; unknown paths are 404", async () => {
    expect((await get(server.port, "/assets/app.js")).type).toMatch(/^text\/javascript/);
    expect((await get(server.port, "/nope.js")).status).toBe(404);
  });

  test("nothing outside the folder is reachable", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"]) {
      const r = await get(server.port, path);
      expect(r.body, path).not.toContain("not for the browser");
      expect([403, 404], path).toContain(r.status);
    }
  });

  test("a malformed path is a 400, and the server keeps serving", async () => {
    expect((await get(server.port, "/%E0%A4%A")).status).toBe(400);
    expect((await get(server.port, "/")).status).toBe(200);
  });

  test("a forged Host (DNS rebinding) gets 421 and none of the files; its own names get the page", async () => {
    const p = server.port;
    for (const host of [`evil.example:${p}`, `127.0.0.1.evil.example:${p}`, `localhost.evil.example:${p}`, `localhost:${p + 1}`, "localhost", "127.0.0.1", `0.0.0.0:${p}`, `127.0.0.2:${p}`, `localhost:${p}@evil.example`]) {
      for (const path of ["/", "/assets/app.js"]) {
        const r = await get(p, path, host);
        expect(r.status, `${host} ${path}`).toBe(421);
        expect(r.body, host).not.toContain("the page");
        expect(r.body, host).not.toContain("export {}");
        expect(r.body, host).toMatch(/answers only to 127\.0\.0\.1:\d+, localhost:\d+, \[::1\]:\d+/);
      }
    }
    for (const host of [`127.0.0.1:${p}`, `localhost:${p}`, `LOCALHOST:${p}`, `[::1]:${p}`]) {
      const r = await get(p, "/", host);
      expect(r.status, host).toBe(200);
      expect(r.body, host).toContain("the page");
    }
  });

  test("an unbuilt folder is refused with a message that says what to do", async () => {
    await expect(serveDirectory(dir)).rejects.toBeInstanceOf(NotBuiltError);
    await expect(serveDirectory(dir)).rejects.toThrow(/index\.html not found: build the dashboard first/);
  });

  test("close releases the port", async () => {
    const s = await serveDirectory(join(dir, "site"));
    await get(s.port, "/"); // a keep-alive connection must not hold close() open
    await s.close();
    const probe = createServer();
    await new Promise<void>((ok, fail) => { probe.once("error", fail); probe.listen(s.port, "127.0.0.1", () => ok()); });
    await new Promise<void>((ok) => probe.close(() => ok()));
  });
});
