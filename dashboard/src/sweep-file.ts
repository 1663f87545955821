// Opening a sweep (`headroom sweep --json FILE` writes a headroom.sweep/v1 document): the text
// checked to hold every field the sweep view reads, or a message naming the file, the field and
// what was expected. The types are sweep/sweep.ts's own (type-only import; the sweep module
// itself plans jobs and is not loaded into the page).
import type { SweepResult, SweepPoint } from "../../sweep/sweep.ts";
import { Checker, isObject, parseJson, ValidationFileError } from "./validation-file.ts";

export type { SweepResult, SweepPoint };
export const SWEEP_SCHEMA = "headroom.sweep/v1";

/** The sweep in text, checked; throws ValidationFileError saying what is wrong and where. */
export function readSweepResult(text: string, fileName: string): SweepResult {
  const data = parseJson(text, fileName);
  const k = new Checker(fileName);
  if (!isObject(data)) throw new ValidationFileError(`${fileName}: expected a JSON object, a Headroom sweep`);
  if (data.schema !== SWEEP_SCHEMA) {
    const got = data.schema === undefined ? "no schema field" : `schema ${JSON.stringify(data.schema)}`;
    throw new ValidationFileError(`${fileName}: expected a sweep with schema "${SWEEP_SCHEMA}" (headroom sweep --json FILE writes one), got ${got}`);
  }
  k.string(data.scenario, "scenario");
  k.string(data.file, "file");
  k.oneOf(data.design, "design", ["grid", "latin-hypercube"] as const);
  k.oneOf(data.costBasis, "costBasis", ["price per hour", "instances"] as const);
  const params = k.array(data.parameters, "parameters");
  if (params.length === 0) k.fail("parameters", "at least one varied parameter", params);
  const paths = params.map((p, i) => {
    const o = k.object(p, `parameters[${i}]`);
    k.string(o.unit, `parameters[${i}].unit`);
    return k.string(o.path, `parameters[${i}].path`);
  });
  const s = k.object(data.settings, "settings");
  for (const f of ["seed", "replications", "duration", "warmup"]) k.number(s[f], `settings.${f}`);
  const points = k.array(data.points, "points");
  points.forEach((p, i) => {
    const at = `points[${i}]`;
    const o = k.object(p, at);
    if (o.index !== i) k.fail(`${at}.index`, String(i), o.index);
    const values = k.object(o.values, `${at}.values`);
    for (const path of paths) k.number(values[path], `${at}.values["${path}"]`);
    k.number(o.cost, `${at}.cost`);
    if (typeof o.pass !== "boolean") k.fail(`${at}.pass`, "true or false", o.pass);
    if (o.failed !== null) k.string(o.failed, `${at}.failed`);
    k.number(o.errorRate, `${at}.errorRate`);
    k.number(o.throughput, `${at}.throughput`);
    if (typeof o.analyticHeadroom !== "number") k.fail(`${at}.analyticHeadroom`, "a number", o.analyticHeadroom);
    const lat = k.object(o.latencyMs, `${at}.latencyMs`);
    for (const [cls, v] of Object.entries(lat)) {
      const l = k.object(v, `${at}.latencyMs.${cls}`);
      k.number(l.p95, `${at}.latencyMs.${cls}.p95`);
      k.number(l.p99, `${at}.latencyMs.${cls}.p99`);
    }
  });
  if (data.cheapestPassing !== null) {
    const c = k.number(data.cheapestPassing, "cheapestPassing");
    if (!Number.isInteger(c) || c < 0 || c >= points.length) k.fail("cheapestPassing", `a point index below ${points.length} or null`, c);
  }
  return data as unknown as SweepResult;
}
