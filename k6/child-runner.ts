// The built-in runner in a process of its own (`headroom k6 run`), for a caller whose own event loop
// is busy with other work while the load runs: `validate` scrapes every process's /metrics every
// 250 ms, and with the generator on the same loop that scraping delayed the sends and the client's
// timing (validation/tail-probe.ts: client p95 +40% over the service's own in-process, +16% with the
// generator in a child). The child writes the same NDJSON and summary files the in-process runner
// does (the NDJSON tails of harness.ts read them unchanged) and its own event-loop lag (--lag-out),
// which is the generator's starvation figure. Trade-off: a second Node process's start-up (about a
// second, before the load's first sample, so outside the measured window) and its memory.
import { spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { K6_EXIT_CODES } from "./k6-exit-codes.ts";
import { keepStderrTail } from "./stderr-tail.ts";
import { waitForChild } from "./child-exit.ts";

/** A process's event-loop lag beyond the timer period, ms (validation/starvation.ts's startLagProbe). */
export interface LoopLag {
  mean: number;
  p99: number;
  max: number;
}

const HEADROOM_BIN = fileURLToPath(new URL("../bin/headroom.mjs", import.meta.url));

export interface ChildRunOptions {
  scriptPath: string;
  ndjsonPath: string;
  summaryPath: string;
  /** -e KEY=VALUE for the script (TARGET and the regions' entries) */
  env: Record<string, string>;
  /** the origins the script may send to (--allowed-origin) */
  allowedOrigins: string[];
  /** where the child writes its event-loop lag */
  lagPath: string;
  /** environment for the child on top of this one's (trustEnv of the run's CA) */
  processEnv?: Record<string, string>;
  maxRunMs: number;
  signal?: AbortSignal;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export interface ChildRun {
  exitCode: number;
  message: string;
  /** the child's event-loop lag over its run; absent when it wrote none (it failed before the end) */
  loopLag?: LoopLag;
}

export async function runBuiltInChild(o: ChildRunOptions): Promise<ChildRun> {
  await rm(o.lagPath, { force: true });
  const args = [
    HEADROOM_BIN, "k6", "run", "--out", `json=${o.ndjsonPath}`, `--summary-export=${o.summaryPath}`, "--lag-out", o.lagPath,
    ...Object.entries(o.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    ...o.allowedOrigins.flatMap((x) => ["--allowed-origin", x]),
    o.scriptPath,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", o.stdout ? "pipe" : "ignore", "pipe"], env: { ...process.env, ...o.processEnv } });
  if (o.stdout) child.stdout!.pipe(o.stdout, { end: false });
  const tail = keepStderrTail(child.stderr!, o.stderr);
  const exitCode = await waitForChild(child, o.maxRunMs, o.signal);
  let loopLag: LoopLag | undefined;
  try {
    loopLag = JSON.parse(await readFile(o.lagPath, "utf8")) as LoopLag;
  } catch {
    loopLag = undefined;
  }
  // the runner's own last line is its message (`ERRO ...` on a failure), as runK6Script returns it in-process
  const last = tail.length ? tail[tail.length - 1]!.replace(/^ERRO /, "") : "";
  let message = exitCode === 0 ? "" : exitCode === 99 ? last || "thresholds crossed" : "";
  if (exitCode !== 0 && exitCode !== 99) {
    const what = K6_EXIT_CODES[exitCode] ?? "unknown exit code";
    message = `the built-in runner's process exited with code ${exitCode} (${what})` + (tail.length ? `; its last stderr lines:\n${tail.map((l) => `  ${l}`).join("\n")}` : "; it wrote nothing to stderr");
  }
  return { exitCode, message, ...(loopLag ? { loopLag } : {}) };
}
