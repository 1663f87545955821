// Child process of the fuzz runner: takes hostile documents over IPC, runs each through the loader
// (parse and checks) and, when it loads, a bounded simulation (one replication of at most 5 simulated
// seconds and 100k events), and answers how it ended. Runs in its own process so that a hang can be
// killed and a runaway allocation hits this process's memory limit, not the runner's.
import { parseScenario, runSizeProblem, runWindow, UnsupportedError, type ScenarioError } from "../../index.ts";
import { compile } from "../../engine/program.ts";
import { runReplication } from "../../engine/simulation.ts";
import { buildResult } from "../../result.ts";

export const FUZZ_FILE = "fuzz.yaml";
const MAX_SIMULATED_SECONDS = 5;
const MAX_EVENTS = 100_000;

export type DocumentOutcome =
  | { readonly kind: "simulated" }
  | { readonly kind: "refused" }
  | { readonly kind: "unlocated"; readonly stage: string; readonly message: string }
  | { readonly kind: "crash"; readonly stage: string; readonly message: string };

/** Why `e` is not a located error of `text`, or undefined when it is one. */
export function unlocated(e: ScenarioError, _text: string, lines: number): string | undefined {
  if (e.file !== FUZZ_FILE) return `file is ${JSON.stringify(e.file)}`;
  if (!Number.isInteger(e.line) || e.line < 1 || e.line > lines) return `line ${e.line} outside 1..${lines}`;
  if (!Number.isInteger(e.column) || e.column < 1) return `column ${e.column}`;
  if (typeof e.message !== "string" || e.message.length < 4) return "no message";
  if (/\n\s+at .*:\d+:\d+/.test(e.message)) return "a stack trace in the message";
  return undefined;
}

export function runDocument(text: string): DocumentOutcome {
  let stage = "parse";
  try {
    const r = parseScenario(text, FUZZ_FILE);
    if (!r.ok) {
      const lines = text.split("\n").length;
      for (const e of r.errors) {
        const why = unlocated(e, text, lines);
        if (why) return { kind: "unlocated", stage, message: `${why}: ${e.line}:${e.column} ${e.path}: ${e.message}` };
      }
      return { kind: "refused" };
    }
    stage = "compile";
    const scenario = r.scenario;
    const bounded = { duration: Math.min(runWindow(scenario).duration, MAX_SIMULATED_SECONDS), replications: 1 };
    // as every CLI command does before it simulates: a run past the event or memory budget is refused
    // up front with its estimate (a message naming the file, no line: the size is the whole file's)
    if (runSizeProblem(scenario, bounded) !== undefined) return { kind: "refused" };
    const w = runWindow(scenario, bounded);
    const program = compile(scenario);
    stage = "simulate";
    const rep = runReplication(program, scenario, {
      seed: w.seed, replication: 0, duration: w.duration, warmup: w.warmup, interval: w.interval, series: true, maxEvents: MAX_EVENTS,
    });
    stage = "result";
    buildResult(scenario, program, [rep], w);
    return { kind: "simulated" };
  } catch (e) {
    // The CLI turns UnsupportedError into a message naming the file but no line: clean, yet unlocated.
    if (e instanceof UnsupportedError) return { kind: "unlocated", stage, message: `UnsupportedError: ${e.message}` };
    const err = e instanceof Error ? e : new Error(String(e));
    const frame = err.stack?.split("\n").find((l) => /^\s+at /.test(l))?.trim() ?? "";
    return { kind: "crash", stage, message: `${err.name}: ${err.message.split("\n")[0]}${frame ? ` (${frame})` : ""}` };
  }
}

// Only when started by the runner (vitest's own workers also have an IPC channel).
if (process.env.HEADROOM_FUZZ_WORKER === "1" && typeof process.send === "function") {
  process.on("message", (m: { index: number; text: string }) => {
    process.send!({ index: m.index, outcome: runDocument(m.text) });
  });
  process.send({ ready: true });
}
