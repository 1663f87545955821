// Opening a result file the CLI wrote (`headroom simulate --json`): the text checked to be a
// headroom.result document with the parts the pages read, or a message that says what is wrong.
// The current version (v3) embeds its scenario's YAML, so the page shows the result with its own
// model, and counts the requests on every edge of the graph; a v2 file still opens, with a notice
// that its edges carry rates only where payloads were modelled; a v1 file too, with a notice that
// it carries no scenario (and that a CDN's per-request price was not billed then).
import { RESULT_SCHEMA, type SimResult } from "../../simulator/index.ts";

export class ResultFileError extends Error {}

/** Older schemas still read, each with what the page tells the user about it. */
const OLDER: Record<string, string> = {
  "headroom.result/v2": "an older result (headroom.result/v2): it counted requests per edge only where payloads were modelled, so the graph labels those edges alone; re-run headroom simulate --json for every edge's rate",
  "headroom.result/v1": "an older result (headroom.result/v1): it does not carry its scenario, so the editor keeps its own; re-run headroom simulate --json for one that does (v1 also billed a CDN no per-request cost)",
};

export interface OpenedResult {
  readonly result: SimResult;
  /** the scenario YAML the result embeds; null for a v1 file */
  readonly yaml: string | null;
  /** what the page should say about an older file; null for the current schema */
  readonly notice: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function readResultFile(text: string, fileName: string): OpenedResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ResultFileError(`${fileName}: not JSON (${(e as Error).message})`);
  }
  if (!isObject(data)) throw new ResultFileError(`${fileName}: expected a JSON object, a Headroom result`);
  const older = typeof data.schema === "string" && Object.hasOwn(OLDER, data.schema) ? OLDER[data.schema] : null;
  if (data.schema !== RESULT_SCHEMA && older === null) {
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
  const scenario = data.scenario as Record<string, unknown>;
  const yaml = scenario.yaml ?? null;
  if (yaml !== null && typeof yaml !== "string") throw new ResultFileError(`${fileName}: scenario.yaml must be the scenario's text or null`);
  if ((older === null || data.schema === "headroom.result/v2") && yaml === null && !("yaml" in scenario)) throw new ResultFileError(`${fileName}: field "scenario.yaml" is missing (a ${RESULT_SCHEMA} result embeds its scenario, or null)`);
  const result = { ...data, scenario: { ...scenario, yaml } } as unknown as SimResult;
  return { result, yaml, notice: older };
}
