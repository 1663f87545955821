// `headroom k6`: k6 scripts from scenarios. `export` writes the standalone script, `operator` the
// k6-operator manifests for a cluster, `run` runs any k6 script with the built-in runner.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadScenarioFile } from "../../shared/load-scenario.ts";
import { InputError, UsageError } from "../../shared/errors.ts";
import { parseDuration } from "../../simulator/model/index.ts";
import type { PlanOptions } from "../../k6/plan.ts";
import type { Command } from "./index.ts";

// the harness pulls in esbuild, acorn and undici: loaded only when a k6 subcommand runs
const harness = () => import("../../k6/harness.ts");
const plan = () => import("../../k6/plan.ts");
const operator = () => import("../../k6/operator.ts");
const engine = () => import("../../k6/runner/engine.ts");

const HELP = `usage: headroom k6 <subcommand> ...

  export <file.yaml> [--out DIR] [--duration D] [--arrival-rate] [--seed N]
      Write DIR/<scenario>.k6.js (default DIR: .), a standalone k6 script that sends the scenario's
      load: run it with  k6 run -e TARGET=http://host:port DIR/<scenario>.k6.js
  operator <file.yaml> --parallelism N --target URL [--out DIR] [--image IMAGE] [--namespace NS] [--duration D] [--seed N]
      Write DIR/<scenario>.k6-operator.yaml: a ConfigMap with the script and a k6-operator TestRun
      that runs it on N pods, each with an equal execution segment.
  run <script.js|ts> [--out json=FILE] [--summary-export FILE] [-e KEY=VALUE]... [--vus N] [--duration D]
      [--execution-segment SEG] [--execution-segment-sequence SEQ]
      Run a k6 script with the built-in k6-compatible runner (exit code 99 when thresholds fail).
      [--allowed-origin URL]... [--lag-out FILE]
      The execution segment flags are k6's: this run does its part SEG (e.g. 1/2:1) of a test split
      as SEQ (e.g. 0,1/2,1): VU counts scaled, arrival-rate iterations striped as k6 stripes them.
      --allowed-origin (headroom's, not k6's): requests to any other origin fail (repeatable).
      --lag-out FILE (headroom's): write this process's event-loop lag over the run to FILE as JSON
      {"mean","p99","max"} in ms beyond the 5 ms timer period (validate runs the generator in its
      own process and judges its starvation by this).

options shared by export and operator:
  --duration D       test length, e.g. 2m (default: the end of the load stages, else simulation.duration, else 60s)
  --arrival-rate     evenly spaced arrivals with k6's arrival-rate executors even when the scenario says poisson
  --seed N           seed of the Poisson arrivals (default: the scenario's seed). Poisson arrivals are one
                     realization of that seed, played by a ramping-arrival-rate: open (an arrival that
                     finds no free VU is a dropped_iterations) and the same on every k6 and segment

See docs/k6.md.`;

function planOptions(values: { duration?: string; "arrival-rate"?: boolean; seed?: string }): PlanOptions {
  const po: PlanOptions = {};
  if (values.duration !== undefined) {
    const d = parseDuration(values.duration);
    if (d === undefined || d <= 0) throw new UsageError(`headroom k6: --duration expects a duration like 30s or 5m, got '${values.duration}'`);
    po.durationS = d;
  }
  if (values["arrival-rate"]) po.forceArrivalRate = true;
  if (values.seed !== undefined) {
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new UsageError(`headroom k6: --seed expects an integer from 0 to 4294967295, got '${values.seed}'`);
    po.seed = seed;
  }
  return po;
}

async function bundleFor(file: string, po: PlanOptions) {
  const scenario = await loadScenarioFile(file);
  const { bundleScenario } = await harness();
  try {
    return { scenario, ...(await bundleScenario(scenario, file, po)) };
  } catch (e) {
    if (e instanceof (await plan()).PlanError) throw new InputError(`${file}: ${e.message}`);
    throw e;
  }
}

async function exportCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { out: { type: "string" }, duration: { type: "string" }, "arrival-rate": { type: "boolean" }, seed: { type: "string" } });
  if (positionals.length !== 1) throw new UsageError(`headroom k6 export: expected one scenario file\n\n${HELP}`);
  const { scenario, code, plan } = await bundleFor(positionals[0], planOptions(values));
  const dir = values.out ?? ".";
  await mkdir(dir, { recursive: true });
  const out = join(dir, `${(await operator()).k8sName(scenario.name)}.k6.js`);
  await writeFile(out, code);
  for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
  process.stdout.write(`Wrote ${out}\nRun it with: ${(await harness()).k6RunLine(plan, out)}\n`);
  return 0;
}

