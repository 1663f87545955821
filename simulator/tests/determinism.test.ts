// The same scenario and seed give byte-identical output, through the real CLI; another seed does not.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
