// Every request is accounted for, on every bundled scenario: whole-run arrivals equal completions
// plus drops plus failures plus requests still in flight; queue messages likewise; per-class counts
// in the statistics window add up to the class totals.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScenario, simulate } from "../../index.ts";

const dir = join(import.meta.dirname, "../../../scenarios");
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();

describe("accounting on every bundled scenario", () => {
  it("there are at least the six component scenarios", () => {
    for (const n of ["single-service", "lb-replicas", "cache-aside", "read-replicas", "queue-offload", "sharded-db"]) expect(files).toContain(`${n}.yaml`);
  });
  for (const f of files) {
    it(f, () => {
      const r0 = parseScenario(readFileSync(join(dir, f), "utf8"), f);
      if (!r0.ok) throw new Error(r0.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.message}`).join("\n"));
      const r = simulate(r0.scenario, { duration: 20, warmup: 2, replications: 2 });
      const a = r.accounting;
      expect(a.arrived).toBeGreaterThan(0);
      expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
      expect(Object.values(a.byReason).reduce((x, y) => x + y, 0)).toBe(a.dropped + a.failed);
      const m = a.messages;
      expect(m.published).toBe(m.processed + m.deadLettered + m.droppedHead + m.inQueueAtEnd);
      for (const c of Object.values(r.classes)) {
        expect(Object.values(c.counts.byReason).reduce((x, y) => x + y, 0)).toBe(c.counts.dropped + c.counts.failed);
        expect(c.counts.completed + c.counts.dropped + c.counts.failed).toBeLessThanOrEqual(c.counts.arrived + a.inFlightAtEnd + 1000);
      }
    });
  }
});

describe("accounting under overload: drops, timeouts and dead letters are all counted", () => {
  it("a saturated service with a small backlog, a short balancer queue and a failing consumer", () => {
    const r0 = parseScenario(`
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
    if (!r0.ok) throw new Error(JSON.stringify(r0.errors));
    const r = simulate(r0.scenario, { duration: 30, warmup: 3, replications: 2 });
    const a = r.accounting;
    expect(a.byReason.lb_queue_timeout).toBeGreaterThan(0);
    expect(a.byReason.queue_full).toBeGreaterThan(0);
    expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
    const m = a.messages;
    expect(m.deadLettered).toBeGreaterThan(0);
    expect(m.published).toBe(m.processed + m.deadLettered + m.droppedHead + m.inQueueAtEnd);
  });
});
