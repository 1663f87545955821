// `node bin/run-ts.mjs simulator/bench/floor.ts`: the floor under `npm run bench`'s mmc. The same
// M/M/8 at utilization 0.9 written directly on the engine's own Calendar, Rng and Histogram (three
// histogram records per request, as the engine makes: wait, response, latency) and nothing else:
// no task table, no step interpreter, no component dispatch. What the engine does above this is
// the price of its generality; the gap says how far a change of the engine's shape could go
// (BENCHMARKS.md, 2026-12-04). Prints events per second with and without the histograms, twice.
import { Calendar } from "../engine/calendar.ts";
import { Histogram } from "../engine/histogram.ts";
import { Rng } from "../engine/rng.ts";

const ARRIVAL = 1, DONE = 2, SERVERS = 8, RATE = 360, MEAN = 0.02, MASK = (1 << 20) - 1;

/** Runs `events` events; returns a figure from the statistics so none of the work is dead code. */
function run(events: number, histograms: boolean): number {
  const cal = new Calendar(1024);
  const arrivals = new Rng(1, 0, "arrivals"), service = new Rng(1, 0, "service");
  const wait = new Histogram(), response = new Histogram(), latency = new Histogram();
  const start = new Float64Array(MASK + 1), enqueued = new Float64Array(MASK + 1);
  const ring = new Int32Array(MASK + 1);
  let head = 0, queued = 0, busy = 0, next = 0, n = 0, busyArea = 0, last = 0;
  cal.push(-Math.log(arrivals.next()) / RATE, ARRIVAL, 0);
  while (n < events && cal.pop()) {
    const now = cal.popTime;
    n++;
    busyArea += busy * (now - last);
    last = now;
    if (cal.popCode === ARRIVAL) {
      const t = next++ & MASK;
      start[t] = now; enqueued[t] = now;
      if (busy < SERVERS) {
        busy++;
        if (histograms) wait.record(0);
        cal.push(now - MEAN * Math.log(service.next()), DONE, t);
      } else ring[(head + queued++) & MASK] = t;
      cal.push(now - Math.log(arrivals.next()) / RATE, ARRIVAL, 0);
    } else {
      const t = cal.popExtra;
      if (histograms) { response.record(now - enqueued[t]); latency.record(now - start[t]); }
      if (queued > 0) {
        const u = ring[head];
        head = (head + 1) & MASK; queued--;
        if (histograms) wait.record(now - enqueued[u]);
        cal.push(now - MEAN * Math.log(service.next()), DONE, u);
      } else busy--;
    }
  }
  return busyArea + wait.count + latency.sum + response.max;
}

const EVENTS = 10_000_000;
for (const histograms of [true, false, true, false]) {
  run(2_000_000, histograms); // warm-up, as bench/main.ts does
  const t0 = performance.now();
  run(EVENTS, histograms);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`floor ${histograms ? "with 3 histogram records per request" : "without histograms             "} ${(EVENTS / seconds / 1e6).toFixed(2)} M events/s`);
}
