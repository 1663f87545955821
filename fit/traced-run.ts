// One traced run of the reference app, for the fit's end-to-end test and for making fixtures: start
// the scenario's app with tracing to a file, drive it with `headroom load` (the built-in runner) for
// a while, read the cache's hits and misses from Redis before and after, stop the app (its processes
// flush their last spans), and hand back the trace file and the counts. Node-only. Trades away
// k6 (the built-in runner is always there) and the warm-up: the first requests are traced too.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { startAppPromise } from "../reference-app/launcher.ts";

const REPO = fileURLToPath(new URL("..", import.meta.url));

export interface TracedRun {
  readonly traces: string;
  /** Redis GET hits and misses during the load. */
  readonly hits: number;
  readonly misses: number;
  /** Exit code of `headroom load`. */
  readonly loadExit: number;
}

function run(cmd: string, args: string[], log: (s: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    p.stdout.on("data", (d: Buffer) => log(d.toString()));
    p.stderr.on("data", (d: Buffer) => log(d.toString()));
    p.on("error", reject);
    p.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export async function tracedRun(scenarioFile: string, dir: string, duration: string, log: (s: string) => void = () => {}): Promise<TracedRun> {
  const scenario = await loadScenarioFile(scenarioFile);
  const traces = join(dir, "traces.otlp.jsonl");
  const { app, stop } = await startAppPromise(scenario as never, { file: scenarioFile, traces, onProgress: (p) => log(`${p}\n`) });
  let before, after, loadExit: number;
  try {
    before = (await app.sample()).cache;
    loadExit = await run(process.execPath, [join(REPO, "bin/headroom.mjs"), "load", scenarioFile, "--target", app.url, "--duration", duration, "--engine", "built-in", "--out", join(dir, "load")], log);
    after = (await app.sample()).cache;
  } finally {
    await stop();
  }
  return { traces, hits: (after?.hits ?? 0) - (before?.hits ?? 0), misses: (after?.misses ?? 0) - (before?.misses ?? 0), loadExit };
}
