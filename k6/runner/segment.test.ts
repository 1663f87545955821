// k6 execution segments: every arrival of the unsegmented schedule goes to exactly one generator,
// each generator's share matches its length, and counts scale so that the parts add up to the whole.
import { describe, expect, it } from "vitest";
import { equalSegment, equalSequence, owns, parseSegment, scaleCount, segmentTuple } from "./segment.ts";
import { normalizeOptions } from "./options.ts";

const SEQUENCES = ["0,1/2,1", "0,1/3,2/3,1", "0,1/4,1/2,3/4,1", "0,1/3,1/2,1", "0,0.1,0.35,1", "0,3/5,1"];

function partsOf(seq: string): string[] {
  const pts = seq.split(",");
  return pts.slice(1).map((to, i) => `${pts[i]}:${to}`);
}

describe("execution segments", () => {
  it.each(SEQUENCES)("sequence %s: each global index owned by exactly one segment, shares proportional", (seq) => {
    const tuples = partsOf(seq).map((s) => segmentTuple(s, seq));
    const lcd = tuples[0].lcd;
    const n = lcd * 7 + 3;
    const owners = new Array(n).fill(0);
    for (const t of tuples) for (let k = 0; k < n; k++) if (owns(t, k)) owners[k]++;
    expect(owners.every((c) => c === 1)).toBe(true);
    for (const [i, t] of tuples.entries()) {
      const seg = parseSegment(partsOf(seq)[i]);
      const length = seg.to.n / seg.to.d - seg.from.n / seg.from.d;
      // exactly its length per period of lcd indices
      expect(t.owned.length).toBeCloseTo(length * lcd, 9);
    }
  });

  it.each(SEQUENCES)("sequence %s: scaled counts of 0..60 add up to the count", (seq) => {
    const tuples = partsOf(seq).map((s) => segmentTuple(s, seq));
    for (let v = 0; v <= 60; v++) expect(tuples.reduce((a, t) => a + scaleCount(t, v), 0)).toBe(v);
  });

  it("equal segments (k6-operator's split) stripe round-robin: part i of N owns i, i+N, i+2N, ...", () => {
    const n = 3;
    const seq = equalSequence(n);
    expect(seq).toBe("0,1/3,2/3,1");
    for (let i = 0; i < n; i++) {
      const t = segmentTuple(equalSegment(i, n), seq);
      for (let k = 0; k < 30; k++) expect(owns(t, k)).toBe(k % n === i);
    }
    expect([0, 1, 2].map((i) => equalSegment(i, 3))).toEqual(["0:1/3", "1/3:2/3", "2/3:1"]);
  });

  it("k6's forms of a point and errors naming the input", () => {
    expect(parseSegment("50%:75%")).toEqual({ from: { n: 1, d: 2 }, to: { n: 3, d: 4 } });
    expect(parseSegment("0.25")).toEqual({ from: { n: 0, d: 1 }, to: { n: 1, d: 4 } });
    expect(() => parseSegment("1/2:1/3")).toThrow(/start must be below the end/);
    expect(() => parseSegment("0:3/2")).toThrow(/at most 1/);
    expect(() => parseSegment("0:x")).toThrow(/'x' is not a fraction/);
    expect(() => segmentTuple("0:1/2", "0,1/3,1")).toThrow(/not in the sequence/);
  });

  it("options: a segment scales VUs and shared iterations; arrival rates stay whole", () => {
    const raw = {
      scenarios: {
        a: { executor: "constant-arrival-rate", rate: 100, duration: "10s", preAllocatedVUs: 5, maxVUs: 9 },
        b: { executor: "shared-iterations", vus: 3, iterations: 11 },
        c: { executor: "ramping-vus", startVUs: 1, stages: [{ duration: "5s", target: 4 }] },
      },
    };
    const parts = [0, 1].map((i) => normalizeOptions(raw, { executionSegment: equalSegment(i, 2), executionSegmentSequence: equalSequence(2) }));
    const [a0, a1] = parts.map((p) => p.scenarios[0]);
    expect(a0.rate).toBe(100);
    expect(a0.preAllocatedVUs + a1.preAllocatedVUs).toBe(5);
    expect(a0.maxVUs + a1.maxVUs).toBe(9);
    expect(parts[0].scenarios[1].iterations + parts[1].scenarios[1].iterations).toBe(11);
    expect(parts[0].scenarios[2].stages[0].target + parts[1].scenarios[2].stages[0].target).toBe(4);
    expect(() => normalizeOptions(raw, { executionSegmentSequence: "0,1/2,1" })).toThrow(/needs an executionSegment/);
  });
});
