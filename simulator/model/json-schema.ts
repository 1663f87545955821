// The scenario format as JSON Schema (draft-07), for editors and the dashboard. Generated from the
// same effect Schema that validates files, so the two cannot drift.
import { JSONSchema } from "effect";
import { ScenarioSchema } from "./schema.ts";

export function scenarioJsonSchema(): object {
  return JSONSchema.make(ScenarioSchema);
}
