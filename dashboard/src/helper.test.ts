// Two workers for one run (helper.ts): the later half of the replications made at the other end of a
// real MessageChannel (structured clone, as between two browser workers) and combined in order gives
// the bytes of the run made in one worker, and of simulate(); a failure on the helper's side rejects.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { MessageChannel as NodeChannel } from "node:worker_threads";
import { simulate } from "../../simulator/index.ts";
import { scenarioOf } from "../../simulator/testing.ts";
import { askHelper, HELPER_MIN_EVENTS, keptHere, parseForHelper, serveHelper, wantsHelper } from "./helper.ts";
import { combineSeries, runSeriesReplications, runWithSeries } from "./replications.ts";

const text = readFileSync(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8");
const s = scenarioOf(text, "single-service.yaml");

// Node's ports, typed as the DOM's (the same onmessage / postMessage / close used here)
const channel = () => new NodeChannel() as unknown as MessageChannel;

describe("helper worker", () => {
  test("keeps the first half rounded up; asked only for two replications or more of a long run", () => {
    expect([1, 2, 3, 4, 5, 10].map(keptHere)).toEqual([1, 1, 2, 2, 3, 5]);
    // the default scenario (360k events) stays in one worker, as one-million-users (one replication)
    expect(wantsHelper(5, 360_120)).toBe(false);
    expect(wantsHelper(1, 74_075_100)).toBe(false);
    expect(wantsHelper(5, HELPER_MIN_EVENTS)).toBe(true);
  });

  test("replications split over a channel combine to the one-worker run's bytes", async () => {
    const o = { duration: 30, replications: 5, hops: true };
    const c = channel();
    serveHelper(c.port2, parseForHelper);
    const kept = keptHere(5);
    const rest = askHelper(c.port1, text, o, kept, 5);
    const partials: number[] = [];
    const here = runSeriesReplications(s, o, { onPartial: (series) => partials.push(series.t.length) }, kept);
    const others = await rest;
    expect(here).toHaveLength(3);
    expect(others).toHaveLength(2);
    const split = combineSeries(s, o, [...here, ...others]);
    const serial = runWithSeries(s, o);
    expect(JSON.stringify(split.result)).toBe(JSON.stringify(serial.result));
    expect(JSON.stringify(split.result)).toBe(JSON.stringify(simulate(s, o)));
    expect(JSON.stringify(split.replicationSeries)).toBe(JSON.stringify(serial.replicationSeries));
    // replication 0 still streamed here
    expect(partials.at(-1)).toBe(30);
  });

  test("a helper that cannot parse the text rejects the ask", async () => {
    const c = channel();
    serveHelper(c.port2, parseForHelper);
    await expect(askHelper(c.port1, "version: 1\nname: broken\n", {}, 1, 2)).rejects.toThrow(/helper worker failed/);
  });
});
