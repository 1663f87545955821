// Failures: a crashed replica keeps receiving traffic (refused) until the balancer's health checks
// notice, (fall - 1) to fall check intervals later; HAProxy retries a refused connection (3 x 1 s)
// holding the backend connection, so with maxconn only maxconn requests at a time are lost there; a failed database primary refuses
// writes until a replica is promoted; a lost cache node comes back empty, so the database takes
// the misses. Counts are checked against the arrival rates: Poisson counts within 4 standard deviations.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../../index.ts";
import { scenarioOf } from "../helpers.ts";

const fixture = readFileSync(join(import.meta.dirname, "failures.fixture.yaml"), "utf8");
const r = simulate(scenarioOf(fixture));
const s = r.series!;
const errorsAt = (t0: number, t1: number) => s.t.reduce((a, t, i) => a + (t > t0 && t <= t1 ? s.classes.read.errors[i] + s.classes.write.errors[i] : 0), 0);

describe("scheduled failures", () => {
  it("crash of 1 of 4 replicas: the dead backend's 20 connections fill with retrying requests, lost 3 s later, twice before the checks notice (4 to 6 s)", () => {
    // measured on the reference app (HAProxy defaults, maxconn 4): exactly 4 requests, 503 after 3.00 s
    expect(r.accounting.byReason.backend_down).toBe(40);
  });
  it("without connect retries every request sent there while unnoticed is refused at once (4 to 6 s at 100 req/s)", () => {
    const r0 = simulate(scenarioOf(fixture.replace("maxconn: 20,", "maxconn: 20, connect_retries: 0,")));
    const refused = r0.accounting.byReason.backend_down;
    expect(refused).toBeGreaterThanOrEqual(400 - 4 * 20);
    expect(refused).toBeLessThanOrEqual(600 + 4 * 25);
  });
  it("no errors once the replica is out of rotation, nor after it is back", () => {
    expect(errorsAt(37, 59)).toBe(0);
    expect(errorsAt(72, 120)).toBe(0);
  });
  it("primary failure: writes (80/s) fail for the 10 s before promotion", () => {
    const failed = r.accounting.byReason.db_unavailable;
    expect(Math.abs(failed - 800)).toBeLessThanOrEqual(4 * Math.sqrt(800));
    expect(errorsAt(59, 71)).toBe(failed);
  });
  it("a lost cache node comes back cold: database reads jump right after", () => {
    const db = s.components.db.throughput;
    const before = db.slice(84, 89).reduce((a, b) => a + b, 0) / 5;
    const after = db.slice(90, 92).reduce((a, b) => a + b, 0) / 2;
    expect(after).toBeGreaterThan(1.5 * before);
  });
  it("every request is accounted for", () => {
    const a = r.accounting;
    expect(a.arrived).toBe(a.completed + a.dropped + a.failed + a.inFlightAtEnd);
  });
});

describe("failure input errors", () => {
  it("names the field and what is wrong", () => {
    expect(() => scenarioOf(`
version: 1
name: x
simulation: { duration: 60s }
load: { model: open, rate: 1/s, classes: { r: { flow: [{ call: api }] } } }
components:
  api: { kind: service, service: 1ms }
  db: { kind: database, read: 1ms, write: 1ms }
failures:
  - { at: 90s, crash: api }
  - { at: 10s, crash: api, replica: 3 }
  - { at: 10s, fail_primary: db, promote_after: 5s }
  - { at: 10s, lose: api }
`)).toThrow(/failures\[0\]\.at: the failure at 90s is outside the run[\s\S]*replica 3 does not exist[\s\S]*no replica to promote[\s\S]*lose takes a cache/);
  });
});
