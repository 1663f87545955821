// `headroom load --segments N`: one test split between N load generator processes the way
// k6-operator splits it between pods (each gets an equal execution segment of one sequence), run
// here side by side, then merged into the results one generator would have written. Each part is a
// real separate process, `k6 run` or the built-in runner's `headroom k6 run`, with k6's own
// --execution-segment flags, so the split is the one a cluster would run.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { equalSegment, equalSequence } from "./runner/segment.ts";
import { mergeSegments, type SegmentPart } from "./merge-segments.ts";
import { K6_EXIT_CODES } from "./k6-exit-codes.ts";

const HEADROOM_BIN = fileURLToPath(new URL("../bin/headroom.mjs", import.meta.url));

/** The most generators one machine runs: each is a process with its own VU pool. */
export const MAX_SEGMENTS = 64;

export interface SegmentedRun {
  exitCode: number;
  message: string;
  parts: Array<SegmentPart & { exitCode: number }>;
  thresholds: Array<{ metric: string; threshold: string; ok: boolean }>;
  points: number;
}

export interface SegmentedOptions {
  segments: number;
  /** k6 binary, or null for the built-in runner */
  k6: string | null;
  scriptPath: string;
  targetBase: string;
  allowedOrigin: string;
  outDir: string;
  ndjsonPath: string;
  summaryPath: string;
  options: { thresholds?: unknown; summaryTrendStats?: string[] };
  maxRunMs: number;
  stderr?: NodeJS.WritableStream;
  signal?: AbortSignal;
  /** The environment that makes each generator trust the run's CA (trustEnv), when the target is https. */
  trust?: Record<string, string>;
}

/** Runs the N parts concurrently, waits for all, merges their results; a failed part fails the run. */
export async function runSegmented(o: SegmentedOptions): Promise<SegmentedRun> {
  const n = o.segments;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEGMENTS) throw new Error(`--segments expects a whole number from 1 to ${MAX_SEGMENTS}, got ${n}`);
  const sequence = equalSequence(n);
  const parts: Array<SegmentPart & { exitCode: number }> = [];
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGINT");
  };
  const bound = setTimeout(stop, o.maxRunMs);
  o.signal?.addEventListener("abort", stop);
  try {
    const runs = Array.from({ length: n }, async (_, i) => {
      const dir = join(o.outDir, "segments", String(i));
      await mkdir(dir, { recursive: true });
      const part = { ndjson: join(dir, "k6.ndjson"), summary: join(dir, "summary.json"), exitCode: 1 };
      await Promise.all([rm(part.ndjson, { force: true }), rm(part.summary, { force: true })]);
      parts[i] = part;
      const flags = [
        "--out", `json=${part.ndjson}`, `--summary-export=${part.summary}`, "-e", `TARGET=${o.targetBase}`,
        "--execution-segment", equalSegment(i, n), "--execution-segment-sequence", sequence,
      ];
      const [cmd, args] = o.k6
        ? [o.k6, ["run", "--quiet", ...flags, o.scriptPath]]
        : [process.execPath, [HEADROOM_BIN, "k6", "run", ...flags, "--allowed-origin", o.allowedOrigin, o.scriptPath]];
      const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], ...(o.trust ? { env: { ...process.env, ...o.trust } } : {}) });
      children.push(child);
      let tail = "";
      child.stderr!.on("data", (b: Buffer) => {
        tail = (tail + b.toString("utf8")).slice(-2000);
      });
      part.exitCode = await new Promise<number>((resolve, reject) => {
        child.once("error", reject);
        child.once("close", (c, sig) => resolve(c ?? (sig ? 105 : 1)));
      });
      if (part.exitCode !== 0 && part.exitCode !== 99) {
        const last = tail.trim().split("\n").slice(-4).map((l) => `    ${l}`).join("\n");
        o.stderr?.write(`segment ${i + 1}/${n} exited with code ${part.exitCode}${last ? `:\n${last}` : ""}\n`);
      }
    });
    await Promise.all(runs);
  } finally {
    clearTimeout(bound);
    o.signal?.removeEventListener("abort", stop);
    stop();
  }
  const failed = parts.find((p) => p.exitCode !== 0 && p.exitCode !== 99);
  const missing = parts.filter((p) => !existsSync(p.ndjson) || !existsSync(p.summary));
  if (failed || missing.length) {
    const code = failed?.exitCode ?? 1;
    const what = failed ? `a segment exited with code ${code} (${K6_EXIT_CODES[code] ?? "unknown exit code"})` : `${missing.length} segment(s) wrote no results`;
    // nothing is merged from an incomplete split: a partial merge would under-count the load
    return { exitCode: code, message: `${what}; the parts are in ${join(o.outDir, "segments")}, no merged result written`, parts, thresholds: [], points: 0 };
  }
  const merged = await mergeSegments(parts, o.options, o.ndjsonPath, o.summaryPath);
  const crossed = merged.thresholds.filter((t) => !t.ok);
  let message = crossed.length ? `thresholds on metrics '${[...new Set(crossed.map((t) => t.metric))].join("', '")}' have been crossed (judged on the merged results)` : "";
  if (merged.unjudged.length) message += `${message ? "; " : ""}thresholds not judged (no part defined their metric): ${merged.unjudged.join(", ")}`;
  return { exitCode: crossed.length ? 99 : 0, message, parts, thresholds: merged.thresholds, points: merged.points };
}
