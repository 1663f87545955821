// The simulator core runs in a browser Web Worker: no module under simulator/ (tests and benchmarks
// aside) may import from node:* or a Node built-in.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { builtinModules } from "node:module";

const root = join(import.meta.dirname, "..");
const skip = new Set(["tests", "bench"]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (!skip.has(name)) out.push(...sources(p));
    } else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

describe("simulator core purity", () => {
  it("imports nothing from Node", () => {
    const builtins = new Set(builtinModules);
    const offenders: string[] = [];
    const files = sources(root);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)["']([^"']+)["']/g)) {
        const spec = m[1];
        if (spec.startsWith("node:") || builtins.has(spec.split("/")[0])) offenders.push(`${relative(root, f)}: ${spec}`);
      }
      if (/\bprocess\.|\bBuffer\./.test(text)) offenders.push(`${relative(root, f)}: uses process or Buffer`);
    }
    expect(offenders).toEqual([]);
  });
});
