// Opening a dynamic validation's report (`npm run validate:dynamics -- FILE --out DIR` writes
// DIR/<name>.dynamics.json, headroom.dynamics/v1): the text checked to hold every field the view
// reads, or a message naming the file, the field and what was expected. The types are the
// validation's own (validation/dynamics-report.ts, type-only).
import type { DynamicsDocument, DynamicsSeries } from "../../validation/dynamics-report.ts";
import { Checker, isObject, parseJson, ValidationFileError } from "./validation-file.ts";

export type { DynamicsDocument, DynamicsSeries };
export const DYNAMICS_SCHEMA = "headroom.dynamics/v1";

function points(k: Checker, v: unknown, path: string): Array<[number, number | null]> {
  return k.array(v, path).map((p, i) => {
    const pair = k.array(p, `${path}[${i}]`);
    if (pair.length !== 2) k.fail(`${path}[${i}]`, "[t, value]", p);
    return [k.number(pair[0], `${path}[${i}][0]`), k.numberOrNull(pair[1], `${path}[${i}][1]`)];
  });
}

/** The report in text, checked; throws ValidationFileError saying what is wrong and where. */
export function readDynamicsReport(text: string, fileName: string): DynamicsDocument {
  const data = parseJson(text, fileName);
  const k = new Checker(fileName);
  if (!isObject(data)) throw new ValidationFileError(`${fileName}: expected a JSON object, a Headroom dynamic validation report`);
  if (data.schema !== DYNAMICS_SCHEMA) {
    const got = data.schema === undefined ? "no schema field" : `schema ${JSON.stringify(data.schema)}`;
    throw new ValidationFileError(`${fileName}: expected a dynamic validation report with schema "${DYNAMICS_SCHEMA}" (validate:dynamics --out DIR writes one), got ${got}`);
  }
  for (const f of ["scenario", "file", "yaml", "createdAt"]) k.string(data[f], f);
  k.array(data.loadAverage, "loadAverage").forEach((x, i) => k.number(x, `loadAverage[${i}]`));
  k.array(data.rows, "rows").forEach((r, i) => {
    const o = k.object(r, `rows[${i}]`);
    k.string(o.name, `rows[${i}].name`);
    k.numberOrNull(o.predicted, `rows[${i}].predicted`);
    k.numberOrNull(o.measured, `rows[${i}].measured`);
    k.string(o.target, `rows[${i}].target`);
    if (o.pass !== null && typeof o.pass !== "boolean") k.fail(`rows[${i}].pass`, "true, false or null", o.pass);
  });
  k.array(data.series, "series").forEach((v, i) => {
    const o = k.object(v, `series[${i}]`);
    k.string(o.name, `series[${i}].name`);
    k.string(o.unit, `series[${i}].unit`);
    k.oneOf(o.shape, `series[${i}].shape`, ["steps", "samples"] as const);
    points(k, o.predicted, `series[${i}].predicted`);
    points(k, o.measured, `series[${i}].measured`);
    if (o.events !== undefined) k.array(o.events, `series[${i}].events`).forEach((e, j) => {
      const pair = k.array(e, `series[${i}].events[${j}]`);
      k.number(pair[0], `series[${i}].events[${j}][0]`);
      k.string(pair[1], `series[${i}].events[${j}][1]`);
    });
  });
  if (typeof data.pass !== "boolean") k.fail("pass", "true or false", data.pass);
  return data as unknown as DynamicsDocument;
}

/**
 * Both sides of a series on one time axis for a line chart: every time either side has a point,
 * each side's value there (a step series holds its last value; a sampled one is left empty
 * between its own points, which the chart joins).
 */
export function mergeSeries(s: DynamicsSeries): Array<{ t: number; predicted: number | null; measured: number | null }> {
  const ts = [...new Set([...s.predicted.map((p) => p[0]), ...s.measured.map((p) => p[0])])].sort((a, b) => a - b);
  const at = (pts: DynamicsSeries["predicted"], t: number): number | null => {
    if (s.shape === "samples") return pts.find((p) => p[0] === t)?.[1] ?? null;
    let v: number | null = null;
    for (const p of pts) {
      if (p[0] > t) break;
      v = p[1];
    }
    return v;
  };
  return ts.map((t) => ({ t, predicted: at(s.predicted, t), measured: at(s.measured, t) }));
}
