// Test helper: writes a k6 script to a temp dir, runs it with the built-in runner against a local
// target, and returns the result with its NDJSON and summary-export outputs read back; cleans up.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { runK6Script, type RunConfig, type RunResult } from "../runner/engine.ts";
import { readNdjson, readSummaryExport, type K6Results } from "../ingest/ingest.ts";

export interface ScriptRun extends RunResult {
  ndjson: K6Results;
  exported: K6Results;
  stderr: string;
  /** The NDJSON's Point lines, for tests that look at single samples. */
  points: Array<{ metric: string; time: string; value: number; tags: Record<string, string> | null }>;
}

export async function runScript(source: string, cfg: Partial<RunConfig> & { env?: Record<string, string> } = {}): Promise<ScriptRun> {
  const dir = await mkdtemp(join(tmpdir(), "k6run-"));
  let err = "";
  const stderr = new Writable({
    write(chunk, _enc, cb) {
      err += String(chunk);
      cb();
    },
  });
  try {
    const script = join(dir, "script.js");
    await writeFile(script, source);
    const result = await runK6Script({
      script,
      jsonOut: join(dir, "out.json"),
      summaryExport: join(dir, "summary.json"),
      stderr,
      maxRunMs: 60_000,
      ...cfg,
    });
    const points = (await readFile(join(dir, "out.json"), "utf8"))
      .split("\n")
      .filter((l) => l.includes('"type":"Point"'))
      .map((l) => {
        const o = JSON.parse(l) as { metric: string; data: { time: string; value: number; tags: Record<string, string> | null } };
        return { metric: o.metric, ...o.data };
      });
    return { ...result, ndjson: await readNdjson(join(dir, "out.json")), exported: await readSummaryExport(join(dir, "summary.json")), stderr: err, points };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
