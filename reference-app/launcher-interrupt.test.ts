// `headroom app up` interrupted half-way (SIGTERM while parts are still starting) leaves nothing:
// no process, no listening port, no temp dir, no broker queue. And a scenario the app cannot realize
// fails with the field and the reason before anything starts.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appUp, expectCleanInterrupt } from "./testing.ts";

describe("headroom app up, interrupted while starting", () => {
  // Stopped right after the queue is declared: the database runs, service replicas are spawning.
  // (The heavier suite, npm run test:app, also stops it at other points.)
  it("leaves nothing behind when stopped while service replicas are spawning", async () => {
    await expectCleanInterrupt(/started queue orders: \S+/);
  });
});

describe("headroom app up, unrealizable scenario", () => {
  it("names the field and the reason, exits 2 and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-test-"));
    try {
      const file = join(dir, "station.yaml");
      writeFileSync(
        file,
        [
          "version: 1",
          "name: station-only",
          "load: { model: open, rate: 10/s, classes: { a: { http: { method: GET, path: /a }, flow: [web] } } }",
          "components:",
          "  web: { kind: station, servers: 2, service: 5ms }",
          "",
        ].join("\n"),
      );
      const run = await appUp(file);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}: components.web.kind: the reference app does not realize kind 'station'`);
      expect(run.stderr).not.toMatch(/started|internal error|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
