// The live page's reading of the CLI's events (live-state.ts): phases in order, intervals on their
// phase, a replayed history (the page reconnected) not drawn twice, a lost stream said only before
// "done".
import { describe, expect, test } from "vitest";
import { INITIAL, measuredS, reduceLive, type LiveEvent } from "./live-state.ts";
import type { LiveInterval, LivePhase } from "./live-protocol.ts";

const phase = (index: number): LivePhase => ({ index, command: "validate", scenario: "s", label: `level ${index}`, rate: 100, durationS: 10, predicted: null });
const iv = (p: number, t: number): LiveInterval => ({ phase: p, t, intervalS: 1, offered: 10, classes: { a: { throughput: 10, errors: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3 } } });
const fold = (events: LiveEvent[]) => events.reduce(reduceLive, INITIAL);

describe("reduceLive", () => {
  test("intervals go to their phase; a replay after a reconnect draws nothing twice", () => {
    const run: LiveEvent[] = [
      { type: "phase", data: phase(0) }, { type: "interval", data: iv(0, 1) }, { type: "interval", data: iv(0, 2) },
      { type: "phase", data: phase(1) }, { type: "interval", data: iv(1, 1) },
    ];
    const s = fold([...run, { type: "lost" }, { type: "open" }, ...run, { type: "interval", data: iv(1, 2) }]);
    expect(s.phases.map((p) => p.intervals.map((i) => i.t))).toEqual([[1, 2], [1, 2]]);
    expect(measuredS(s.phases[1])).toBe(2);
    expect(s.lost).toBe(false);
  });

  test("a lost stream is reported until the command's end arrives, never after it", () => {
    const lost = fold([{ type: "phase", data: phase(0) }, { type: "lost" }]);
    expect(lost.lost).toBe(true);
    const ended = fold([{ type: "phase", data: phase(0) }, { type: "done", data: { status: "done", exitCode: 0 } }, { type: "lost" }]);
    expect(ended.lost).toBe(false);
    expect(ended.done?.status).toBe("done");
  });

  test("an interval or end of a phase the page never got changes nothing", () => {
    const s = fold([{ type: "interval", data: iv(3, 1) }, { type: "phase-end", data: { phase: 3, status: "pass", summary: null } }]);
    expect(s).toEqual(INITIAL);
  });
});
