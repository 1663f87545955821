// Every request is accounted for, on every bundled and validation scenario: whole-run arrivals
// equal completions plus drops plus failures plus requests still in flight; queue messages likewise.
// The requests in flight are not taken from the running counter alone (then the sum would hold by
// construction): the engine also counts the live top-level requests by scanning its task pool, and
// the two must agree, per class, at the start of the statistics window and at the end of the run.
// In these stable scenarios the requests left in flight are a small share of the arrivals.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../../index.ts";
import { scenarioOf } from "../../testing.ts";
import { compile } from "../../engine/program.ts";
import { runReplication } from "../../engine/simulation.ts";

const dir = join(import.meta.dirname, "../../../scenarios");
const files = [
  ...readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort(),
  ...readdirSync(join(dir, "validation")).filter((f) => f.endsWith(".yaml")).sort().map((f) => `validation/${f}`),
];

describe("accounting on every bundled scenario", () => {
  it("there are at least the six component scenarios", () => {
    for (const n of ["single-service", "lb-replicas", "cache-aside", "read-replicas", "queue-offload", "sharded-db"]) expect(files).toContain(`${n}.yaml`);
  });
  for (const f of files) {
    it(f, () => {
      const s = scenarioOf(readFileSync(join(dir, f), "utf8"), f);
      const r = simulate(s, { duration: 20, warmup: 2, replications: 2 });
      const a = r.accounting;
      expect(a.arrived).toBeGreaterThan(0);
      expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
      expect(Object.values(a.byReason).reduce((x, y) => x + y, 0)).toBe(a.dropped + a.failed);
      // Stable scenarios: what is left in flight after 20 s is a few response times' worth of arrivals.
      expect(a.inFlightAtEnd).toBeLessThan(0.02 * a.arrived);
      const m = a.messages;
      expect(m.published).toBe(m.processed + m.deadLettered + m.droppedHead + m.inQueueAtEnd);
      for (const c of Object.values(r.classes)) {
        expect(Object.values(c.counts.byReason).reduce((x, y) => x + y, 0)).toBe(c.counts.dropped + c.counts.failed);
      }
      checkLive(s);
    });
  }
});

/**
 * One replication run directly: the in-flight counter equals the scan of live tasks at the end, and
 * per class the statistics window balances exactly with the scans at its two ends.
 */
function checkLive(s: Parameters<typeof compile>[0]): void {
  const p = compile(s);
  const rep = runReplication(p, s, { seed: 1, replication: 0, duration: 20, warmup: 2, interval: 1, series: false });
  const scanned = rep.live.atEnd.reduce((x, y) => x + y, 0);
  expect(scanned, "live requests found in the task pool vs the in-flight counter").toBe(rep.totals.inFlight);
  const ended = rep.totals.ended.reduce((x, y) => x + y, 0);
  expect(rep.totals.arrived).toBe(rep.totals.completed + ended + scanned);
  rep.classes.forEach((c, i) => {
    const label = p.classNames[i];
    const endedW = c.ended.reduce((x, y) => x + y, 0);
    expect(c.arrived + rep.live.atWarmup[i], label).toBe(c.completed + endedW + rep.live.atEnd[i]);
  });
}

describe("accounting under overload: drops, timeouts and dead letters are all counted", () => {
  it("a saturated service with a small backlog, a short balancer queue and a failing consumer", () => {
    const s = scenarioOf(`
version: 1
name: overload
load:
  model: open
  rate: 900/s
  classes:
    w: { flow: [{ call: lb }] }
components:
  lb: { kind: load_balancer, algorithm: round_robin, backends: api, maxconn: 4, queue_timeout: 50ms }
  api:
    kind: service
    replicas: 2
    concurrency: 4
    backlog: 2
    handlers: { w: [{ service: 10ms }, { publish: jobs }] }
  jobs: { kind: queue, workers: 1, service: 5ms, max_length: 20, retries: 1, failure_rate: 10% }
`, "overload.yaml");
    const r = simulate(s, { duration: 30, warmup: 3, replications: 2 });
    const a = r.accounting;
    expect(a.byReason.lb_queue_timeout).toBeGreaterThan(0);
    expect(a.byReason.queue_full).toBeGreaterThan(0);
    expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
    checkLive(s);
    const m = a.messages;
    expect(m.deadLettered).toBeGreaterThan(0);
    expect(m.published).toBe(m.processed + m.deadLettered + m.droppedHead + m.inQueueAtEnd);
  });
});
