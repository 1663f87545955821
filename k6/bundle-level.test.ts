// Every k6 release people run must parse every exported bundle. k6 v0.48 and older compile scripts
// with their built-in Babel and reject `??`, `?.`, `**=`, object spread, class fields and the like
// (exit 107); ES2017 is what k6 v0.45 through the current release all parse. This test bundles every
// scenario in scenarios/ as `headroom k6 export` does (the default plan, and with --arrival-rate) and
// parses it with acorn pinned to ecmaVersion 2017, so newer syntax cannot slip back into a bundle.
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse } from "acorn";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { bundleScenario } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "..");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? yamlFiles(p) : n.endsWith(".yaml") || n.endsWith(".yml") ? [p] : [];
  });
}

const files = yamlFiles(join(ROOT, "scenarios"));

describe("exported bundles parse as ES2017", () => {
  it("finds the bundled scenarios", () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
  });

  for (const file of files) {
    it(relative(ROOT, file), async () => {
      const scenario = await loadScenarioFile(file);
      if (!scenario.load) return; // nothing to export: `k6 export` refuses it with a message
      for (const forceArrivalRate of [false, true]) {
        const { code } = await bundleScenario(scenario, file, { forceArrivalRate });
        let error = "";
        try {
          parse(code, { ecmaVersion: 2017, sourceType: "module" });
        } catch (e) {
          const loc = (e as { loc?: { line: number; column: number } }).loc;
          error = `${(e as Error).message}${loc ? `: ${code.split("\n")[loc.line - 1].slice(Math.max(0, loc.column - 30), loc.column + 30)}` : ""}`;
        }
        expect(error, `${relative(ROOT, file)}${forceArrivalRate ? " --arrival-rate" : ""}`).toBe("");
      }
    });
  }

  it("the parser is strict enough: ES2020 syntax fails it", () => {
    for (const src of ["const a = b ?? 1;", "const a = b?.c;", "const a = { ...b };", "class A { x = 1 }"]) {
      expect(() => parse(src, { ecmaVersion: 2017, sourceType: "module" })).toThrow();
    }
  });
});
