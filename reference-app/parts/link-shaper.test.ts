// The userspace link as a processor-sharing server: one transfer gets the whole capacity, two at
// once get half each and finish together, and a small transfer beside a large one is served at its
// share instead of waiting behind it (what FIFO would do). The link never sends faster than its
// capacity (the grants are real time x capacity: a bound, not a statistic); a busy machine can
// only make it slower, so the upper bounds on durations carry a margin for the shared machine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { startShaper, type RunningShaper } from "./link-shaper.ts";

const CAPACITY = 4_000_000; // bytes per second
/** Slack on the upper bounds: the relay's ticks run late on a loaded 2-core machine. */
const SLOW = 1.35;

let origin: net.Server;
let shaper: RunningShaper;

beforeAll(async () => {
  // answers "<n>\n" with n bytes, then closes
  origin = net.createServer((s) => {
    s.once("data", (b) => {
      const n = Number(String(b).trim());
      s.end(Buffer.alloc(n, 120));
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => origin.listen(0, "127.0.0.1", () => r()));
  const port = (origin.address() as net.AddressInfo).port;
  shaper = await startShaper({ listenHost: "127.0.0.1", listenPort: 0, targetHost: "127.0.0.1", targetPort: port, bytesPerSecond: CAPACITY, shape: "down" });
});
afterAll(async () => {
  await shaper?.close();
  await new Promise<void>((r) => (origin ? origin.close(() => r()) : r()));
});

/** Fetches n bytes through the shaper; resolves with the seconds from its start and the bytes got. */
function fetchBytes(n: number, t0: number): Promise<{ s: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const c = net.connect(shaper.port, "127.0.0.1", () => c.write(`${n}\n`));
    let got = 0;
    c.on("data", (b: Buffer) => (got += b.length));
    c.on("end", () => resolve({ s: (performance.now() - t0) / 1000, bytes: got }));
    c.on("error", reject);
  });
}

describe("a processor-sharing link in userspace", () => {
  it("one transfer: the whole capacity", async () => {
    const t0 = performance.now();
    const r = await fetchBytes(2_000_000, t0);
    expect(r.bytes).toBe(2_000_000);
    expect(r.s).toBeGreaterThanOrEqual(0.5 * 0.98);
    expect(r.s).toBeLessThanOrEqual(0.5 * SLOW);
  });

  it("two at once: half each, finishing together", async () => {
    const t0 = performance.now();
    const [a, b] = await Promise.all([fetchBytes(2_000_000, t0), fetchBytes(2_000_000, t0)]);
    for (const r of [a, b]) {
      expect(r.bytes).toBe(2_000_000);
      expect(r.s).toBeGreaterThanOrEqual(1.0 * 0.98);
      expect(r.s).toBeLessThanOrEqual(1.0 * SLOW);
    }
    // equal shares: neither gets ahead by more than a few ticks' worth
    expect(Math.abs(a.s - b.s)).toBeLessThan(0.1);
  });

  it("a small transfer beside a large one gets its share, not the large one's leftovers", async () => {
    const t0 = performance.now();
    const [large, small] = await Promise.all([fetchBytes(4_000_000, t0), fetchBytes(200_000, t0)]);
    expect([large.bytes, small.bytes]).toEqual([4_000_000, 200_000]);
    // PS: the small one at CAPACITY / 2 takes 0.1 s (FIFO behind the large one: 1.05 s); the large
    // one still ends when all 4.2 MB have crossed (1.05 s)
    // (alone for the few ms before the large one's first bytes reach the relay, it runs at full rate)
    expect(small.s).toBeGreaterThanOrEqual(0.09);
    expect(small.s).toBeLessThanOrEqual(0.1 * SLOW + 0.05);
    expect(large.s).toBeGreaterThanOrEqual(1.05 * 0.98);
    expect(large.s).toBeLessThanOrEqual(1.05 * SLOW);
  });
});
