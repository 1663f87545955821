// Following an NDJSON file while it is written (ndjson-tail.ts): a second is handed out while the
// file is still growing (not only at stop), a line split between two writes is read whole, a file
// created after the tail started is picked up, and stop() hands out the rest once.
import { afterEach, expect, test } from "vitest";
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tailNdjson, POLL_MS } from "./ndjson-tail.ts";
import { GRACE_MS, type MeasuredInterval } from "./intervals.ts";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const T0 = Date.parse("2026-12-03T10:00:00Z");
const line = (metric: string, ms: number, value: number) =>
  JSON.stringify({ metric, type: "Point", data: { time: new Date(T0 + ms).toISOString(), value, tags: { name: "get" } } }) + "\n";

test("hands out each second while the file grows, the rest at stop", async () => {
  dir = await mkdtemp(join(tmpdir(), "headroom-tail-"));
  const file = join(dir, "k6.ndjson");
  const got: MeasuredInterval[] = [];
  const tail = tailNdjson(file, (iv) => got.push(iv));
  await new Promise((r) => setTimeout(r, 2 * POLL_MS)); // no file yet: nothing, no error
  // second 0: 3 requests; one line written in two halves
  const first = line("http_reqs", 0, 1) + line("http_reqs", 300, 1);
  const split = line("http_reqs", 600, 1);
  await appendFile(file, first + split.slice(0, 20));
  await appendFile(file, split.slice(20));
  // a sample past 1 s + GRACE_MS completes second 0
  await appendFile(file, line("http_reqs", 1000 + GRACE_MS + 10, 1));
  for (let i = 0; i < 40 && got.length === 0; i++) await new Promise((r) => setTimeout(r, POLL_MS));
  expect(got.map((iv) => [iv.t, iv.classes.get?.throughput])).toEqual([[1, 3]]);
  await tail.stop();
  // seconds 1 and 2 at stop: the last sample is in second 2
  expect(got.map((iv) => [iv.t, iv.classes.get?.throughput ?? 0])).toEqual([[1, 3], [2, 0], [3, 1]]);
  await tail.stop(); // a second stop hands out nothing more
  expect(got).toHaveLength(3);
});
