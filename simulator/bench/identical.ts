// `npm run check:identical`: proves a refactoring of the simulator changed no output. Every bundled,
// validation and fixture scenario (scenarios/**/*.yaml and the YAML fixtures under
// dashboard/e2e, fit, validation and simulator/tests), and every scenario the simulator's own tests
// simulate (captured from their inline YAML into identical-tests.json), runs the path
// `headroom simulate --json` takes: parse, simulate with the scenario's seed, embed the YAML,
// JSON with two-space indent. The SHA-256 of that text is the scenario's fingerprint. The analytic
// estimate (`headroom simulate --analytic --json -`) is fingerprinted too, as "<name> [analytic]".
//
//   --save FILE      write the fingerprints (the reference, from the tree before a change)
//   --against FILE   compare; exit 1 naming every scenario whose output differs or is missing
//   --only TEXT      run only the scenarios whose name contains TEXT
//
// Run sizes: the files run at their own sizes except one-million-users, cut to 60 simulated
// seconds and 1 replication (its own 10 minutes x 5 take minutes); the captured test scenarios
// (theory tests run 10-24 long replications) run at most 2 replications and at most about 200k
// expected events each (duration shortened, warm-up kept at its share). Those sizes are part of the
// reference: change them and save a new one from the unchanged engine.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { parseScenario, simulate, withScenarioText, type Scenario, type SimulateOptions } from "../index.ts";
import { expectedEvents, runWindow } from "../model/run-size.ts";
import { solveAnalytic } from "../analytic/index.ts";

const root = join(import.meta.dirname, "..", "..");
const FILE_DIRS = ["scenarios", "dashboard/e2e/fixtures", "fit/fixtures", "validation/fixtures", "simulator/tests"];
const TEST_CORPUS = join(import.meta.dirname, "identical-tests.json");
/** Per captured test scenario: at most this many replications and about this many expected events. */
const TEST_REPLICATIONS = 2;
const TEST_EVENTS = 200_000;
const SHORTENED: Record<string, SimulateOptions> = { "scenarios/one-million-users.yaml": { duration: 60, warmup: 10, replications: 1 } };

interface Case { readonly name: string; readonly yaml: string; readonly sizing: "own" | "test" }

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (entry.endsWith(".yaml") || entry.endsWith(".yml")) out.push(p);
  }
  return out;
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const d of FILE_DIRS) {
    for (const f of yamlFiles(join(root, d))) out.push({ name: relative(root, f), yaml: readFileSync(f, "utf8"), sizing: "own" });
  }
  const corpus = JSON.parse(readFileSync(TEST_CORPUS, "utf8")) as { scenarios: Record<string, string> };
  for (const [name, yaml] of Object.entries(corpus.scenarios)) out.push({ name, yaml, sizing: "test" });
  return out;
}

function options(c: Case, s: Scenario): SimulateOptions {
  if (c.sizing === "own") return SHORTENED[c.name] ?? {};
  const w = runWindow(s);
  const replications = Math.min(w.replications, TEST_REPLICATIONS);
  const events = expectedEvents(s, { replications });
  if (events <= TEST_EVENTS) return { replications };
  const scale = TEST_EVENTS / events;
  // Whole milliseconds, so the shortened window reads the same on every machine.
  const duration = Math.max(Math.round(w.duration * scale * 1000) / 1000, 0.001);
  return { replications, duration, warmup: Math.round((w.warmup / w.duration) * duration * 1000) / 1000 };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The SHA-256 of what `headroom simulate --analytic --json -` would write, or of its error. */
function analyticFingerprint(c: Case): string {
  const parsed = parseScenario(c.yaml, c.name);
  if (!parsed.ok) throw new Error(`${c.name}: does not parse`);
  try {
    return sha256(JSON.stringify(solveAnalytic(parsed.scenario), null, 2) + "\n");
  } catch (e) {
    return sha256(`error: ${(e as Error).message}`);
  }
}

/** The SHA-256 of what `headroom simulate --json` would write for this scenario, or of its error. */
function fingerprint(c: Case): { hash: string; events: number } {
  const parsed = parseScenario(c.yaml, c.name);
  if (!parsed.ok) throw new Error(`${c.name}: does not parse: ${parsed.errors.map((e) => `${e.line}:${e.column} ${e.path} ${e.message}`).join("; ")}`);
  let text: string;
  let events = 0;
  try {
    const result = withScenarioText(simulate(parsed.scenario, options(c, parsed.scenario)), c.yaml);
    events = result.run.events;
    text = JSON.stringify(result, null, 2) + "\n";
  } catch (e) {
    // A scenario the engine refuses (UnsupportedError) is part of the behaviour too.
    text = `error: ${(e as Error).message}`;
  }
  return { hash: sha256(text), events };
}

function main(): number {
  const { values } = parseArgs({ options: { save: { type: "string" }, against: { type: "string" }, only: { type: "string" } } });
  const all = cases().filter((c) => values.only === undefined || c.name.includes(values.only));
  const hashes: Record<string, string> = {};
  const started = performance.now();
  for (const c of all) {
    const t0 = performance.now();
    const { hash, events } = fingerprint(c);
    hashes[c.name] = hash;
    hashes[`${c.name} [analytic]`] = analyticFingerprint(c);
    process.stderr.write(`${hash.slice(0, 12)}  ${((performance.now() - t0) / 1000).toFixed(2).padStart(6)} s  ${String(events).padStart(10)} events  ${c.name}\n`);
  }
  process.stderr.write(`${all.length} scenarios in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (values.save) {
    writeFileSync(values.save, JSON.stringify({ scenarios: hashes }, null, 2) + "\n");
    process.stderr.write(`saved ${values.save}\n`);
  }
  if (values.against) {
    const ref = (JSON.parse(readFileSync(values.against, "utf8")) as { scenarios: Record<string, string> }).scenarios;
    const names = values.only === undefined ? Object.keys(ref) : Object.keys(ref).filter((n) => n.includes(values.only!));
    const differ = names.filter((n) => hashes[n] !== ref[n]);
    const added = Object.keys(hashes).filter((n) => !(n in ref));
    for (const n of differ) process.stdout.write(`${n in hashes ? "DIFFERS" : "MISSING"}  ${n}\n`);
    for (const n of added) process.stdout.write(`NEW (not in the reference)  ${n}\n`);
    if (differ.length > 0) {
      process.stdout.write(`${differ.length} of ${names.length} scenarios differ from ${values.against}\n`);
      return 1;
    }
    process.stdout.write(`all ${names.length} scenarios byte-identical to ${values.against}\n`);
  }
  return 0;
}

process.exitCode = main();
