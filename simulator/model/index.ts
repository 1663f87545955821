// The scenario model: schema, parser, units and checks. Everything here is pure and runs in a browser.
export { parseScenario, MAX_SCENARIO_CHARS, type ParseOutcome } from "./parse.ts";
export { type ScenarioError, formatError, formatErrors, LineIndex } from "./errors.ts";
export * from "./schema.ts";
export { meanOf, scvOf, erfc } from "./dist-moments.ts";
export { checkScenario, type Problem } from "./check.ts";
export { visitRatios, peakRate } from "./traffic.ts";
export { regionNames, latencyBetween, bandwidthBetween, geoOrder, originShares } from "./regions.ts";
export { formatDuration, parseDuration, parseRate, parseCount, parseRatio, parseSize } from "./units.ts";
export { scenarioJsonSchema } from "./json-schema.ts";
export { scaleDist, classPayload, classHasPayload, callSizes, payloadTransfers, linkBytesPerSecond, type ClassPayload, type CallSizes, type TransferSite } from "./payload.ts";
export { parseBandwidth, parseSizeWithUnit, formatBandwidth, formatSize } from "./units.ts";
export { runWindow, expectedArrivals, expectedEvents, hopsPerRequest, timerEvents, expectedMemory, runSizeProblem, formatAmount, EVENT_BUDGET, RUN_EVENT_LIMIT, RUN_MEMORY_LIMIT, type RunWindowOptions, type RunBudget, type MemoryEstimate } from "./run-size.ts";
export { componentFields, fieldsAt, didYouMean, type FieldInfo } from "./fields.ts";
