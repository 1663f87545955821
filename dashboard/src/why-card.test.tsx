// @vitest-environment happy-dom
// The bottleneck card's what-if against the real simulation worker (sim.worker.ts in a worker thread
// through tsx, as check-client.test.ts does): the outcome belongs to the run it was tried on, so a
// result of the same text and seed arriving while the what-if runs (the page's finished run landing
// as a transition after "Try" was clicked) keeps it; another run length does not.
import { afterEach, describe, expect, test } from "vitest";
import { Worker } from "node:worker_threads";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { SimClient } from "./sim-client.ts";
import { WhyCard } from "./WhyCard.tsx";
import text from "../../scenarios/single-service.yaml?raw";

// a file URL (under happy-dom, import.meta.url is an http: one the thread cannot load)
const WORKER_URL = pathToFileURL(join(process.cwd(), "dashboard", "src", "sim.worker.ts")).href;
const REAL = `
const { parentPort } = require("node:worker_threads");
const early = [];
globalThis.self = { postMessage: (m) => parentPort.postMessage(m), onmessage: null };
parentPort.on("message", (data) => (self.onmessage ? self.onmessage({ data }) : early.push(data)));
import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(WORKER_URL)}); })
  .then(() => { for (const data of early) self.onmessage({ data }); });
`;

const started: Worker[] = [];
function realWorker(): globalThis.Worker {
  const w = new Worker(REAL, { eval: true });
  started.push(w);
  const like = {
    onmessage: null as ((e: MessageEvent) => void) | null,
    onerror: null as ((e: ErrorEvent) => void) | null,
    postMessage: (m: unknown) => w.postMessage(m),
    terminate: () => void w.terminate(),
  };
  w.on("message", (data) => like.onmessage?.({ data } as MessageEvent));
  w.on("error", (e) => like.onerror?.({ message: e.message, preventDefault() {} } as unknown as ErrorEvent));
  return like as unknown as globalThis.Worker;
}

const scenario = scenarioOf(text, "single-service.yaml");
const options = { seed: 7, replications: 2, duration: 40, warmup: 5 };

afterEach(async () => {
  cleanup();
  await Promise.all(started.splice(0).map((w) => w.terminate()));
});

describe("WhyCard", () => {
  test("the what-if outcome survives a new result of the same text and seed; another run length starts afresh", async () => {
    const client = new SimClient(realWorker);
    const first = simulate(scenario, options);
    const again = simulate(scenario, options);
    expect(again).not.toBe(first);
    const { rerender } = render(<WhyCard result={first} scenario={scenario} text={text} client={client} />);
    expect(screen.getByTestId("why").textContent).toMatch(/api at 7\d\.\d% busy/);
    fireEvent.click(screen.getByTestId("why-try"));
    // the same run lands again while the what-if is simulated
    rerender(<WhyCard result={again} scenario={scenario} text={text} client={client} />);
    const outcome = await waitFor(() => screen.getByTestId("why-outcome"), { timeout: 60_000 });
    // M/M/8 at 75% busy; 9 servers: 300/s x 20 ms / 9 = 66.7% (two 40 s replications: within a few points)
    const m = outcome.textContent!.match(/^\+1 server on api: worst p95 ([\d.]+) → ([\d.]+) ms, api ([\d.]+)% → ([\d.]+)% busy/);
    expect(m, outcome.textContent!).not.toBeNull();
    const [p95Before, p95After, uBefore, uAfter] = m!.slice(1).map(Number);
    expect(p95After).toBeLessThan(p95Before);
    expect(Math.abs(uBefore - 75)).toBeLessThan(4);
    expect(Math.abs(uAfter - 66.7)).toBeLessThan(4);
    // the same seed: the after run's utilization is the before run's times 8/9 within the noise of the extra server
    expect(uAfter / uBefore).toBeCloseTo(8 / 9, 1);
    // another run (a longer window) is not the one tried: "not tried yet" again
    rerender(<WhyCard result={simulate(scenario, { ...options, duration: 50 })} scenario={scenario} text={text} client={client} />);
    expect(screen.queryByTestId("why-outcome")).toBeNull();
    expect(screen.getByTestId("why-body").textContent).toBe("Not tried yet.");
    client.dispose();
  }, 120_000);
});
