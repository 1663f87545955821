// The scenario model: schema, parser, units and checks. Everything here is pure and runs in a browser.
export { parseScenario, type ParseOutcome } from "./parse.ts";
export { type ScenarioError, formatError, formatErrors } from "./errors.ts";
export * from "./schema.ts";
export { meanOf, scvOf } from "./dist-moments.ts";
export { visitRatios, peakRate } from "./traffic.ts";
export { formatDuration } from "./units.ts";
export { scenarioJsonSchema } from "./json-schema.ts";
export { runWindow, expectedArrivals, expectedEvents, hopsPerRequest, timerEvents, expectedMemory, runSizeProblem, formatAmount, EVENT_BUDGET, RUN_EVENT_LIMIT, RUN_MEMORY_LIMIT, type RunWindowOptions, type RunBudget, type MemoryEstimate } from "./run-size.ts";
