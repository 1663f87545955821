// Opening a validation report (`headroom validate --out DIR` writes DIR/<scenario>.json): the text
// checked to be a headroom.validation/v1 document with every field the page reads, or a message
// naming the file, the field and what was expected. The types are validation/report.ts's own
// (type-only imports; report.ts itself imports nothing from Node).
import { VALIDATION_SCHEMA, type ValidationReport } from "../../validation/report.ts";
import { RESULT_SCHEMA } from "../../simulator/index.ts";

export type { ValidationReport, LevelReport, CalibratedParameter } from "../../validation/report.ts";
export type { Row as ValidationRow } from "../../validation/compare.ts";
export { VALIDATION_SCHEMA };

export class ValidationFileError extends Error {}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v)?.slice(0, 40) ?? String(v));

/** The schema a parsed document claims, if any (for choosing between result and report). */
export function schemaOf(data: unknown): string | undefined {
  return isObject(data) && typeof data.schema === "string" ? data.schema : undefined;
}

/** JSON.parse with the file's name in the message. */
export function parseJson(text: string, fileName: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ValidationFileError(`${fileName}: not JSON (${(e as Error).message})`);
  }
}

export class Checker {
  constructor(private readonly file: string) {}
  fail(path: string, expected: string, got: unknown): never {
    throw new ValidationFileError(`${this.file}: ${path}: expected ${expected}, got ${show(got)}`);
  }
  object(v: unknown, path: string): Record<string, unknown> {
    return isObject(v) ? v : this.fail(path, "an object", v);
  }
  array(v: unknown, path: string): unknown[] {
    return Array.isArray(v) ? v : this.fail(path, "an array", v);
  }
  string(v: unknown, path: string): string {
    return typeof v === "string" ? v : this.fail(path, "a string", v);
  }
  number(v: unknown, path: string): number {
    return typeof v === "number" && Number.isFinite(v) ? v : this.fail(path, "a number", v);
  }
  numberOrNull(v: unknown, path: string): number | null {
    return v === null ? null : typeof v === "number" ? v : this.fail(path, "a number or null", v);
  }
  oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
    return options.includes(v as T) ? (v as T) : this.fail(path, options.map((o) => `"${o}"`).join(" or "), v);
  }
}

function checkRow(k: Checker, v: unknown, path: string): void {
  const r = k.object(v, path);
  k.string(r.scope, `${path}.scope`);
  k.string(r.metric, `${path}.metric`);
  k.numberOrNull(r.predicted, `${path}.predicted`);
  k.numberOrNull(r.measured, `${path}.measured`);
  k.numberOrNull(r.error, `${path}.error`);
  k.oneOf(r.errorKind, `${path}.errorKind`, ["relative", "absolute"] as const);
  k.numberOrNull(r.target, `${path}.target`);
  k.oneOf(r.verdict, `${path}.verdict`, ["pass", "fail", "info"] as const);
}

/** The report in text, checked; throws ValidationFileError saying what is wrong and where. */
export function readValidationReport(text: string, fileName: string): ValidationReport {
  return checkValidationReport(parseJson(text, fileName), fileName);
}

export function checkValidationReport(data: unknown, fileName: string): ValidationReport {
  const k = new Checker(fileName);
  if (!isObject(data)) throw new ValidationFileError(`${fileName}: expected a JSON object, a Headroom validation report`);
  if (data.schema !== VALIDATION_SCHEMA) {
    const got = data.schema === undefined ? "no schema field" : `schema ${JSON.stringify(data.schema)}`;
    const hint = typeof data.schema === "string" && data.schema.startsWith(RESULT_SCHEMA.replace(/v\d+$/, "")) ? " (this is a simulation result: open it with Open result…)" : "";
    throw new ValidationFileError(`${fileName}: expected a validation report with schema "${VALIDATION_SCHEMA}" (headroom validate --out DIR writes one), got ${got}${hint}`);
  }
  const scenario = k.object(data.scenario, "scenario");
  k.string(scenario.name, "scenario.name");
  k.string(scenario.file, "scenario.file");
  k.string(data.createdAt, "createdAt");
  const machine = k.object(data.machine, "machine");
  k.string(machine.host, "machine.host");
  k.number(machine.cpus, "machine.cpus");
  k.array(machine.loadAverage, "machine.loadAverage").forEach((x, i) => k.number(x, `machine.loadAverage[${i}]`));
  k.string(machine.node, "machine.node");
  k.number(data.durationS, "durationS");
  k.number(data.warmupS, "warmupS");
  const sat = k.object(data.saturation, "saturation");
  k.number(sat.predictedRate, "saturation.predictedRate");
  k.string(sat.bottleneck, "saturation.bottleneck");
  k.string(sat.method, "saturation.method");
  if (sat.throughput !== undefined) {
    checkRow(k, sat.throughput, "saturation.throughput");
    k.number((sat.throughput as Record<string, unknown>).offeredRate, "saturation.throughput.offeredRate");
  }
  const knee = k.object(data.knee, "knee");
  k.string(knee.rule, "knee.rule");
  for (const side of ["predicted", "measured"] as const) {
    const b = k.object(knee[side], `knee.${side}`);
    k.numberOrNull(b.below, `knee.${side}.below`);
    k.numberOrNull(b.above, `knee.${side}.above`);
  }
  if (data.calibration !== null) {
    k.array(data.calibration, "calibration (an array or null)").forEach((c, i) => {
      const o = k.object(c, `calibration[${i}]`);
      k.string(o.parameter, `calibration[${i}].parameter`);
      k.number(o.valueMs, `calibration[${i}].valueMs`);
      k.string(o.how, `calibration[${i}].how`);
    });
  }
  k.array(data.levels, "levels").forEach((l, i) => {
    const p = `levels[${i}]`;
    const o = k.object(l, p);
    k.numberOrNull(o.level, `${p}.level`);
    k.number(o.rate, `${p}.rate`);
    k.number(o.predictedUtilization, `${p}.predictedUtilization`);
    k.string(o.bottleneck, `${p}.bottleneck`);
    if (typeof o.targetsApply !== "boolean") k.fail(`${p}.targetsApply`, "true or false", o.targetsApply);
    k.string(o.engine, `${p}.engine`);
    k.number(o.requestsMeasured, `${p}.requestsMeasured`);
    const status = k.oneOf(o.status, `${p}.status`, ["pass", "fail", "info", "error", "unreliable"] as const);
    if (status === "error" || o.error !== undefined) k.string(o.error, `${p}.error`);
    k.array(o.rows, `${p}.rows`).forEach((r, j) => checkRow(k, r, `${p}.rows[${j}]`));
  });
  if (typeof data.pass !== "boolean") k.fail("pass", "true or false", data.pass);
  return data as unknown as ValidationReport;
}
