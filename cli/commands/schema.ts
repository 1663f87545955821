// `headroom schema`: prints the scenario format as JSON Schema, for editors and other tools.
import { scenarioJsonSchema } from "../../simulator/index.ts";
import type { Command } from "./index.ts";

export const schemaCommand: Command = {
  summary: "print the JSON Schema of the scenario format",
  async run(argv) {
    if (argv.includes("--help") || argv.includes("-h")) {
      process.stdout.write("usage: headroom schema\n\nPrints the JSON Schema (draft-07) of the scenario YAML format.\n");
      return 0;
    }
    process.stdout.write(JSON.stringify(scenarioJsonSchema(), null, 2) + "\n");
    return 0;
  },
};
