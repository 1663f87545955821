// The same scenario and seed give byte-identical output, through the real CLI (another seed does
// not) and in one process for every bundled scenario.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simulate } from "../index.ts";
import { scenarioOf } from "../testing.ts";

const bin = join(import.meta.dirname, "../../bin/headroom.mjs");
const scenario = join(import.meta.dirname, "../../scenarios/single-service.yaml");

describe("determinism", () => {
  it("same scenario and seed: byte-identical --json; another seed: different", () => {
    const dir = mkdtempSync(join(tmpdir(), "headroom-det-"));
    try {
      const run = (seed: number, name: string) => {
        const out = join(dir, name);
        execFileSync(process.execPath, [bin, "simulate", scenario, "--seed", String(seed), "--duration", "20s", "--replications", "3", "--json", out], { stdio: "pipe" });
        return readFileSync(out);
      };
      const a = run(7, "a.json"), b = run(7, "b.json"), c = run(8, "c.json");
      expect(a.length).toBeGreaterThan(1000);
      expect(a.equals(b)).toBe(true);
      expect(a.equals(c)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// Every bundled scenario, in one process: two runs with the same seed serialize to the same bytes.
// In-process runs also catch state that leaks from one simulation into the next (module-level
// caches, pooled users, xstate controllers), which separate CLI processes would hide.
describe("determinism on every bundled scenario, in one process", () => {
  const root = join(import.meta.dirname, "../../scenarios");
  const files = [
    ...readdirSync(root).filter((f) => f.endsWith(".yaml")).map((f) => join(root, f)),
    ...readdirSync(join(root, "validation")).filter((f) => f.endsWith(".yaml")).map((f) => join(root, "validation", f)),
  ].sort();
  for (const f of files) {
    it(f.slice(root.length + 1), () => {
      const s = scenarioOf(readFileSync(f, "utf8"), f);
      // one-million-users ramps over minutes; its first 15 s still exercise users, regions and the CDN
      const run = () => JSON.stringify(simulate(s, { duration: 15, warmup: 1, replications: 2, seed: 11 }));
      const a = run();
      expect(run()).toBe(a);
    });
  }
});
