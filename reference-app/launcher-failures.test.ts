// The launcher's failures before and during its start: too few free ports fails before anything
// starts (PortsExhausted; `headroom app up --ports` exits 2 saying what to do), and a part that
// fails after others have started (its port taken by another process) fails the start with that
// part's name and log, and releases everything started before it: no process, port or run dir.
// And another program answering on a part's port is not taken for the part.
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import http from "node:http";
import net from "node:net";
import { Effect } from "effect";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise } from "./launcher.ts";
import { ephemeralPort, portInRange } from "./resources.ts";
import { appPorts, leftovers } from "./testing.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

// Redis, then two replicas behind HAProxy: small, and its first part (Redis) starts fast.
const SMALL = `
version: 1
name: small-cache
load:
  model: open
  rate: 10/s
  classes:
    get_product:
      http: { method: GET, path: "/products/{key}" }
      keys: { count: 100 }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, backends: api, maxconn: 4 }
  api:
    kind: service
    replicas: 2
    concurrency: 4
    handlers:
      get_product: [{ call: cache, op: get }]
  cache: { kind: cache, capacity: 100 }
`;
const small = () => {
  return scenarioOf(SMALL, "small.yaml");
};

/** A listener on a free port of 127.0.0.1 that takes connections and drops them at once. */
async function occupy(onConnection: (s: net.Socket) => void = (s) => s.destroy()): Promise<net.Server & { port: number }> {
  const srv = net.createServer(onConnection);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return Object.assign(srv, { port: (srv.address() as net.AddressInfo).port });
}
const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
const held: net.Server[] = [];
afterEach(async () => {
  await Promise.all(
    held.splice(0).map((s) => {
      // Connections a part's client left open would keep close() waiting.
      (s as Partial<http.Server>).closeAllConnections?.();
      return new Promise((r) => s.close(r));
    }),
  );
});

describe("port range exhausted", () => {
  it("fails with PortsExhausted before anything starts when the range has fewer free ports than the run needs", async () => {
    // One free port; the run needs 5 (admin, Redis, two replicas, HAProxy).
    const probe = await occupy();
    const port = probe.port;
    await new Promise((r) => probe.close(r));
    const progress: string[] = [];
    await expect(startAppPromise(small(), { ports: portInRange(port, port), onProgress: (p) => progress.push(p) })).rejects.toMatchObject({
      _tag: "PortsExhausted",
      message: expect.stringMatching(new RegExp(`every port of ${port}-${port} is taken.*--ports range`)),
    });
    expect(progress).toEqual([]);
  });

  it("runs every part on the range's ports when it has exactly as many free ports as the run needs", async () => {
    // Five consecutive free ports (the run needs 5), found by probing from a random base.
    let base = 0;
    for (let tries = 0; tries < 50 && base === 0; tries++) {
      const b = 20000 + Math.floor(Math.random() * 20000);
      const free = await Promise.all(Array.from({ length: 5 }, (_, i) => canListen(b + i)));
      if (free.every(Boolean)) base = b;
    }
    expect(base).toBeGreaterThan(0);
    const { app, stop } = await startAppPromise(small(), { ports: portInRange(base, base + 4) });
    try {
      expect(appPorts(app).sort((a, b) => a - b)).toEqual([base, base + 1, base + 2, base + 3, base + 4]);
      expect((await fetch(`${app.url}/products/7`)).status).toBe(404);
    } finally {
      await stop();
    }
  }, 120_000);

  it("headroom app up --ports exits 2, says what to do, and starts nothing", () => {
    return (async () => {
      const srv = await occupy();
      held.push(srv);
      const run = spawnSync(process.execPath, ["bin/headroom.mjs", "app", "up", "scenarios/lb-replicas.yaml", "--ports", `${srv.port}-${srv.port}`], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.stderr).toContain(`no free TCP port on 127.0.0.1 (every port of ${srv.port}-${srv.port} is taken or already handed out); stop other listeners, or give a wider --ports range, and retry`);
      expect(run.stderr).not.toMatch(/started /);
      expect(run.status).toBe(2);
    })();
  }, 60_000);

  it("rejects a malformed --ports as a usage error", () => {
    const run = spawnSync(process.execPath, ["bin/headroom.mjs", "app", "up", "scenarios/lb-replicas.yaml", "--ports", "9000-8000"], { cwd: ROOT, encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).toMatch(/--ports must be FROM-TO/);
    expect(run.status).toBe(2);
  }, 30_000);
});

/**
 * An allocator that hands out `taken` (a port another process listens on) as its `nth` port (from 0)
 * and ephemeral ports otherwise. The launcher reserves the run's ports up front and hands them to
 * the parts in the order they start (here: Redis, replica 1, replica 2, HAProxy, admin).
 */
function sabotage(taken: number, nth: number) {
  let calls = 0;
  const seen: string[] = [];
  return {
    seen,
    onProgress: (p: string) => void seen.push(p),
    ports: Effect.suspend(() => (calls++ === nth ? Effect.succeed(taken) : ephemeralPort)),
  };
}

const portsIn = (lines: readonly string[]) => lines.flatMap((p) => [...p.matchAll(/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])));

