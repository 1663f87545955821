// Hostile scenario documents, derived from the bundled scenarios: what an attacker or a careless
// user could hand the loader. Document i of seed S is a pure function of (S, i, the bundled files),
// so any finding is reproduced from its index alone, and a slice of the corpus is the corpus's prefix.
// Each document is one bundled scenario with one to three mutations (see MUTATIONS): numbers made
// huge, negative, NaN, infinite or unit-mangled; keys and values replaced by prototype names; keys
// deleted or duplicated; values of the wrong type; deep nesting; anchors and alias bombs; broken
// indentation; truncation; random code units; oversized files. Mutations act on the source text at
// the ranges yaml reports for keys and values, so most documents stay YAML and reach the schema, the
// checks and the engine rather than dying in the YAML parser.
// Trades away: structure-aware grammar fuzzing (no coverage feedback); the mutations are picked by
// hand from the classes of input that broke the loader before (issue 13).
import { isPair, isScalar, parseDocument, visit } from "yaml";
import { seededUniform } from "../../random.ts";

export interface BaseScenario {
  readonly name: string;
  readonly text: string;
}

export interface HostileDocument {
  readonly index: number;
  readonly base: string;
  /** The mutations applied, in order, e.g. ["number", "proto-key"]. */
  readonly mutations: ReadonlyArray<Mutation>;
  readonly text: string;
}

