// Flag parsing shared by the commands: node's parseArgs with positionals allowed, and a bad flag
// turned into a UsageError (exit 2) that names the command and repeats its help.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../shared/errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseFlags<const O extends Options>(command: string, argv: string[], help: string, options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (e) {
    throw new UsageError(`headroom ${command}: ${(e as Error).message}\n\n${help}`);
  }
}
