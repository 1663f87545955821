// A bounded slice of the hostile corpus (`npm run fuzz` runs any number): 300 documents through the
// loader and a bounded simulation, each in a child process with a 5 s timeout, must end as a
// simulation or as located errors: no crash, no hang, no error without file:line:column. Also: the
// corpus is deterministic and covers every kind of mutation, and the detectors see what they claim.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { HostileCorpus, MUTATIONS } from "./hostile-corpus.ts";
import { bundledScenarios, classes, runFuzz } from "./run.ts";
import { FUZZ_FILE, runDocument, unlocated } from "./fuzz-worker.ts";

const SLICE = 300;
const SEED = 20261202;

const bases = bundledScenarios();

describe("hostile corpus", () => {

  it("is built from every bundled scenario and is the same for the same seed", () => {
    expect(bases.length).toBeGreaterThanOrEqual(13);
    const digest = (seed: number, n: number) => {
      const corpus = new HostileCorpus(bases, seed);
      const h = createHash("sha256");
      for (let i = 0; i < n; i++) h.update(corpus.document(i).text);
      return h.digest("hex");
    };
    expect(digest(SEED, 200)).toBe(digest(SEED, 200));
    expect(digest(SEED, 200)).not.toBe(digest(SEED + 1, 200));
    // Document i does not depend on the documents before it: a finding reproduces from its index.
    expect(new HostileCorpus(bases, SEED).document(157)).toEqual((() => { const c = new HostileCorpus(bases, SEED); for (let i = 0; i < 157; i++) c.document(i); return c.document(157); })());
  });

  it("covers every mutation kind and every bundled scenario within the slice's first 2000 documents", () => {
    const corpus = new HostileCorpus(bases, SEED);
    const kinds = new Map<string, number>();
    const used = new Set<string>();
    let changed = 0;
    for (let i = 0; i < 2000; i++) {
      const d = corpus.document(i);
      used.add(d.base);
      for (const m of d.mutations) kinds.set(m, (kinds.get(m) ?? 0) + 1);
      if (d.text !== bases.find((b) => b.name === d.base)!.text) changed++;
    }
    for (const m of MUTATIONS) expect(kinds.get(m) ?? 0, m).toBeGreaterThan(5);
    expect(used.size).toBe(bases.length);
    expect(changed).toBeGreaterThan(1900); // a mutation that changes nothing is rare
  });
});

describe("fuzz detectors", () => {
  it("a located error passes, an error without a usable position does not", () => {
    const e = { file: FUZZ_FILE, line: 2, column: 3, path: "x", message: "bad value" };
    expect(unlocated(e, "a\nb\n", 3)).toBeUndefined();
    expect(unlocated({ ...e, line: 0 }, "a\nb\n", 3)).toMatch(/line 0/);
    expect(unlocated({ ...e, line: 9 }, "a\nb\n", 3)).toMatch(/line 9 outside/);
    expect(unlocated({ ...e, column: Number.NaN }, "a\nb\n", 3)).toMatch(/column/);
    expect(unlocated({ ...e, file: "other.yaml" }, "a\nb\n", 3)).toMatch(/file/);
    expect(unlocated({ ...e, message: "x\n    at f (parse.ts:1:2)" }, "a\nb\n", 3)).toMatch(/stack trace/);
  });
  it("a bundled scenario simulates; an oversized file is refused with a located error", () => {
    expect(runDocument(bases.find((b) => b.name.endsWith("single-service.yaml"))!.text)).toEqual({ kind: "simulated" });
    expect(runDocument(`version: 1\n${"# padding\n".repeat(30_000)}`)).toEqual({ kind: "refused" });
  });
  it("crash classes group messages that differ only in numbers and names", () => {
    const f = (index: number, message: string) => ({ index, base: "b", mutations: [], stage: "parse", message, chars: index });
    const c = classes([f(3, "TypeError: x is 'a' at 12"), f(1, "TypeError: x is 'b' at 7"), f(2, "RangeError: y")]);
    expect(c.map((x) => [x.class, x.count, x.example.index])).toEqual([["parse: TypeError: x is '…' at N", 2, 1], ["parse: RangeError: y", 1, 2]]);
  });
});

describe("fuzz slice", () => {
  it(`${SLICE} hostile documents: no crash, no hang, every error located`, async () => {
    const r = await runFuzz({ count: SLICE, seed: SEED, workers: 2, timeoutMs: 5000, save: false });
    expect(r.simulated + r.refused + r.crashes.length + r.hangs.length + r.unlocated.length).toBe(SLICE);
    expect(r.refused).toBeGreaterThan(SLICE / 3); // the slice does reach the loader's refusals
    expect(r.simulated).toBeGreaterThan(0); // and some documents load and run
    // On failure: each class once, with its shortest document (reproduce: npm run fuzz -- --seed S --show I).
    const shown = (fs: typeof r.crashes) => classes(fs).map((c) => `${c.count} x ${c.class} e.g. #${c.example.index}: ${c.example.message}`);
    expect(shown(r.crashes)).toEqual([]);
    expect(shown(r.hangs)).toEqual([]);
    expect(shown(r.unlocated)).toEqual([]);
  }, 300_000);
});
