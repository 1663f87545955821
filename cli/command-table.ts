// The subcommands as the command line starts them: each name with its one-line summary and a
// loader, so `headroom --help` and `headroom simulate` load only what they use (a command that
// needs BullMQ or the reference app's drivers no longer loads them for every other one; about
// half a second each on a busy machine). The summaries repeat the command modules' own `summary`
// (cli/commands/*.ts); cli/tests/command-table.test.ts keeps the two lists equal.
import type { Command } from "./commands/index.ts";

export interface CommandEntry {
  readonly summary: string;
  load(): Promise<Command>;
}

export const commandTable: Record<string, CommandEntry> = {
  simulate: { summary: "simulate a scenario and print latency, throughput and utilization", load: async () => (await import("./commands/simulate.ts")).simulateCommand },
  schema: { summary: "print the JSON Schema of the scenario format", load: async () => (await import("./commands/schema.ts")).schemaCommand },
  app: { summary: "start the scenario's reference app (real HAProxy, Node, Redis, PostgreSQL, RabbitMQ)", load: async () => (await import("./commands/app.ts")).appCommand },
  serve: { summary: "build and serve the dashboard on localhost", load: async () => (await import("./commands/serve.ts")).serveCommand },
  k6: { summary: "k6 scripts from scenarios: export, k6-operator manifests, run a script", load: async () => (await import("./commands/k6.ts")).k6Command },
  load: { summary: "send a scenario's load to a target with k6 or the built-in runner", load: async () => (await import("./commands/load.ts")).loadCommand },
  capacity: { summary: "highest sustainable load at the scenario's SLO (analytic bracket, simulated bisection)", load: async () => (await import("./commands/capacity.ts")).capacityCommand },
  check: { summary: "CI gate: capacity, p95/p99 and cost against a committed baseline", load: async () => (await import("./commands/check.ts")).checkCommand },
  plan: { summary: "cheapest replicas, pools and cache sizes within the plan: bounds that meet the SLO at a load", load: async () => (await import("./commands/plan.ts")).planCommand },
  validate: { summary: "compare predictions with measurements of the reference app (or your system: --target) under k6 load", load: async () => (await import("./commands/validate.ts")).validateCommand },
  fit: { summary: "fit a scenario (or update one) from OpenTelemetry, Jaeger or Zipkin traces", load: async () => (await import("./commands/fit.ts")).fitCommand },
  compare: { summary: "compare predictions with a k6 run you already made (NDJSON or summary JSON)", load: async () => (await import("./commands/compare.ts")).compareCommand },
  sweep: { summary: "simulate a grid or Latin hypercube of parameter values; cheapest point meeting the SLO", load: async () => (await import("./commands/sweep.ts")).sweepCommand },
  worker: { summary: "process simulation jobs from a Redis queue (for --queue runs)", load: async () => (await import("./commands/worker.ts")).workerCommand },
};
