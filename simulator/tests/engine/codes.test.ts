// The simulator's hand-assigned numbers (engine/codes.ts) as a test: within each family (OP_,
// EV_, C_, MODE_, R_, REP_, ALG_, DB_, CACHE_, ADMIT_) every number is taken once and the numbers run 0,
// 1, 2, ... without a gap, so two merged branches that took the same "next free number" fail here
// instead of sharing a dispatch case, a counter or a reason; event types stay below 32 (the
// calendar packs arg * 32 + type); C_COUNTERS is the number of counters; every reason has its
// name in REASONS; and no file of the simulator declares a constant of these families of its own
// beside the table.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import * as codes from "../../engine/codes.ts";

const SIMULATOR = join(import.meta.dirname, "../..");
const TABLE = "engine/codes.ts";
/** This file, whose examples of what the scan must catch are strings. */
const SELF = "tests/engine/codes.test.ts";
const FAMILIES = ["OP_", "EV_", "C_", "MODE_", "R_", "REP_", "ALG_", "DB_", "CACHE_", "ADMIT_"] as const;

/** The codes of a family, name to number, C_COUNTERS (a count, not a counter) left out. */
function family(prefix: string): Array<[string, number]> {
  return Object.entries(codes).filter(([name]) => name.startsWith(prefix) && name !== "C_COUNTERS") as Array<[string, number]>;
}

/** What is wrong with a family's numbers: each taken twice, then each missing below the largest. */
function problems(entries: ReadonlyArray<readonly [string, number]>): string[] {
  const out: string[] = [];
  const byNumber = new Map<number, string[]>();
  for (const [name, n] of entries) {
    if (!Number.isInteger(n) || n < 0) out.push(`${name} = ${n} is not a whole number >= 0`);
    byNumber.set(n, [...(byNumber.get(n) ?? []), name]);
  }
  for (const [n, names] of byNumber) if (names.length > 1) out.push(`${names.join(" and ")} share ${n}`);
  for (let n = 0; n < entries.length; n++) if (!byNumber.has(n)) out.push(`${n} is not taken (numbers run 0..${entries.length - 1})`);
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** Names bound with `=` (not `==`, `=>`): declarations such as `const EV_X = 3` or `A = 1, OP_Y = 2`. */
const DECLARED = /\b((?:OP|EV|C|MODE|R|REP|ALG|DB|CACHE|ADMIT)_[A-Z][A-Z0-9_]*)\s*=(?![=>])/g;
/** The table's names of those families (REASONS is a list of names, not a code). */
const CODE_NAME = /^(OP|EV|C|MODE|R|REP|ALG|DB|CACHE|ADMIT)_/;

/** The code names each file of the simulator declares, file (relative to simulator/) to names. */
function declarations(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of sources(SIMULATOR)) {
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    const names = [...text.matchAll(DECLARED)].map((m) => m[1]);
    if (names.length > 0) out.set(relative(SIMULATOR, file).split("\\").join("/"), names);
  }
  return out;
}

describe("the simulator's numbered codes (engine/codes.ts)", () => {
  for (const prefix of FAMILIES) {
    it(`${prefix}*: each number once, 0..n-1 without a gap`, () => {
      const entries = family(prefix);
      expect(entries.length).toBeGreaterThan(1);
      expect(problems(entries), `next free ${prefix} number: ${entries.length}`).toEqual([]);
    });
  }

  it("event types fit the calendar's 5 bits (arg * 32 + type)", () => {
    const events = family("EV_");
    expect(events.filter(([, n]) => n >= 32).map(([name]) => name)).toEqual([]);
    expect(Math.max(...events.map(([, n]) => n))).toBeLessThan(32);
  });

  it("C_COUNTERS is the number of counters (the length of each component's counts)", () => {
    expect(codes.C_COUNTERS).toBe(family("C_").length);
  });

  it("every reason (R_*) has its name in REASONS, 0 being success", () => {
    expect(codes.REASONS.length).toBe(family("R_").length);
    expect(codes.REASONS[codes.R_OK]).toBe("ok");
    expect(codes.REASONS[codes.R_LBTIMEOUT]).toBe("lb_queue_timeout");
    expect(codes.REASONS[codes.R_THROTTLED]).toBe("throttled");
  });

  it("no other file of the simulator declares a constant of these families", () => {
    const found = declarations();
    // The scan finds every code of the table (so it would find one declared elsewhere).
    const table = found.get(TABLE) ?? [];
    expect([...table].sort()).toEqual(Object.keys(codes).filter((n) => CODE_NAME.test(n)).sort());
    found.delete(TABLE);
    found.delete(SELF);
    expect(Object.fromEntries(found)).toEqual({});
  });

  it("the checks catch a collision, a gap and a declaration elsewhere", () => {
    // A merge of two branches that both took the next opcode, 2:
    const merged = [["OP_END", 0], ["OP_VISIT", 1], ["OP_QUEUE_ACK", 2], ["OP_LB_RETRY", 2]] as const;
    expect(problems(merged)).toEqual(["OP_QUEUE_ACK and OP_LB_RETRY share 2", "3 is not taken (numbers run 0..3)"]);
    // A code that skipped a number:
    expect(problems([["EV_A", 0], ["EV_B", 2]])).toEqual(["1 is not taken (numbers run 0..1)"]);
    // The scan's pattern sees declarations in a list and on their own, and not comparisons or uses.
    const sample = "const EV_X = 3, EV_Y = 4;\nif (op === OP_END) x = C_HITS;\nconst f = (OP_Q) => 1; let C_Z=2;\nconst R_A = 1,\n  REP_B = 2; if (x !== ALG_C) y = DB_D;";
    expect([...sample.matchAll(DECLARED)].map((m) => m[1])).toEqual(["EV_X", "EV_Y", "C_Z", "R_A", "REP_B"]);
  });
});