describe("a part that fails after others started", () => {
  it("fails with the part's name and log, and releases Redis and the replica started before it", async () => {
    const srv = await occupy();
    held.push(srv);
    const s = sabotage(srv.port, 1);
    const err = await startAppPromise(small(), { ports: s.ports, onProgress: s.onProgress }).then(
      () => undefined,
      (e: unknown) => e as { _tag: string; part: string; message: string },
    );
    expect(err?._tag).toBe("StartFailed");
    // The first replica gets the taken port: it cannot listen, exits, and its log says why.
    expect(err?.part).toBe("api-1");
    expect(err?.message).toMatch(/EADDRINUSE/);
    const dir = /^run dir (\S+)/.exec(s.seen[0] ?? "")?.[1];
    expect(dir).toMatch(/headroom-app-/);
    const redisPort = Number(/^redis 127\.0\.0\.1:(\d+)/.exec(s.seen.find((p) => p.startsWith("redis ")) ?? "")?.[1]);
    expect(redisPort).toBeGreaterThan(0);
    // Nothing of the run is left: no process mentioning its dir, Redis' port closed, the dir gone.
    expect(await leftovers(dir!, [redisPort, ...portsIn(s.seen.slice(1))])).toEqual([]);
    // The taken port still belongs to its owner.
    expect(srv.listening).toBe(true);
  }, 120_000);

  it("fails when Redis' port is taken, and leaves nothing", async () => {
    const srv = await occupy();
    held.push(srv);
    const s = sabotage(srv.port, 0);
    await expect(startAppPromise(small(), { ports: s.ports, onProgress: s.onProgress })).rejects.toMatchObject({ _tag: "StartFailed", part: "redis" });
    const dir = /^run dir (\S+)/.exec(s.seen[0] ?? "")?.[1];
    expect(await leftovers(dir!, [])).toEqual([]);
  }, 120_000);
});

// A port is probed free and bound by its part a moment later; another program may take it in
// between. Readiness then asks for the part's identity, so an impostor's answer is not taken for it.
describe("another program on a part's port", () => {
  it("is not taken for a service replica: /healthz answering 200 without the replica's pid fails the start", async () => {
    const impostor = http.createServer((_req, res) => res.end("ok\n"));
    await new Promise<void>((r) => impostor.listen(0, "127.0.0.1", r));
    held.push(impostor);
    const s = sabotage((impostor.address() as net.AddressInfo).port, 1);
    await expect(startAppPromise(small(), { ports: s.ports, onProgress: s.onProgress })).rejects.toMatchObject({ _tag: "StartFailed", part: "api-1" });
    const dir = /^run dir (\S+)/.exec(s.seen[0] ?? "")?.[1];
    expect(await leftovers(dir!, [])).toEqual([]);
  }, 120_000);

  it("is not taken for Redis: a server answering PONG that is not the spawned redis-server fails the start", async () => {
    // One +PONG per RESP command received (PING, INFO, ...), as a PONG-only server would.
    const impostor = await occupy((sock) => {
      sock.on("data", (d) => sock.write("+PONG\r\n".repeat(String(d).match(/^\*\d+\r\n/gm)?.length ?? 1)));
      sock.on("error", () => {});
      setTimeout(() => sock.destroy(), 3000).unref();
    });
    held.push(impostor);
    const s = sabotage(impostor.port, 0);
    await expect(startAppPromise(small(), { ports: s.ports, onProgress: s.onProgress })).rejects.toMatchObject({ _tag: "StartFailed", part: "redis" });
    const dir = /^run dir (\S+)/.exec(s.seen[0] ?? "")?.[1];
    expect(await leftovers(dir!, [])).toEqual([]);
  }, 120_000);
});
