// Edits of the scenario YAML from the node form: read a component's key fields as written (units
// and all) and write one field back through the yaml Document API, so comments, key order and the
// user's layout survive the edit.
import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap } from "yaml";
import { CLIENTS } from "./topology.ts";
import { componentFields } from "../../simulator/index.ts";

export interface FormField {
  readonly label: string;
  readonly path: ReadonlyArray<string>;
  readonly value: string;
  readonly hint: string;
}

const FIELDS: Record<string, Array<[string, string]>> = {
  station: [["servers", "count"], ["service", "duration or mean"], ["buffer", "count"], ["queue_timeout", "duration"]],
  service: [["replicas", "count"], ["concurrency", "slots per replica"], ["backlog", "count"], ["timeout", "duration"], ["bandwidth", "egress link, e.g. 1Gbps"]],
  load_balancer: [["algorithm", "round_robin | random | least_connections | power_of_two | consistent_hash"], ["maxconn", "per backend server"], ["queue_timeout", "duration"], ["bandwidth", "egress link, e.g. 1Gbps"]],
  cache: [["capacity", "keys"], ["ttl", "duration"], ["service", "duration"], ["bandwidth", "egress link, e.g. 1Gbps"]],
  database: [["read", "duration or mean"], ["write", "duration or mean"], ["replicas", "count"], ["max_connections", "count"], ["bandwidth", "egress link, e.g. 1Gbps"]],
  queue: [["workers", "count"], ["prefetch", "count"], ["service", "duration or mean"], ["max_length", "count"]],
  cdn: [["ttl", "duration"], ["edge_latency", "duration"], ["bandwidth", "egress link, e.g. 1Gbps"]],
  function: [["max_instances", "count"], ["concurrency", "invocations per instance"], ["cold_start", "duration or mean"], ["boot_capacity", "starts at once at full speed, a number > 0 (empty: each start alone)"], ["idle_timeout", "duration"], ["provisioned", "count"], ["memory", "size, e.g. 512MiB"]],
  realtime: [["instances", "count"], ["max_connections", "per instance"], ["memory", "size per instance, e.g. 512MiB"], ["memory_per_connection", "size, e.g. 64KiB"], ["send", "per recipient, duration"]],
};

/** The editable fields of a node: a component's key parameters, or the load's rate/users. */
export function formFields(text: string, node: string): FormField[] {
  const doc = parseDocument(text);
  if (doc.errors.length) return [];
  const read = (path: string[]): string | undefined => {
    const v = doc.getIn(path, true);
    return isScalar(v) ? String(v.value) : undefined;
  };
  const field = (base: string[], name: string, hint: string): FormField => {
    const path = [...base, name];
    const node = doc.getIn(path, true);
    // A distribution written as a map: edit its mean (or a constant's value) in place.
    if (isMap(node)) {
      const sub = ["mean", "value"].find((k) => node.has(k));
      if (sub) return { label: `${name}.${sub}`, path: [...path, sub], value: read([...path, sub]) ?? "", hint };
    }
    return { label: name, path, value: read(path) ?? "", hint };
  };
  if (node === CLIENTS) {
    const model = read(["load", "model"]);
    if (model === "closed") return [field(["load"], "users", "count"), field(["load", "think"], "mean", "duration")];
    return [field(["load"], "rate", "rate, e.g. 300/s")];
  }
  const kind = read(["components", node, "kind"]);
  return (FIELDS[kind ?? ""] ?? []).map(([name, hint]) => field(["components", node], name, hint));
}

/** A map or list field of a component: its path, and its value as a YAML block ("" when not set). */
export interface NestedField {
  readonly name: string;
  readonly path: ReadonlyArray<string>;
  readonly written: boolean;
  readonly block: string;
  readonly hint: string;
}

/** Every other field of the node's kind, as the loader reads the kind (simulator/model/fields.ts):
 * the scalar ones editable like the key fields, the maps and lists (handlers, autoscaling, routing...)
 * with their value as a YAML block, edited whole (setBlock). */
export function moreFields(text: string, node: string): { editable: FormField[]; nested: NestedField[] } {
  const none = { editable: [], nested: [] };
  if (node === CLIENTS) return none;
  const doc = parseDocument(text);
  if (doc.errors.length) return none;
  const kind = doc.getIn(["components", node, "kind"]);
  if (typeof kind !== "string") return none;
  const keyed = new Set((FIELDS[kind] ?? []).map(([name]) => name));
  const editable: FormField[] = [];
  const nested: NestedField[] = [];
  for (const f of componentFields(kind)) {
    if (f.name === "kind" || keyed.has(f.name)) continue;
    const path = ["components", node, f.name];
    const v = doc.getIn(path, true);
    const hint = f.description ?? (f.required ? "required" : "optional");
    if (isMap(v) || isSeq(v) || (f.nested && !isScalar(v))) nested.push({ name: f.name, path, written: v !== undefined, block: v === undefined ? "" : blockText(v), hint });
    else editable.push({ label: f.name, path, value: isScalar(v) ? String(v.value) : "", hint });
  }
  return { editable, nested };
}

