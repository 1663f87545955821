// The registry of subcommands: one module per command, one line each here.
export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
};
