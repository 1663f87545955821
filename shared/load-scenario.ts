// Reads a scenario file from disk for Node commands; invalid files become an InputError whose
// message lists every problem with file:line:column.
import { readFile } from "node:fs/promises";
import { parseScenario, formatErrors, type Scenario, type ScenarioError } from "../simulator/model/index.ts";
import { InputError } from "./errors.ts";

export async function loadScenarioFile(path: string): Promise<Scenario> {
  return (await loadScenarioWithWarnings(path)).scenario;
}

export async function loadScenarioWithWarnings(path: string): Promise<{ scenario: Scenario; warnings: ReadonlyArray<ScenarioError>; text: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new InputError(`${path}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const outcome = parseScenario(text, path);
  if (!outcome.ok) {
    const n = outcome.errors.length;
    throw new InputError(`${formatErrors(outcome.errors)}\n${path}: ${n} problem${n === 1 ? "" : "s"} found; see docs/scenario-format.md`);
  }
  return { scenario: outcome.scenario, warnings: outcome.warnings, text };
}