/** A value as a YAML scalar: plain when it is safe to write plain (units, names), else quoted. */
function scalarText(v: string): string {
  return /^[A-Za-z0-9_.\/%+-]+$/.test(v) ? v : JSON.stringify(v);
}

/** The text with one field set; an empty value removes the field (back to its default). An
 * existing scalar is replaced in place in the text, so nothing else moves; a field added to or
 * removed from a block map (a component's boot_capacity, a station's buffer) is its own line,
 * written as text as setBlock does; only else (a map not yet written, a flow map) through the
 * Document, which re-spaces the whole file's flow collections and aligned comments. */
export function setField(text: string, path: ReadonlyArray<string>, raw: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length) return text;
  const v = raw.trim();
  const node = doc.getIn(path, true);
  if (v !== "" && isScalar(node) && node.range) {
    const [start, end] = node.range;
    return text.slice(0, start) + scalarText(v) + text.slice(end);
  }
  if (v === "" && node === undefined) return text;
  const name = path[path.length - 1]!;
  const parent = doc.getIn(path.slice(0, -1), true);
  if (isMap(parent) && !parent.flow && (v !== "" || isScalar(node))) {
    const r = writePair(text, parent, name, v === "" ? [] : [`${name}: ${scalarText(v)}`]);
    if (r !== undefined) return r;
  }
  if (v === "") doc.deleteIn(path);
  else doc.setIn(path, /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);
  return doc.toString();
}

/** A node of the document as a YAML block of its own (block style, its comments kept). */
function blockText(node: unknown): string {
  const d = new Document();
  d.contents = node as Document["contents"];
  return d.toString({ collectionStyle: "block" }).trimEnd();
}

/**
 * The text with a map or list field replaced by `raw`, a YAML block (as the form shows it). Written
 * as text, line by line: the field's lines (key, value, its comments) are replaced, or added after
 * the component's last field at the same indentation, so every other line stays byte for byte (the
 * Document API's toString would re-space the whole file's flow collections). Empty removes the
 * field. A block that does not parse, or is not a map or a list, is refused with the reason (and the
 * block's line and column), and nothing is written.
 */
export function setBlock(text: string, path: ReadonlyArray<string>, raw: string): { text: string } | { error: string } {
  const doc = parseDocument(text);
  const parent = doc.errors.length ? undefined : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent) || !parent.range || parent.flow) return { error: "the scenario does not parse here; fix the YAML first" };
  const name = path[path.length - 1]!;
  let lines: string[] = [];
  if (raw.trim() !== "") {
    const block = parseDocument(raw);
    const e = block.errors[0];
    if (e) {
      const at = e.linePos?.[0];
      const why = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      return { error: `${at ? `line ${at.line}, column ${at.col}: ` : ""}${why}` };
    }
    if (!isMap(block.contents) && !isSeq(block.contents)) return { error: `${name} takes a map or a list, not a single value` };
    lines = raw.replace(/\s+$/, "").split("\n");
  }
  const out = writePair(text, parent, name, lines.length === 0 ? [] : [`${name}:`, ...lines.map((l) => (l.trim() === "" ? "" : `  ${l}`))]);
  return out === undefined ? { error: "the component has no fields to place this beside; write it in the editor" } : { text: out };
}

/**
 * The text with the pair `name` of the block map `parent` replaced by `lines` (without their
 * indentation; none removes it), or added after the map's last pair at its indentation; every
 * other line byte for byte. Undefined when the map has no pair to take the indentation from.
 */
function writePair(text: string, parent: YAMLMap, name: string, lines: ReadonlyArray<string>): string | undefined {
  const pairs = parent.items;
  const pair = pairs.find((p) => isScalar(p.key) && p.key.value === name);
  const anchor = (pair ?? pairs[pairs.length - 1])?.key as { range?: [number, number, number] } | undefined;
  if (!anchor?.range) return undefined;
  const lineStart = (i: number) => text.lastIndexOf("\n", i - 1) + 1;
  const indent = " ".repeat(anchor.range[0] - lineStart(anchor.range[0]));
  /** Just past the newline ending the line of the last text before `i`. */
  const lineEndAfter = (i: number) => {
    while (i > 0 && /\s/.test(text[i - 1]!)) i--;
    const nl = text.indexOf("\n", i);
    return nl < 0 ? text.length : nl + 1;
  };
  const written = lines.map((l) => (l === "" ? "\n" : `${indent}${l}\n`)).join("");
  const pairEnd = (p: (typeof pairs)[number]) => lineEndAfter(((p.value as { range?: [number, number, number] } | null)?.range ?? (p.key as { range: [number, number, number] }).range)[2]);
  if (pair) return text.slice(0, lineStart(anchor.range[0])) + written + text.slice(pairEnd(pair));
  const at = pairEnd(pairs[pairs.length - 1]!);
  return text.slice(0, at) + (at > 0 && text[at - 1] !== "\n" ? "\n" : "") + written + text.slice(at);
}
