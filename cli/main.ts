// The headroom command line: dispatches a subcommand to its module and maps failures to exit codes
// (0 success, 1 internal error, 2 invalid input or usage). A command's module is loaded only when
// that command runs (command-table.ts).
import { commandTable } from "./command-table.ts";
import { UsageError, InputError } from "./errors.ts";

const HELP = `headroom: capacity-planning simulator and load-testing harness

usage: headroom <command> [options]

commands:
${"{COMMANDS}"}

Run 'headroom <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const list = Object.entries(commandTable)
      .map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`)
      .join("\n");
    process.stdout.write(HELP.replace("{COMMANDS}", list) + "\n");
    return name ? 0 : 2;
  }
  const entry = Object.hasOwn(commandTable, name) ? commandTable[name] : undefined;
  if (!entry) {
    process.stderr.write(`headroom: unknown command '${name}'. Run 'headroom --help'.\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError || err instanceof InputError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(`headroom: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
