// The rate-limit validation's answers over time, from a k6 NDJSON written here: per interval from
// the first sample, 429 apart, per second, labelled at the interval's end; other metrics ignored.
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statusCounts, statusSeries } from "./dynamics.ts";

const point = (ms: number, status: string, metric = "http_reqs") =>
  JSON.stringify({ type: "Point", metric, data: { time: new Date(ms).toISOString(), value: 1, tags: { status } } });

describe("statusSeries", () => {
  it("bins the answers per interval, 429 apart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-status-series-"));
    try {
      const t0 = Date.UTC(2026, 11, 3, 12, 0, 0);
      const lines = [
        point(t0, "200"), point(t0 + 400, "429"), point(t0 + 900, "200"), // interval 0: 2 accepted, 1 refused
        point(t0 + 1000, "429"), point(t0 + 1999, "429"), // interval 1: 0, 2
        point(t0 + 2500, "503"), point(t0 + 2600, "200", "http_req_duration"), // interval 2: 1 (a 503 is not a refusal), 0
        point(t0 + 4100, "200"), // past the 4 s run: left out
      ];
      const f = join(dir, "k6.ndjson");
      writeFileSync(f, lines.join("\n") + "\n");
      const s = await statusSeries(f, 2, 4);
      expect(s.accepted).toEqual([[2, 1], [4, 0.5]]);
      expect(s.rejected).toEqual([[2, 1.5], [4, 0]]);
      const one = await statusSeries(f, 1, 3);
      expect(one.accepted).toEqual([[1, 2], [2, 0], [3, 1]]);
      expect(one.rejected).toEqual([[1, 1], [2, 2], [3, 0]]);
      expect((await statusCounts(f, 0, 3)).byStatus.get("429")).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
