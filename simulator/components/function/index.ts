// The function kind: a serverless function (AWS Lambda, Cloud Run, Azure Functions). Instances
// start on demand up to max_instances, each with `concurrency` invocation slots, pay a cold start
// when new, are reclaimed after idle_timeout without work (scale to zero; `provisioned` ones are
// kept warm), and bill per request and per GB-second. Beyond max_instances x concurrency an
// invocation is throttled: refused (429) or queued. Schema and checks still live in
// model/schema.ts and model/check.ts.
import type { KindModule } from "../kind.ts";
import { compileFunction, emitFunctionCall, type FunctionSpec } from "./compile.ts";
import { FunctionRuntime } from "./runtime.ts";
import { functionResult } from "./result.ts";

export type { FunctionSpec } from "./compile.ts";
export { GB } from "./compile.ts";
export { FunctionRuntime, type FunctionStats } from "./runtime.ts";

export const fn: KindModule<"function", FunctionSpec, FunctionRuntime> = {
  kind: "function",
  compile: compileFunction,
  emitCall: emitFunctionCall,
  runtime: (specs, ctx) => new FunctionRuntime(specs, ctx, false),
  result: functionResult,
};
export { coldShareAt, functionAnalytic, type FunctionAnalytic } from "./analytic.ts";
