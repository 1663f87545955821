// The load's first sample (first-sample.ts): the first Point's time of an NDJSON file as a run
// writes it, found while the file grows, reported once; metric declarations and a line still
// being written are skipped.
import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstPointMs, watchFirstSample } from "./first-sample.ts";

const metric = JSON.stringify({ type: "Metric", metric: "http_reqs", data: { type: "counter" } });
const point = (time: string) => JSON.stringify({ type: "Point", metric: "http_req_duration", data: { time, value: 3.2, tags: { name: "a" } } });

describe("first sample", () => {
  it("firstPointMs: the first Point's time, past declarations and a partial line", () => {
    expect(firstPointMs(`${metric}\n${point("2026-12-04T14:00:01.250Z")}\n${point("2026-12-04T14:00:00.100Z")}\n`)).toBe(Date.UTC(2026, 11, 4, 14, 0, 1, 250));
    expect(firstPointMs(`${metric}\n{"type":"Point","metric":"http_re`)).toBeUndefined();
  });

  it("watchFirstSample: reports the first Point once, written after the watch began", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-first-sample-"));
    try {
      const path = join(dir, "k6.ndjson");
      const got: number[] = [];
      const w = watchFirstSample(path, (t) => got.push(t));
      await new Promise((r) => setTimeout(r, 120)); // no file yet
      writeFileSync(path, `${metric}\n`);
      await new Promise((r) => setTimeout(r, 120));
      expect(got).toEqual([]);
      appendFileSync(path, `${point("2026-12-04T14:00:02Z")}\n${point("2026-12-04T14:00:03Z")}\n`);
      await new Promise((r) => setTimeout(r, 200));
      appendFileSync(path, `${point("2026-12-04T14:00:04Z")}\n`);
      await new Promise((r) => setTimeout(r, 120));
      w.stop();
      expect(got).toEqual([Date.UTC(2026, 11, 4, 14, 0, 2)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
