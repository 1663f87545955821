// The headroom command line: dispatches a subcommand to its module and maps failures to exit codes
// (0 success, 1 internal error, 2 invalid input or usage).
import { commands } from "./commands/index.ts";
import { UsageError, InputError } from "./errors.ts";

const HELP = `headroom: capacity-planning simulator and load-testing harness

usage: headroom <command> [options]

commands:
${"{COMMANDS}"}

Run 'headroom <command> --help' for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const list = Object.entries(commands)
      .map(([n, c]) => `  ${n.padEnd(12)} ${c.summary}`)
      .join("\n");
    process.stdout.write(HELP.replace("{COMMANDS}", list) + "\n");
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`headroom: unknown command '${name}'. Run 'headroom --help'.\n`);
    return 2;
  }
  try {
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
