// Numeric fields of a scenario's YAML text addressed by dotted paths (`components.api.servers`,
// `load.rate`, `load.stages.1.rate`): find one, read its number, and write a new number into the
// text. The edit replaces only the scalar's own characters, so comments, layout and every other
// line (and so the line numbers in later error messages) stay as the user wrote them. A field
// written with a unit keeps it: `rate: 300/s` varied to 450 becomes `rate: 450/s`; values are
// numbers in the unit the file uses. Trades generality for that: only scalars that are a number, or
// a number followed by a unit, can be varied (not keys, not aliases, not whole maps).
import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, type Node } from "yaml";
import { LineIndex } from "../simulator/model/index.ts";

/** A located numeric scalar: where its text is and how to write a new number into it. */
export interface NumericField {
  readonly path: string;
  /** The number as written, without its unit. */
  readonly value: number;
  /** What follows the number (`/s`, `ms`, `k`, `%`), or "" for a plain number. */
  readonly unit: string;
  readonly start: number;
  readonly end: number;
  readonly quoted: boolean;
  readonly line: number;
  readonly column: number;
}

/** A path that names no numeric field: the message says which segment failed and where. */
export class FieldError extends Error {
  override readonly name = "FieldError";
}

const NUMBER_WITH_UNIT = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(\s*\S.*?)?\s*$/;

/** Locates `path` in `text` (the file name only labels messages). Throws FieldError. */
export function findNumericField(text: string, file: string, path: string): NumericField {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) throw new FieldError(`${file}: the file is not valid YAML (${doc.errors[0].message.split("\n")[0]})`);
  const lines = new LineIndex(text);
  const where = (n: Node | null | undefined) => {
    const at = lines.at(n?.range?.[0] ?? 0);
    return `${file}:${at.line}:${at.column}`;
  };
  const segments = path.split(".");
  if (segments.some((s) => s === "")) throw new FieldError(`${file}: '${path}' is not a field path (expected dotted names such as components.api.servers)`);
  let node: Node | null = doc.contents as Node | null;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const here = segments.slice(0, i).join(".") || "the top level";
    if (isAlias(node)) throw new FieldError(`${where(node)}: ${here}: is an alias (*${node.source}); vary the field where its anchor is defined`);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) {
        const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : "?")).join(", ");
        throw new FieldError(`${where(node)}: ${here}: no field '${seg}' for ${path} (fields here: ${keys || "none"})`);
      }
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const index = /^\d+$/.test(seg) ? Number(seg) : NaN;
      if (!(index < node.items.length)) throw new FieldError(`${where(node)}: ${here}: is a list of ${node.items.length}; '${seg}' in ${path} must be an index from 0 to ${node.items.length - 1}`);
      node = node.items[index] as Node | null;
    } else {
      throw new FieldError(`${where(node)}: ${here}: is a single value, so ${path} names nothing inside it`);
    }
  }
  if (isAlias(node)) throw new FieldError(`${where(node)}: ${path}: is an alias (*${node.source}); vary the field where its anchor is defined`);
  if (!isScalar(node) || !node.range) throw new FieldError(`${where(node)}: ${path}: is ${isMap(node) ? "a mapping" : isSeq(node) ? "a list" : "empty"}, not a number`);
  const raw = node.value;
  const m = typeof raw === "number" ? null : typeof raw === "string" ? NUMBER_WITH_UNIT.exec(raw) : null;
  if (typeof raw !== "number" && !m) throw new FieldError(`${where(node)}: ${path}: is ${JSON.stringify(raw)}, not a number (only numeric fields can be varied)`);
  if (typeof raw === "number" && !Number.isFinite(raw)) throw new FieldError(`${where(node)}: ${path}: is ${raw}, not a finite number`);
  const at = lines.at(node.range[0]);
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
  return {
    path, value: typeof raw === "number" ? raw : Number(m![1]), unit: typeof raw === "number" ? "" : (m![2] ?? "").trim() === "" ? "" : m![2]!,
    start: node.range[0], end: node.range[1], quoted, line: at.line, column: at.column,
  };
}

/** `text` with each field set to its new number (fields located in this same text, any order). */
export function writeFields(text: string, edits: ReadonlyArray<{ field: NumericField; value: number }>): string {
  const sorted = [...edits].sort((a, b) => b.field.start - a.field.start);
  let out = text;
  for (const { field, value } of sorted) {
    const literal = `${formatNumber(value)}${field.unit}`;
    out = out.slice(0, field.start) + (field.quoted ? JSON.stringify(literal) : literal) + out.slice(field.end);
  }
  return out;
}

/** Shortest decimal text of a number (no exponent for the magnitudes a scenario uses). */
export function formatNumber(x: number): string {
  return String(x);
}
