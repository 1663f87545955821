// Opening a result file the CLI wrote (`headroom simulate --json`): the text checked to be a
// headroom.result/v1 document with the parts the pages read, or a message that says what is wrong.
import { RESULT_SCHEMA, type SimResult } from "../../simulator/index.ts";

export class ResultFileError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function readResultFile(text: string, fileName: string): SimResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(`${fileName}: not JSON (${(e as Error).message})`);
  }
  if (!isObject(data)) throw new ResultFileError(`${fileName}: expected a JSON object, a Headroom result`);
  if (data.schema !== RESULT_SCHEMA) {
    const got = data.schema === undefined ? "no schema field" : `schema ${JSON.stringify(data.schema)}`;
    const hint = typeof data.schema === "string" && data.schema.startsWith("headroom.validation/") ? " (this is a validation report: open it with Open validation…)" : "";
    throw new ResultFileError(`${fileName}: expected a Headroom result with schema "${RESULT_SCHEMA}" (headroom simulate --json writes one), got ${got}${hint}`);
  }
  for (const key of ["scenario", "run", "classes", "components", "accounting"] as const) {
    if (!isObject(data[key])) throw new ResultFileError(`${fileName}: field "${key}" is missing or not an object`);
  }
  for (const [name, c] of Object.entries(data.classes as Record<string, unknown>)) {
    if (!isObject(c) || !isObject(c.latencyMs) || !isObject(c.throughput)) throw new ResultFileError(`${fileName}: classes.${name} lacks throughput or latencyMs`);
  }
  for (const [name, c] of Object.entries(data.components as Record<string, unknown>)) {
    if (!isObject(c) || !isObject(c.utilization)) throw new ResultFileError(`${fileName}: components.${name} lacks utilization`);
  }
  return data as unknown as SimResult;
}
