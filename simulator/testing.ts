// For tests in any folder (a public entry of simulator/, tests/boundaries.test.ts): the Scenario a
// YAML text parses to, or an Error listing every problem the parser found, each as
// `file:line:column: field: message`. Tests used to repeat `const r = parseScenario(...); if
// (!r.ok) throw ...` with five different messages, some of which (`fixture does not parse`) hid
// which field was wrong. Pure like the rest of the simulator: reading a file stays with the caller.
import { formatErrors, parseScenario, type Scenario } from "./model/index.ts";

/** The scenario `yaml` describes; `file` names it in the errors (a path, or a name for inline text). */
export function scenarioOf(yaml: string, file = "test.yaml"): Scenario {
  const r = parseScenario(yaml, file);
  if (!r.ok) throw new Error(`${file} does not parse:\n${formatErrors(r.errors)}`);
  return r.scenario;
}
