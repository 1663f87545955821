// One real service replica (no cache, database or broker) answering raw HTTP: a request target
// that node's parser accepts but URL cannot parse is a client error (400), not a 500; the replica
// keeps serving afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Effect, Exit, Scope } from "effect";
import net from "node:net";
import { runDir, freePort } from "../resources.ts";
import { startNodeProc } from "../parts/node-procs.ts";
import type { ServiceConfig } from "../config.ts";

let scope: Scope.CloseableScope;
let port = 0;

beforeAll(async () => {
  scope = Effect.runSync(Scope.make());
  port = await Effect.runPromise(Scope.extend(freePort, scope));
  const cfg: ServiceConfig = {
    role: "service",
    index: 1,
    port,
    seed: 1,
    // No timeout and no backlog: the simulator's defaults (none), which the replica must handle.
    service: { name: "api", replicas: 1, places: 1, concurrency: 2, handlers: { ping: [{ service: { dist: "constant", value: 0.001 } }] }, calls: [] },
    classes: [{ name: "ping", method: "GET", path: "/ping", via: "lb" }],
    queues: [],
    amqpUrl: "amqp://unused",
  };
  await Effect.runPromise(
    Scope.extend(
      Effect.flatMap(runDir(), (dir) => startNodeProc("api-1", cfg, dir.path)),
      scope,
    ),
  );
}, 90_000);

afterAll(async () => {
  if (scope) await Effect.runPromise(Scope.close(scope, Exit.void));
});

/** Sends `head` as is on a new connection and returns the status line of the answer. */
function raw(head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port });
    let text = "";
    s.setEncoding("utf8");
    s.on("data", (d) => (text += d));
    s.on("end", () => resolve(text.split("\r\n")[0] ?? ""));
    s.on("error", reject);
    s.setTimeout(5000, () => s.destroy(new Error(`no answer to ${JSON.stringify(head)}`)));
    s.write(head);
  });
}

describe("service replica, malformed request targets", () => {
  it.each(["http://[bad/", "http://[::1/x", "http://a:99999/"])("answers 400 to the absolute-form target %s", async (target) => {
    expect(await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).toBe("HTTP/1.1 400 Bad Request");
  });

  it("still serves a well-formed request after them", async () => {
    expect(await raw("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toBe("HTTP/1.1 200 OK");
    expect(await raw("GET http://127.0.0.1/ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).toBe("HTTP/1.1 200 OK");
  });
});
