// The check client against real worker threads: the real check worker (loaded through tsx behind a
// small `self` shim) answers with the parser's outcome; a worker stuck in a loop is stopped at the
// timeout and answered with a message, a crashing worker likewise, and the next check gets a fresh
// worker. Only the newest waiting text is checked.
import { afterEach, describe, expect, test } from "vitest";
import { Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { CheckClient, type WorkerLike } from "./check-client.ts";
import type { Checked } from "./validate.ts";

const single = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");
const WORKER_URL = new URL("./check.worker.ts", import.meta.url).href;

/** A worker thread from source, seen through the Web Worker surface the client uses. */
function thread(source: string, started: Worker[]): WorkerLike {
  const w = new Worker(source, { eval: true });
  started.push(w);
  const like: WorkerLike = {
    onmessage: null, onerror: null,
    postMessage: (m) => w.postMessage(m),
    terminate: () => void w.terminate(),
  };
  w.on("message", (data) => like.onmessage?.({ data } as MessageEvent));
  w.on("error", (e) => like.onerror?.({ message: e.message, preventDefault() {} } as unknown as ErrorEvent));
  return like;
}

/** The real check.worker.ts in a thread: `self` is the thread's port, TypeScript through tsx. */
const REAL = `
const { parentPort } = require("node:worker_threads");
const early = [];
globalThis.self = { postMessage: (m) => parentPort.postMessage(m), onmessage: null };
parentPort.on("message", (data) => (self.onmessage ? self.onmessage({ data }) : early.push(data)));
import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); })
  .then(() => { for (const data of early) self.onmessage({ data }); });
`;
/** A worker that answers at once with an empty outcome for the text it got (for the client's own logic;
 * the real worker takes seconds to load through tsx). */
const ECHO = `const { parentPort } = require("node:worker_threads");
parentPort.on("message", ({ id, text }) => parentPort.postMessage({ id, checked: { text, scenario: null, diagnostics: [], errors: 0 } }));`;
const STUCK = `require("node:worker_threads").parentPort.on("message", () => { for (;;) {} });`;
const CRASHES = `require("node:worker_threads").parentPort.on("message", () => { throw new Error("boom in the worker"); });`;

const started: Worker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.terminate()));
});

function answers(client: CheckClient, text: string): Promise<Checked> {
  return new Promise((ok) => client.check(text, ok));
}

describe("CheckClient", () => {
  test("the real check worker answers with the scenario, or with located errors", async () => {
    const client = new CheckClient(() => thread(REAL, started), 60_000);
    const ok = await answers(client, single);
    expect(ok.failure).toBeUndefined();
    expect(ok.errors).toBe(0);
    expect(ok.scenario?.name).toBe("single-service");
    expect(ok.scenario?.components.api).toMatchObject({ servers: 8 });
    const bad = await answers(client, single.replace("servers: 8", "servers: eight"));
    expect(bad.scenario).toBeNull();
    expect(bad.errors).toBe(1);
    expect(bad.diagnostics[0].message).toMatch(/^components\.api\.servers: /);
    expect(started).toHaveLength(1); // one worker served both
    client.dispose();
  });

  test("a check stuck past the timeout is stopped with a message; the next check gets a fresh worker", async () => {
    let n = 0;
    const client = new CheckClient(() => (n++ === 0 ? thread(STUCK, started) : thread(ECHO, started)), 1_500);
    const stuck = await answers(client, "name: x\n");
    expect(stuck.scenario).toBeNull();
    expect(stuck.failure).toMatch(/checking this scenario \(0 kB\) took longer than 1\.5 s and was stopped/);
    const next = await answers(client, single);
    expect(next.failure).toBeUndefined();
    expect(next.text).toBe(single);
    expect(n).toBe(2);
    client.dispose();
  });

  test("a worker that crashes is answered with its error, and replaced", async () => {
    let n = 0;
    const client = new CheckClient(() => (n++ === 0 ? thread(CRASHES, started) : thread(ECHO, started)), 60_000);
    const crashed = await answers(client, single);
    expect(crashed.failure).toMatch(/checker stopped: .*boom in the worker/);
    const next = await answers(client, single);
    expect(next.failure).toBeUndefined();
    expect(n).toBe(2);
    client.dispose();
  });

  test("only the newest waiting text is checked; every answer is for the text asked", async () => {
    const client = new CheckClient(() => thread(ECHO, started), 60_000);
    const got: string[] = [];
    const texts = [1, 2, 3, 4].map((i) => single.replace("servers: 8", `servers: ${i}`));
    const last = new Promise<void>((ok) => {
      texts.forEach((t, i) => client.check(t, (c) => { got.push(c.text); if (i === texts.length - 1) ok(); }));
    });
    await last;
    // The first went to the worker at once; 2 and 3 were replaced while waiting; 4 was checked.
    expect(got).toEqual([texts[0], texts[3]]);
    client.dispose();
  });
});
