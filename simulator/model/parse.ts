// Text to typed scenario: YAML parsed with source positions, decoded with the schema, then checked
// for what a schema cannot see (references, probabilities, routing and call cycles). Every problem
// is reported at once, sorted by line and column, each with file, line, column and field path: when
// the schema stage fails, the checks still run on the sections and components that decoded.
// Pure: runs in Node and in a browser.
// Linear in the file's size: yaml's own duplicate-key check is quadratic, so it is off and
// `indexKeys` finds duplicates and indexes every mapping's keys in one pass; lines and columns come
// from a line index built once (`LineIndex`). Files above MAX_SCENARIO_CHARS are refused before
// parsing: parsing took 2-4 s of CPU per MB on the shared 2-core machine, most of it in the yaml
// package (BENCHMARKS.md, "Parsing"), so a file at the limit takes 0.5-1 s there. Flow nesting past
// MAX_FLOW_DEPTH is refused by a scan before parsing too (yaml recurses on it). Trades away
// scenarios above 256 KiB or nested deeper than 256 brackets.
import { Either, ParseResult, Schema } from "effect";
import { isMap, isSeq, parseDocument, type Document, type Node } from "yaml";
import { type ScenarioError, LineIndex, pathToString } from "./errors.ts";
import { indexKeys, type KeyIndex } from "./yaml-keys.ts";
import { ScenarioSchema, SectionSchemas, decodeOptions, type Component, type Load, type Scenario } from "./schema.ts";
import { checkScenario, type Undecoded } from "./check.ts";
import { didYouMean, fieldsAt } from "./fields.ts";

export type ParseOutcome =
  | { readonly ok: true; readonly scenario: Scenario; readonly warnings: ReadonlyArray<ScenarioError> }
  | { readonly ok: false; readonly errors: ReadonlyArray<ScenarioError> };

const decode = Schema.decodeUnknownEither(ScenarioSchema, decodeOptions);

/**
 * The largest scenario text accepted, in characters: 256 KiB, 40 times the largest bundled scenario
 * (6 KB; a 2,000-component system fits). Larger files are refused before parsing, in constant time.
 */
export const MAX_SCENARIO_CHARS = 256 * 1024;

/**
 * Flow collections ([ and {) nested deeper than this are refused before parsing: yaml composes them
 * recursively, and 100k levels took 3-4 s of CPU in 200 KB (to end in a stack overflow).
 */
export const MAX_FLOW_DEPTH = 256;

export interface ParseOptions {
  /** Overrides MAX_SCENARIO_CHARS (the parse benchmark lifts it to time larger files). */
  readonly maxChars?: number;
}

export function parseScenario(text: string, file: string, options: ParseOptions = {}): ParseOutcome {
  const maxChars = options.maxChars ?? MAX_SCENARIO_CHARS;
  if (text.length > maxChars) {
    return { ok: false, errors: [{ file, line: 1, column: 1, path: "", message: tooLarge(text.length, maxChars) }] };
  }
  const lines = new LineIndex(text);
  const at = (offset: number) => lines.at(offset);
  const tooDeep = flowTooDeep(text, MAX_FLOW_DEPTH);
  if (tooDeep >= 0) {
    return { ok: false, errors: [{ file, ...at(tooDeep), path: "", message: `YAML: more than ${MAX_FLOW_DEPTH} nested [ and { (a scenario needs a few dozen at most)` }] };
  }
  // uniqueKeys off: indexKeys reports duplicates in linear time, with the same message and position.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const keys = indexKeys(doc);
  if (doc.errors.length > 0 || keys.duplicates.length > 0 || keys.cycles.length > 0) {
    const problems = [
      ...doc.errors.map((e) => ({ offset: e.pos[0], path: "", message: `YAML syntax: ${firstLine(e.message)}` })),
      ...keys.duplicates.map((d) => ({ offset: d.offset, path: d.path, message: "YAML syntax: Map keys must be unique" })),
      // Recursive data would reach the schema as a cyclic object (its messages print values).
      ...keys.cycles.map((c) => ({ offset: c.offset, path: c.path, message: "YAML: this alias is inside the node its anchor names, so the data would contain itself" })),
    ].sort((a, b) => a.offset - b.offset); // stable: yaml's own order at equal offsets
    return { ok: false, errors: problems.map((p) => ({ file, ...at(p.offset), path: p.path, message: p.message })) };
  }
  const locate = (path: ReadonlyArray<PropertyKey>) => at(offsetOf(doc, keys, path));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // Aliases are resolved only here: an unknown anchor or an alias bomb surfaces as a throw.
    return { ok: false, errors: [{ file, line: 1, column: 1, path: "", message: `YAML: ${firstLine((e as Error).message)}` }] };
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, errors: [{ file, line: 1, column: 1, path: "", message: "expected a mapping with version, name, load and components" }] };
  }
  const place = (p: { path: ReadonlyArray<PropertyKey>; message: string }): ScenarioError => ({
    file, ...locate(p.path), path: pathToString(p.path), message: p.message,
  });
  const result = decode(data);
  if (Either.isLeft(result)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(result.left);
    const schemaErrors = dedupe(issues.map((i) => ({ file, ...locate(i.path), path: pathToString(i.path), message: tidy(i.message, () => suggestion(data, i.path)) })));
    const partial = decodePartly(data as Record<string, unknown>);
    const crossErrors = partial ? checkScenario(partial.scenario, partial.undecoded).errors.map(place) : [];
    return { ok: false, errors: byPosition([...schemaErrors, ...crossErrors]) };
  }
  const { errors, warnings } = checkScenario(result.right);
  if (errors.length > 0) return { ok: false, errors: byPosition(errors.map(place)) };
  return { ok: true, scenario: result.right, warnings: byPosition(warnings.map(place)) };
}

