// The fields a place in a scenario allows, read from the format's JSON Schema (json-schema.ts, itself
// generated from the schema the loader decodes with: one reading of the model). The loader uses it
// to say "did you mean" for an unknown field; the dashboard's node form lists every field of a
// component's kind from it. A union (a component's kinds, a distribution's dists) is narrowed by the
// value's discriminating field (kind, dist, model) when it has one, else its members' fields are
// merged. The schema is built once, on first use (a few ms): valid files never pay for it.
import { scenarioJsonSchema } from "./json-schema.ts";

type Json = {
  $ref?: string;
  anyOf?: Json[];
  oneOf?: Json[];
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  title?: string;
  properties?: Record<string, Json>;
  patternProperties?: Record<string, Json>;
  additionalProperties?: boolean | Json;
  items?: Json;
  required?: string[];
};

let root: { schema: Json; defs: Record<string, Json> } | undefined;
function schema(): { schema: Json; defs: Record<string, Json> } {
  if (!root) {
    const s = scenarioJsonSchema() as Json & { $defs: Record<string, Json> };
    root = { schema: s, defs: s.$defs };
  }
  return root;
}

/** One field a place allows: its name, whether it holds a map or list (edited in the YAML) or a
 * scalar, and the schema's description where it has one. */
export interface FieldInfo {
  readonly name: string;
  readonly required: boolean;
  readonly nested: boolean;
  readonly description?: string;
}

const DISCRIMINATORS = ["kind", "dist", "model"];

function deref(s: Json): Json {
  const { defs } = schema();
  for (let i = 0; i < 32 && s.$ref; i++) s = defs[s.$ref.replace("#/$defs/", "")] ?? {};
  return s;
}

/** The object member(s) of s for value v: a union narrowed by v's discriminator, else merged. */
function objectOf(s: Json, v: unknown): Json | undefined {
  s = deref(s);
  const members = s.anyOf ?? s.oneOf;
  if (!members) return s.properties || s.patternProperties || typeof s.additionalProperties === "object" ? s : undefined;
  const objects = members.map(deref).map((m) => objectOf(m, v)).filter((m): m is Json => m !== undefined && !!m.properties);
  if (objects.length === 0) return undefined;
  if (objects.length === 1) return objects[0];
  const rec = v !== null && typeof v === "object" ? (v as Record<string, unknown>) : {};
  for (const d of DISCRIMINATORS) {
    if (typeof rec[d] !== "string") continue;
    const hit = objects.find((o) => {
      const p = o.properties?.[d] && deref(o.properties[d]);
      return p && (p.const === rec[d] || p.enum?.includes(rec[d]));
    });
    if (hit) return hit;
  }
  const properties: Record<string, Json> = {};
  for (const o of objects) Object.assign(properties, o.properties);
  return { type: "object", properties };
}

function child(s: Json, key: PropertyKey): Json | undefined {
  if (typeof key === "number") return s.items;
  const k = String(key);
  if (s.properties && Object.hasOwn(s.properties, k)) return s.properties[k];
  if (s.patternProperties) {
    for (const [pattern, p] of Object.entries(s.patternProperties)) if (new RegExp(pattern).test(k)) return p;
  }
  return typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
}

/** The fields allowed at `path` of the raw (undecoded) scenario `data`; undefined where the path
 * leads to no object with named fields (a map of names, a scalar). */
export function fieldsAt(data: unknown, path: ReadonlyArray<PropertyKey>): FieldInfo[] | undefined {
  let s: Json | undefined = schema().schema;
  let v: unknown = data;
  for (const key of path) {
    const o: Json | undefined = Array.isArray(v) && s ? deref(s) : s && objectOf(s, v);
    if (!o) return undefined;
    s = child(o, key);
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key as never] : undefined;
    if (!s) return undefined;
  }
  const o = objectOf(s, v);
  if (!o?.properties || Object.keys(o.properties).length === 0) return undefined;
  const required = new Set(o.required ?? []);
  return Object.entries(o.properties).map(([name, p]) => {
    const d = deref(p);
    const nested = !!(objectOf(d, undefined)?.properties || d.type === "array" || d.items);
    const description = d.description ?? p.description;
    return { name, required: required.has(name), nested, ...(description ? { description } : {}) };
  });
}

/** The fields of a component of `kind`, as the loader reads them. */
export function componentFields(kind: string): FieldInfo[] {
  return fieldsAt({ components: { c: { kind } } }, ["components", "c"]) ?? [];
}

/** The allowed name closest to `name` by edit distance (transpositions count one), if close
 * enough to be a typo: at most a third of the name's length (and at least 1). */
export function didYouMean(name: string, allowed: ReadonlyArray<string>): string | undefined {
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = limit + 1;
  for (const a of allowed) {
    if (Math.abs(a.length - name.length) > limit) continue;
    const d = distance(name.toLowerCase(), a.toLowerCase());
    if (d < bestD) { bestD = d; best = a; }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
function distance(a: string, b: string): number {
  const rows = a.length + 1, cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let x = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) x = Math.min(x, d[(i - 2) * cols + j - 2] + 1);
      d[i * cols + j] = x;
    }
  }
  return d[rows * cols - 1];
}
