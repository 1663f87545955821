// The scenario format as JSON Schema (draft-07), for editors and the dashboard. Generated from the
// same effect Schema that validates files, so the two cannot drift. Distributions and steps are
// decoded by hand-written dispatch (a duration or { dist: ... }; a name or { visit | call | ... }),
// which effect renders as an empty schema: their definitions are generated here from the structs
// the dispatch decodes with. Cross-field rules (references, cycles, min <= max) are not in it.
import { JSONSchema, Schema } from "effect";
import { DistStructs, Duration, Name, PayloadSize, ScenarioSchema, SizeDistStructs, StepStructs } from "./schema.ts";

type JsonSchema = { $schema?: string; $defs?: Record<string, object>; [key: string]: unknown };

export function scenarioJsonSchema(): object {
  const root = JSONSchema.make(ScenarioSchema) as unknown as JsonSchema;
  const defs: Record<string, object> = { ...root.$defs };
  const inline = (s: Schema.Schema<any, any>): JsonSchema => {
    const { $schema: _, $defs, ...rest } = JSONSchema.make(s) as unknown as JsonSchema;
    Object.assign(defs, $defs);
    return rest;
  };
  const distribution = inline(Schema.Union(Duration, ...Object.values(DistStructs)));
  const step = inline(Schema.Union(Name, ...Object.values(StepStructs)));
  const sizes = inline(Schema.Union(PayloadSize, ...Object.values(SizeDistStructs)));
  // Last: the structs' own $defs hold the empty renderings of these two.
  defs.Distribution = { ...distribution, description: "a duration (a constant), or { dist: constant | exponential | uniform | normal | lognormal | gamma | erlang | hyperexponential | pareto | empirical, ... }" };
  defs.SizeDistribution = { ...sizes, description: "a size with its unit (a constant), or { dist: constant | exponential | uniform | lognormal | gamma | pareto | empirical, ... } over sizes" };
  defs.Step = { ...step, description: "a station name, or { visit | branch | call | parallel | publish | service: ... }" };
  return withoutUnknownIds({ ...root, $defs: defs });
}

// effect renders Schema.Unknown (an http body) as { $id: "/schemas/unknown" }; two of them are one
// $id for two places, which validators refuse as ambiguous. Any value is {} in JSON Schema.
function withoutUnknownIds(v: unknown): any {
  if (Array.isArray(v)) return v.map(withoutUnknownIds);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o.$id === "/schemas/unknown" || o.$id === "/schemas/any") return { description: "any value" };
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, withoutUnknownIds(x)]));
}