function byPosition(errors: ScenarioError[]): ScenarioError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column); // stable: ties keep their order
}

/**
 * The scenario made of the parts that decode on their own: each component, request class, failure
 * and section separately; what failed is listed so the checks neither follow it nor call it missing.
 * Undefined when the file lacks the mappings the checks need (components and load).
 */
function decodePartly(raw: Record<string, unknown>): { scenario: Scenario; undecoded: Undecoded } | undefined {
  const record = (v: unknown): Record<string, unknown> | undefined =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const get = <A>(schema: Schema.Schema<A, any>, v: unknown): A | undefined =>
    Either.getOrUndefined(Schema.decodeUnknownEither(schema, decodeOptions)(v));
  const isName = (n: string) => get(SectionSchemas.name, n) !== undefined;
  const rawComponents = record(raw.components);
  const rawLoad = record(raw.load);
  if (!rawComponents || !rawLoad) return undefined;
  const names = new Set<string>();
  const classNames = new Set<string>();
  const sections = new Set<"simulation" | "load" | "classes" | "regions">();

  const components: Record<string, Component> = {};
  for (const [n, v] of Object.entries(rawComponents)) {
    const c = isName(n) ? get(SectionSchemas.component, v) : undefined;
    if (c) components[n] = c;
    else names.add(n);
  }
  let load: Load | undefined = get(ScenarioSchema.fields.load, rawLoad);
  if (!load) {
    sections.add("load");
    const rawClasses = record(rawLoad.classes);
    if (!rawClasses) sections.add("classes");
    const classes: Record<string, Load["classes"][string]> = {};
    for (const [n, v] of Object.entries(rawClasses ?? {})) {
      const c = isName(n) ? get(SectionSchemas.requestClass, v) : undefined;
      if (c) classes[n] = c;
      else classNames.add(n);
    }
    load = { model: "open", arrivals: "poisson", start_rate: 0, classes };
  }
  const simulation = get(SectionSchemas.simulation, raw.simulation ?? {});
  if (!simulation) sections.add("simulation");
  const regions = raw.regions === undefined ? undefined : get(SectionSchemas.regions, raw.regions);
  if (raw.regions !== undefined && !regions) sections.add("regions");
  const geo = raw.geo === undefined ? undefined : get(SectionSchemas.geo, raw.geo);
  if (raw.geo !== undefined && !geo) for (const g of Object.keys(record(raw.geo) ?? {})) names.add(g);
  // A sparse array: failures that did not decode are holes, so the others keep their indices.
  const failures: Array<Scenario["failures"] extends ReadonlyArray<infer F> | undefined ? F : never> = [];
  if (Array.isArray(raw.failures)) raw.failures.forEach((f, i) => { const d = get(SectionSchemas.failure, f); if (d) failures[i] = d; });
  const plan = raw.plan === undefined ? undefined : get(SectionSchemas.plan, raw.plan);
  const scenario: Scenario = {
    version: 1, name: "", seed: 1,
    simulation: simulation ?? { interval: 1, replications: 5 },
    load, components, regions, geo, failures, plan,
  };
  return { scenario, undecoded: { names, classes: classNames, sections } };
}

