// The registry of subcommands: one module per command, one line each here.
import { simulateCommand } from "./simulate.ts";
import { schemaCommand } from "./schema.ts";
import { appCommand } from "./app.ts";
import { serveCommand } from "./serve.ts";
import { k6Command } from "./k6.ts";
import { loadCommand } from "./load.ts";
import { capacityCommand } from "./capacity.ts";
import { checkCommand } from "./check.ts";
import { planCommand } from "./plan.ts";
import { validateCommand } from "./validate.ts";
import { fitCommand } from "./fit.ts";
import { compareCommand } from "./compare.ts";
import { sweepCommand } from "./sweep.ts";
import { workerCommand } from "./worker.ts";

export interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  simulate: simulateCommand,
  schema: schemaCommand,
  app: appCommand,
  serve: serveCommand,
  k6: k6Command,
  load: loadCommand,
  capacity: capacityCommand,
  check: checkCommand,
  plan: planCommand,
  validate: validateCommand,
  fit: fitCommand,
  compare: compareCommand,
  sweep: sweepCommand,
  worker: workerCommand,
};