async function operatorCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: "string" },
    duration: { type: "string" },
    "arrival-rate": { type: "boolean" },
    seed: { type: "string" },
    parallelism: { type: "string" },
    target: { type: "string" },
    image: { type: "string" },
    namespace: { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`headroom k6 operator: expected one scenario file\n\n${HELP}`);
  const parallelism = Number(values.parallelism);
  if (values.parallelism === undefined || !Number.isInteger(parallelism) || parallelism < 1) {
    throw new UsageError(`headroom k6 operator: --parallelism expects a whole number >= 1, got '${values.parallelism ?? ""}'`);
  }
  if (!values.target || !/^https?:\/\//.test(values.target)) {
    throw new UsageError(`headroom k6 operator: --target expects the http(s) URL the pods send load to, got '${values.target ?? ""}'`);
  }
  const { scenario, code, plan } = await bundleFor(positionals[0], planOptions(values));
  const { operatorManifests, k8sName, OperatorError } = await operator();
  let yaml: string;
  try {
    yaml = operatorManifests({ scenarioName: scenario.name, script: code, parallelism, target: values.target, image: values.image, namespace: values.namespace }).yaml;
  } catch (e) {
    if (e instanceof OperatorError) throw new InputError(`${positionals[0]}: ${e.message}`);
    throw e;
  }
  const dir = values.out ?? ".";
  await mkdir(dir, { recursive: true });
  const out = join(dir, `${k8sName(scenario.name)}.k6-operator.yaml`);
  await writeFile(out, yaml);
  for (const n of plan.notes) process.stderr.write(`note: ${n}\n`);
  process.stdout.write(`Wrote ${out}\nApply it with: kubectl apply -f ${out}\n`);
  return 0;
}

async function runCmd(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    out: { type: "string", multiple: true },
    "summary-export": { type: "string" },
    env: { type: "string", short: "e", multiple: true },
    vus: { type: "string" },
    duration: { type: "string" },
    "execution-segment": { type: "string" },
    "execution-segment-sequence": { type: "string" },
    "allowed-origin": { type: "string", multiple: true },
    "lag-out": { type: "string" },
  });
  if (positionals.length !== 1) throw new UsageError(`headroom k6 run: expected one script\n\n${HELP}`);
  let jsonOut: string | undefined;
  for (const o of values.out ?? []) {
    if (!o.startsWith("json=")) throw new UsageError(`headroom k6 run: only --out json=FILE is supported, got '${o}'`);
    jsonOut = o.slice(5);
  }
  const env: Record<string, string> = {};
  for (const kv of values.env ?? []) {
    const i = kv.indexOf("=");
    if (i <= 0) throw new UsageError(`headroom k6 run: -e expects KEY=VALUE, got '${kv}'`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const vus = values.vus === undefined ? undefined : Number(values.vus);
  if (vus !== undefined && (!Number.isInteger(vus) || vus < 1)) throw new UsageError(`headroom k6 run: --vus expects a whole number >= 1`);
  const { runK6Script, ScriptError } = await engine();
  const { BundleError } = await import("../../k6/runner/bundle.ts");
  const { ScriptTransformError } = await import("../../k6/runner/transform.ts");
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once("SIGINT", onSig);
  process.once("SIGTERM", onSig);
  const lag = values["lag-out"] ? (await import("../../validation/starvation.ts")).startLagProbe() : undefined;
  try {
    const r = await runK6Script({
      script: resolve(positionals[0]),
      env,
      jsonOut,
      summaryExport: values["summary-export"],
      stdout: process.stdout,
      stderr: process.stderr,
      allowedOrigins: values["allowed-origin"],
      overrides: { vus, duration: values.duration, executionSegment: values["execution-segment"], executionSegmentSequence: values["execution-segment-sequence"] },
      signal: ac.signal,
    });
    if (r.message) process.stderr.write(`${r.exitCode === 0 ? "" : "ERRO "}${r.message}\n`);
    if (lag) await writeFile(values["lag-out"], JSON.stringify(lag.stop()) + "\n");
    return r.exitCode;
  } catch (e) {
    if (e instanceof ScriptError || e instanceof BundleError || e instanceof ScriptTransformError) throw new InputError(e.message);
    throw e;
  } finally {
    process.off("SIGINT", onSig);
    process.off("SIGTERM", onSig);
  }
}

function parse(argv: string[], options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: { ...options, help: { type: "boolean", short: "h" } } }) as {
      values: Record<string, any>;
      positionals: string[];
    };
  } catch (e) {
    throw new UsageError(`headroom k6: ${(e as Error).message}\n\n${HELP}`);
  }
}

export const k6Command: Command = {
  summary: "k6 scripts from scenarios: export, k6-operator manifests, run a script",
  async run(argv) {
    const [sub, ...rest] = argv;
    if (!sub || sub === "--help" || sub === "-h") {
      process.stdout.write(HELP + "\n");
      return sub ? 0 : 2;
    }
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(HELP + "\n");
      return 0;
    }
    switch (sub) {
      case "export":
        return exportCmd(rest);
      case "operator":
        return operatorCmd(rest);
      case "run":
        return runCmd(rest);
      default:
        throw new UsageError(`headroom k6: unknown subcommand '${sub}'\n\n${HELP}`);
    }
  },
};
