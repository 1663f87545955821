// Parse time grows linearly with the file and oversized files are refused before parsing. Timing is
// compared as a ratio on this process's CPU time (other work on the machine moves wall time): the
// CPU time per MB at 256 KB against 32 KB, best of three each. Linear parsing gives about 1 (small
// files carry fixed costs, so usually less); the quadratic loader this replaced gave 5 to 20.
import { describe, expect, it } from "vitest";
import { MAX_FLOW_DEPTH, MAX_SCENARIO_CHARS, parseScenario } from "../../model/parse.ts";
import { PARSE_SHAPES, scenarioOfSize } from "../../bench/parse-shapes.ts";

function cpuMsPerMB(text: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    parseScenario(text, "big.yaml", { maxChars: Infinity });
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best / (text.length / (1 << 20));
}

describe("parse size", () => {
  it.each(PARSE_SHAPES)("%s: CPU time per MB at 256 KB is within 2.5x of that at 32 KB", (shape) => {
    const small = scenarioOfSize(shape, 32 * 1024);
    const large = scenarioOfSize(shape, 256 * 1024);
    parseScenario(small, "warm.yaml", { maxChars: Infinity }); // JIT warm-up
    const ratio = cpuMsPerMB(large) / cpuMsPerMB(small);
    if (process.env.HEADROOM_PARSE_RATIOS) console.log(`${shape}: CPU ms per MB at 256 KB / at 32 KB = ${ratio.toFixed(2)}`);
    expect(ratio).toBeLessThan(2.5);
  }, 120_000);

  it("the shapes parse to what they are meant to be: one error per top-level key, valid otherwise", () => {
    const keys = parseScenario(scenarioOfSize("top-level keys", 32 * 1024), "k.yaml", { maxChars: Infinity });
    expect(keys.ok).toBe(false);
    if (!keys.ok) {
      expect(keys.errors.length).toBeGreaterThan(2000);
      expect(keys.errors[keys.errors.length - 1].line).toBe(keys.errors.length + 5); // the keys follow five lines
      expect(keys.errors.every((e) => e.path.startsWith("key_") && /unknown field/.test(e.message))).toBe(true);
    }
    expect(parseScenario(scenarioOfSize("components", 32 * 1024), "c.yaml").ok).toBe(true);
    expect(parseScenario(scenarioOfSize("deep flow", 32 * 1024), "d.yaml").ok).toBe(true);
  });

  it("a file above the limit is refused at 1:1 with its size and the limit, without being parsed", () => {
    const text = scenarioOfSize("components", 5 << 20);
    const r = parseScenario(text, "huge.yaml");
    expect(r).toEqual({ ok: false, errors: [{
      file: "huge.yaml", line: 1, column: 1, path: "",
      message: `file too large: ${text.length} characters (5.0 MiB), the limit is ${MAX_SCENARIO_CHARS} (256 KiB); scenarios are a few KB, so this one is probably generated or corrupt`,
    }] });
    // A file of exactly the limit is parsed (here: truncated mid-line, so it gets a located error).
    const edge = parseScenario(text.slice(0, MAX_SCENARIO_CHARS), "edge.yaml");
    expect(edge.ok || edge.errors.every((e) => !e.message.startsWith("file too large"))).toBe(true);
    expect(parseScenario(text.slice(0, MAX_SCENARIO_CHARS + 1), "over.yaml").ok).toBe(false);
  });

  it("flow nesting deeper than MAX_FLOW_DEPTH is refused at the bracket that passes it, before parsing", () => {
    const head = "version: 1\nname: t\nload: { model: open, rate: 10/s, classes: { r: { flow: [api] } } }\ncomponents:\n  api: { kind: station, servers: 2, service: ";
    const nested = (depth: number) => `${head}${"[".repeat(depth)}1${"]".repeat(depth)} }\n`;
    const deep = nested(100_000); // 200 KB, under the size limit; yaml took 3-4 s of CPU on it
    const c0 = process.cpuUsage();
    const r = parseScenario(deep, "deep.yaml");
    const c = process.cpuUsage(c0);
    // The component's { is level 1, so the (MAX_FLOW_DEPTH)th [ passes the limit.
    expect(r).toEqual({ ok: false, errors: [{ file: "deep.yaml", line: 5, column: head.length - head.lastIndexOf("\n") + MAX_FLOW_DEPTH - 1, path: "", message: `YAML: more than ${MAX_FLOW_DEPTH} nested [ and { (a scenario needs a few dozen at most)` }] });
    expect((c.user + c.system) / 1000).toBeLessThan(1000); // a single scan (about 1 ms); parsing it took seconds
    // At the limit, the file reaches the schema (which wants a duration, not a list).
    const atLimit = parseScenario(nested(MAX_FLOW_DEPTH - 2), "ok.yaml");
    expect(atLimit.ok).toBe(false);
    if (!atLimit.ok) expect(atLimit.errors[0].path).toBe("components.api.service");
    // Brackets in quoted scalars and comments do not count.
    const quoted = `${head}10ms, x: "${"[".repeat(300)}", y: '${"{".repeat(300)}' } # ${"[".repeat(300)}\n`;
    const q = parseScenario(quoted, "q.yaml");
    expect(q.ok).toBe(false);
    if (!q.ok) expect(q.errors.map((e) => e.path)).toEqual(["components.api.x", "components.api.y"]);
  });
});