export const MUTATIONS = [
  "number", "proto-value", "proto-key", "delete-key", "duplicate-key", "wrong-type", "deep-nesting",
  "alias", "indentation", "truncate", "random-bytes", "huge-string", "oversized",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

// Relative frequency of each mutation; the expensive or blunt ones are rarer.
const WEIGHTS: Record<Mutation, number> = {
  number: 22, "proto-value": 10, "proto-key": 10, "delete-key": 8, "duplicate-key": 6, "wrong-type": 8,
  "deep-nesting": 3, alias: 6, indentation: 8, truncate: 6, "random-bytes": 8, "huge-string": 2, oversized: 1,
};

export const HOSTILE_NUMBERS: ReadonlyArray<string> = [
  "9999999999999999999999k", "9999999999999999999999", "1e22", "-1e22", "1e400", "-1e400", "1e-400", "1e308",
  ".inf", "-.inf", ".nan", "NaN", "Infinity", "-1", "-0", "0", "0.0000001", "4294967296", "9007199254740993",
  "1G", "1e9", "2147483648", "0x7fffffff", "0o17", "1_000", "1e", "1.5.5", "--1", "+5", "\"\"", "", "~", "null",
  "true", "abc", "[]", "{}", "1e400/s", "9999999999999999999999/s", "-5/s", "0/s", "1e22/s", ".inf/s", "1k/s/s",
  "1e400ms", "-1ms", "0ms", "9999999999999999999999d", "NaNms", "1e-400s", "200%", "-5%", "1e400%", "4GiB", "-1KB",
];

export const PROTOTYPE_NAMES: ReadonlyArray<string> = [
  "constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype", "isPrototypeOf",
  "propertyIsEnumerable", "toLocaleString", "__defineGetter__", "__lookupSetter__", "then", "length",
];

const WRONG_TYPES: ReadonlyArray<string> = [
  "[1, 2, 3]", "{ a: 1 }", "[]", "{}", "[[]]", "[{ constructor: 1 }]", "{ __proto__: { polluted: 1 } }", "!!binary aGVsbG8=",
  "2001-12-14t21:59:43.10-05:00", "!!set { a, b }", "!!omap [ a: 1 ]", "!custom x", "'quoted'", "|\n  block\n  text",
];

interface Target {
  readonly start: number; // offset of the scalar's first character
  readonly end: number; // offset after its last character
  readonly key: boolean;
  readonly lineStart: number; // offset of the start of its line
}

interface Parsed {
  readonly text: string;
  readonly name: string;
  readonly targets: ReadonlyArray<Target>;
  readonly values: ReadonlyArray<Target>;
  readonly keys: ReadonlyArray<Target>;
  readonly numbers: ReadonlyArray<Target>;
}


function mix(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function analyse(base: BaseScenario): Parsed {
  const targets: Target[] = [];
  const lineStartOf = (offset: number) => base.text.lastIndexOf("\n", offset - 1) + 1;
  visit(parseDocument(base.text, { uniqueKeys: false }), {
    Pair(_, pair) {
      if (!isPair(pair)) return;
      for (const [node, key] of [[pair.key, true], [pair.value, false]] as const) {
        if (isScalar(node) && node.range) targets.push({ start: node.range[0], end: node.range[1], key, lineStart: lineStartOf(node.range[0]) });
      }
    },
    Scalar(key, node) {
      // Sequence items (flow steps, backends lists) are values too.
      if (typeof key === "number" && node.range) targets.push({ start: node.range[0], end: node.range[1], key: false, lineStart: lineStartOf(node.range[0]) });
    },
  });
  targets.sort((a, b) => a.start - b.start);
  const values = targets.filter((t) => !t.key);
  return {
    text: base.text, name: base.name, targets, values,
    keys: targets.filter((t) => t.key),
    numbers: values.filter((t) => /^-?[\d.]/.test(base.text.slice(t.start, t.end))),
  };
}

/** The hostile corpus over `bases` for `seed`: `document(i)` is document i, always the same. */
export class HostileCorpus {
  private readonly bases: ReadonlyArray<Parsed>;

  constructor(bases: ReadonlyArray<BaseScenario>, private readonly seed: number) {
    if (bases.length === 0) throw new Error("the hostile corpus needs at least one base scenario");
    this.bases = bases.map(analyse);
  }

  document(index: number): HostileDocument {
    const r = seededUniform(mix(this.seed, index), "hostile-corpus");
    const base = this.bases[Math.floor(r() * this.bases.length)];
    const mutations: Mutation[] = [];
    let text = base.text;
    const count = r() < 0.7 ? 1 : r() < 0.7 ? 2 : 3;
    for (let m = 0; m < count; m++) {
      const kind = pickWeighted(r);
      mutations.push(kind);
      // The first mutation uses yaml's ranges on the pristine base; later ones use the ranges of
      // the text as it now stands, or line-level edits when it is large or deeply nested (parsing
      // those is slow, and how deep yaml gets before the stack runs out varies from run to run).
      const reparse = text.length <= 64 * 1024 && !mutations.slice(0, m).includes("deep-nesting");
      text = mutate(kind, m === 0 ? base : reparse ? analyseLoose(text, base.name) : unparsed(text, base.name), r);
    }
    return { index, base: base.name, mutations, text };
  }
}

function analyseLoose(text: string, name: string): Parsed {
  try {
    return analyse({ name, text });
  } catch {
    return unparsed(text, name);
  }
}

function unparsed(text: string, name: string): Parsed {
  return { text, name, targets: [], values: [], keys: [], numbers: [] };
}

function pickWeighted(r: () => number): Mutation {
  let total = 0;
  for (const m of MUTATIONS) total += WEIGHTS[m];
  let x = r() * total;
  for (const m of MUTATIONS) {
    x -= WEIGHTS[m];
    if (x < 0) return m;
  }
  return MUTATIONS[MUTATIONS.length - 1];
}

const pick = <A>(r: () => number, xs: ReadonlyArray<A>): A => xs[Math.floor(r() * xs.length)];
const replace = (text: string, t: { start: number; end: number }, by: string) => text.slice(0, t.start) + by + text.slice(t.end);

/** The line holding `offset` and every following line indented deeper (its block). */
function blockAt(text: string, lineStart: number): { start: number; end: number } {
  const lineEnd = (from: number) => { const nl = text.indexOf("\n", from); return nl < 0 ? text.length : nl + 1; };
  const indent = (from: number) => { let i = from; while (text[i] === " ") i++; return i - from; };
  const own = indent(lineStart);
  let end = lineEnd(lineStart);
  while (end < text.length && (indent(end) > own || text[end] === "\n")) end = lineEnd(end);
  return { start: lineStart, end };
}

function mutate(kind: Mutation, p: Parsed, r: () => number): string {
  const text = p.text;
  const lines = () => text.split("\n");
  switch (kind) {
    case "number": {
      const t = p.numbers.length > 0 && r() < 0.8 ? pick(r, p.numbers) : p.values.length > 0 ? pick(r, p.values) : undefined;
      return t ? replace(text, t, pick(r, HOSTILE_NUMBERS)) : text + `\nseed: ${pick(r, HOSTILE_NUMBERS)}\n`;
    }
    case "proto-value": {
      if (p.values.length === 0) return `${pick(r, PROTOTYPE_NAMES)}\n${text}`;
      // Either one value or every occurrence of one name (a class or component renamed everywhere).
      const t = pick(r, p.values);
      const name = pick(r, PROTOTYPE_NAMES);
      if (r() < 0.5) return replace(text, t, name);
      const old = text.slice(t.start, t.end);
      return /^[A-Za-z_][\w-]*$/.test(old) ? text.replace(new RegExp(`(?<![\\w-])${old}(?![\\w-])`, "g"), name) : replace(text, t, name);
    }
    case "proto-key": {
      if (p.keys.length === 0) return `${pick(r, PROTOTYPE_NAMES)}: 1\n${text}`;
      const t = pick(r, p.keys);
      const name = pick(r, PROTOTYPE_NAMES);
      if (r() < 0.6) return replace(text, t, name);
      const old = text.slice(t.start, t.end);
      return /^[A-Za-z_][\w-]*$/.test(old) ? text.replace(new RegExp(`(?<![\\w-])${old}(?![\\w-])`, "g"), name) : replace(text, t, name);
    }
    case "delete-key": {
      if (p.keys.length === 0) { const ls = lines(); ls.splice(Math.floor(r() * ls.length), 1); return ls.join("\n"); }
      const t = pick(r, p.keys);
      return replace(text, r() < 0.5 ? blockAt(text, t.lineStart) : { start: t.start, end: t.end }, "");
    }
    case "duplicate-key": {
      if (p.keys.length === 0) { const ls = lines(); const i = Math.floor(r() * ls.length); ls.splice(i, 0, ls[i]); return ls.join("\n"); }
      const b = blockAt(text, pick(r, p.keys).lineStart);
      const copy = text.slice(b.start, b.end);
      return text.slice(0, b.end) + (copy.endsWith("\n") ? copy : `\n${copy}`) + text.slice(b.end);
    }
    case "wrong-type": {
      if (p.values.length === 0) return `${text}\n${pick(r, WRONG_TYPES)}`;
      return replace(text, pick(r, p.values), pick(r, WRONG_TYPES));
    }
    case "deep-nesting": {
      const depth = pick(r, [64, 1000, 10_000, 100_000]);
      const [open, close] = pick(r, [["[", "]"], ["{ a: ", " }"], ["- ", ""], ["[{ branch: [{ p: 1, flow: ", "}]}]"]]);
      const nest = open === "- " ? Array.from({ length: Math.min(depth, 300) }, (_, i) => `${" ".repeat(i * 2)}- `).join("\n") + "x"
        : open.repeat(depth) + "x" + close.repeat(depth);
      const t = p.values.length > 0 ? pick(r, p.values) : undefined;
      return t ? replace(text, t, open === "- " ? `\n${nest}` : nest) : `${nest}\n${text}`;
    }
    case "alias": {
      const variant = Math.floor(r() * 5);
      if (variant === 0) { // billion laughs, as an extra top-level key
        const rows = ["lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
        for (let i = 1; i < 10; i++) rows.push(`lol${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(", ")}]`);
        return `${rows.join("\n")}\n${text}`;
      }
      if (p.values.length === 0) return `x: *nowhere\n${text}`;
      const t = pick(r, p.values);
      if (variant === 1) return replace(text, t, "*nowhere"); // an unknown alias
      if (variant === 2) return replace(text, t, "&self [*self]"); // an alias used inside its own anchor
      if (variant === 3) { // one component's value aliased from another: shared structure
        const other = pick(r, p.values);
        return other.start < t.start ? replace(replace(text, t, "*shared"), other, `&shared ${text.slice(other.start, other.end)}`) : replace(text, t, "*shared");
      }
      return `defaults: &d { kind: station, servers: 1e22, service: 1ms }\n${replace(text, t, "{ <<: *d }")}`; // a merge key
    }
    case "indentation": {
      const ls = lines();
      const i = Math.floor(r() * ls.length);
      const shift = pick(r, [-4, -2, -1, 1, 2, 3, 4]);
      ls[i] = r() < 0.2 ? `\t${ls[i].trimStart()}` : shift > 0 ? " ".repeat(shift) + ls[i] : ls[i].slice(Math.min(-shift, ls[i].length - ls[i].trimStart().length));
      return ls.join("\n");
    }
    case "truncate":
      return text.slice(0, Math.floor(r() * text.length));
    case "random-bytes": {
      const at = Math.floor(r() * text.length);
      const n = 1 + Math.floor(r() * 16);
      let junk = "";
      for (let i = 0; i < n; i++) {
        const c = r() < 0.3 ? pick(r, [0, 7, 8, 0x1b, 0x7f, 0x85, 0xa0, 0x2028, 0xfeff, 0xd800, 0xdfff, 0xfffd, 0xffff]) : 32 + Math.floor(r() * 95);
        junk += String.fromCharCode(c);
      }
      return text.slice(0, at) + junk + text.slice(at + Math.floor(r() * 8));
    }
    case "huge-string": {
      const s = "a".repeat(pick(r, [1025, 65_536, 200_000]));
      return p.targets.length > 0 ? replace(text, pick(r, p.targets), s) : s + text;
    }
    case "oversized": // just past the loader's size limit, padded with comments or with keys
      return r() < 0.5 ? text + `# ${"x".repeat(78)}\n`.repeat(3400) : text + Array.from({ length: 30_000 }, (_, i) => `k${i}: ${i}`).join("\n");
  }
}