/** For an unknown field at `path`: the field of its section it is closest to (a typo's likely
 * intent), among those the section allows and does not have yet (fields.ts). */
function suggestion(data: unknown, path: ReadonlyArray<PropertyKey>): string | undefined {
  const name = path.at(-1);
  if (typeof name !== "string" || path.length === 0) return undefined;
  const parent = path.slice(0, -1);
  let v: unknown = data;
  for (const k of parent) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k as never] : undefined;
  // per allowed field, not a set of the keys present: a section with 40k unknown keys stays linear
  const has = (f: string) => v !== null && typeof v === "object" && Object.hasOwn(v, f);
  const allowed = fieldsAt(data, parent)?.map((f) => f.name).filter((f) => !has(f));
  return allowed && didYouMean(name, allowed);
}

/** The offset of the deepest node on `path` that exists (a missing field points at its parent). */
function offsetOf(doc: Document, keys: KeyIndex, path: ReadonlyArray<PropertyKey>): number {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
  for (const key of path) {
    if (isMap(node)) {
      const pair = keys.pair(node, key);
      if (!pair) break;
      const value = pair.value as Node | null;
      // An unknown field's own key is the most useful place to point at.
      offset = value?.range?.[0] ?? (pair.key as Node | null)?.range?.[0] ?? offset;
      if (!value) {
        offset = (pair.key as Node | null)?.range?.[0] ?? offset;
        break;
      }
      node = value;
    } else if (isSeq(node) && typeof key === "number") {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}

/**
 * The offset of the first [ or { nested deeper than `limit`, or -1: one pass, skipping quoted
 * scalars (a quote opens one only after a blank, a line start or one of [{,:-?) and comments. A
 * bracket inside a plain scalar counts too, so this may refuse early, never late.
 */
function flowTooDeep(text: string, limit: number): number {
  let depth = 0;
  let prev = 10; // the previous character that is not a space or tab; a line start counts as \n
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) { if (prev !== 10) prev = 32; continue; }
    const opensQuote = prev === 10 || prev === 32 || prev === 91 || prev === 123 || prev === 44 || prev === 58 || prev === 45 || prev === 63;
    if ((c === 34 || c === 39) && opensQuote) { // "..." with \ escapes, '...' with '' escapes
      for (i++; i < text.length; i++) {
        const q = text.charCodeAt(i);
        if (c === 34 && q === 92) i++;
        else if (q === c) { if (c === 39 && text.charCodeAt(i + 1) === 39) i++; else break; }
      }
    } else if (c === 35 && (prev === 10 || prev === 32)) { // a comment runs to the end of the line
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl - 1;
      continue;
    } else if (c === 91 || c === 123) {
      if (++depth > limit) return i;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
    prev = c === 13 ? 10 : c;
  }
  return -1;
}

function tooLarge(chars: number, limit: number): string {
  const size = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
  return `file too large: ${chars} characters (${size(chars)}), the limit is ${limit} (${size(limit)}); scenarios are a few KB, so this one is probably generated or corrupt`;
}

function firstLine(s: string): string {
  return s.split("\n")[0];
}

// Effect's messages for excess properties and missing keys are terse; say what they mean here.
function tidy(message: string, suggest: () => string | undefined): string {
  if (message === "is unexpected, expected: never" || message.startsWith("is unexpected")) {
    const near = suggest();
    return `unknown field (${near !== undefined ? `did you mean ${near}? ` : ""}see docs/scenario-format.md for the fields of this section)`;
  }
  if (message === "is missing") return "required field is missing";
  return message.replace(/\s+/g, " ");
}

// Optional fields are unions with undefined; their "Expected undefined" branch is noise whenever the
// real branch already explained the problem at the same path.
// `explained` holds each explained path and every ancestor of it (each prefix ending before a `.` or
// `[`), so the test is one lookup per error rather than a scan of all explained paths.
function dedupe(errors: ScenarioError[]): ScenarioError[] {
  const seen = new Set<string>();
  const explained = new Set<string>();
  for (const e of errors) {
    if (e.message.startsWith("Expected undefined") || explained.has(e.path)) continue;
    explained.add(e.path);
    for (let i = e.path.length - 1; i >= 0; i--) if (e.path[i] === "." || e.path[i] === "[") explained.add(e.path.slice(0, i));
  }
  return errors.filter((e) => {
    if (e.message.startsWith("Expected undefined") && explained.has(e.path)) return false;
    const k = `${e.path}|${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
