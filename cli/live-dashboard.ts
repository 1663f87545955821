// `--dashboard` on `headroom load` and `headroom validate`: starts the live dashboard server
// (dashboard/live-server.ts), prints its URL, and publishes the run on it as it goes: each load
// run's prediction, its measured seconds (from the harness's onInterval, i.e. the run's own
// NDJSON), its summary (the k6 summary export the CLI prints, per class from the NDJSON) and the
// end. The server closes when the command ends, or with --dashboard-keep on the next Ctrl-C.
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { buildDashboard, DASHBOARD_DIR, DEFAULT_DIST, NotBuiltError } from "../dashboard/server.ts";
import { startLiveServer, type LiveServer } from "../dashboard/live-server.ts";
import type { LiveDone, LiveInterval, LivePhase, LivePhaseEnd, LiveSummary } from "../dashboard/src/live-protocol.ts";
import type { MeasuredInterval } from "../k6/ingest/intervals.ts";
import { runSizeProblem, simulate, type Scenario, type SimResult } from "../simulator/index.ts";
import { InputError, UsageError } from "../shared/errors.ts";

export const DASHBOARD_FLAGS = {
  dashboard: { type: "boolean" },
  "dashboard-port": { type: "string" },
  "dashboard-keep": { type: "boolean" },
} as const;

export const DASHBOARD_HELP =
  `  --dashboard         watch the run live: serve the dashboard on 127.0.0.1 (URL printed, with a
                      per-run token; other requests get 403) and stream the measured seconds onto
                      the predicted charts (server-sent events); the server closes when the
                      command ends. Builds the dashboard first when dashboard/dist is missing or
                      older than dashboard/src (env HEADROOM_DASHBOARD_DIST=DIR: serve that build)
  --dashboard-port N  port of that server (default: a free one)
  --dashboard-keep    keep serving the finished run after the command ends, until Ctrl-C`;

export interface DashboardFlags {
  dashboard?: boolean;
  "dashboard-port"?: string;
  "dashboard-keep"?: boolean;
}

/** Checks the flags' combination; the port, or null without --dashboard. */
export function dashboardPort(command: string, v: DashboardFlags): number | null {
  if (!v.dashboard) {
    const stray = (["dashboard-port", "dashboard-keep"] as const).find((f) => v[f] !== undefined);
    if (stray) throw new UsageError(`headroom ${command}: --${stray} goes with --dashboard`);
    return null;
  }
  const text = v["dashboard-port"] ?? "0";
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`headroom ${command}: --dashboard-port expects a port number 0-65535, got '${text}'`);
  return port;
}

/** The newest modification time under dir (ms), its files recursively. */
async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
  }
  return t;
}

/** The built dashboard to serve: HEADROOM_DASHBOARD_DIST as it is, else dashboard/dist, (re)built when missing or older than dashboard/src. */
async function builtDashboard(stderr: NodeJS.WritableStream): Promise<string> {
  const given = process.env.HEADROOM_DASHBOARD_DIST;
  if (given) return given;
  const built = await stat(join(DEFAULT_DIST, "index.html")).then((s) => s.mtimeMs, () => -1);
  if (built < 0 || built < (await newest(join(DASHBOARD_DIR, "src")))) {
    stderr.write("building the dashboard…\n");
    await buildDashboard(DEFAULT_DIST, true);
  }
  return DEFAULT_DIST;
}

export class LiveDashboard {
  private phases = 0;
  private constructor(private readonly server: LiveServer, private readonly command: "load" | "validate", private readonly keep: boolean) {}

  static async start(command: "load" | "validate", port: number, keep: boolean, stderr: NodeJS.WritableStream): Promise<LiveDashboard> {
    const dist = await builtDashboard(stderr);
    const server = await startLiveServer(dist, port).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") throw new UsageError(`headroom ${command}: --dashboard-port ${port} is in use; pick another, or leave it out for a free one`);
      if (e.code === "EACCES") throw new UsageError(`headroom ${command}: no permission to listen on port ${port}; pick a port above 1023`);
      if (e instanceof NotBuiltError) throw new InputError(`headroom ${command}: ${e.message}`);
      throw e;
    });
    stderr.write(`live dashboard: ${server.url}\n`);
    return new LiveDashboard(server, command, keep);
  }

  get url(): string {
    return this.server.url;
  }

  /** Starts a load run's phase; returns its index and the callback for its measured intervals. */
  phase(p: Omit<LivePhase, "index" | "command">): { index: number; onInterval: (iv: MeasuredInterval) => void } {
    const index = this.phases++;
    this.server.channel.publish("phase", { ...p, index, command: this.command } satisfies LivePhase);
    return { index, onInterval: (iv) => this.server.channel.publish("interval", { ...iv, phase: index } satisfies LiveInterval) };
  }

  phaseEnd(e: LivePhaseEnd): void {
    this.server.channel.publish("phase-end", e);
  }

  /** Publishes the end; with --dashboard-keep waits for Ctrl-C (SIGINT/SIGTERM); then closes the server. */
  async finish(done: LiveDone, stderr: NodeJS.WritableStream): Promise<void> {
    this.server.channel.publish("done", done);
    try {
      if (this.keep && done.status !== "stopped") {
        stderr.write(`live dashboard: still serving ${this.server.url} (Ctrl-C to stop)\n`);
        await new Promise<void>((ok) => {
          const stop = () => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            ok();
          };
          process.on("SIGINT", stop);
          process.on("SIGTERM", stop);
        });
      }
    } finally {
      await this.server.close();
    }
  }

  /** Closes at once (an error path). */
  close(): Promise<void> {
    return this.server.close();
  }
}

/**
 * The prediction drawn under the measurement: the scenario simulated for the load's length, with
 * no warm-up cut (the measured series start at the first request too). Null, with the reason, when
 * it is over the default run budget or the simulator refuses it.
 */
export function predictLoad(scenario: Scenario, durationS: number): { predicted: SimResult | null; note?: string } {
  const window = { duration: durationS, warmup: 0 };
  const problem = runSizeProblem(scenario, window, {}, "the prediction");
  if (problem) return { predicted: null, note: problem };
  try {
    return { predicted: simulate(scenario, window) };
  } catch (e) {
    return { predicted: null, note: `no prediction: ${(e as Error).message}` };
  }
}

/** A finished load run's figures: totals from its summary export (what the CLI prints), per class from its NDJSON. */
export async function loadSummary(run: { engine: string; exitCode: number; ndjsonPath: string; summaryPath: string; arrivals?: LiveSummary["arrivals"] }): Promise<LiveSummary | null> {
  const { readNdjson, readSummaryExport } = await import("../k6/ingest/ingest.ts");
  let totals;
  let perClass;
  try {
    totals = (await readSummaryExport(run.summaryPath)).metrics;
    perClass = (await readNdjson(run.ndjsonPath)).classes ?? {};
  } catch {
    return null;
  }
  const d = totals.http_req_duration?.values;
  const classes: LiveSummary["classes"] = {};
  for (const [name, c] of Object.entries(perClass)) classes[name] = { requests: c.requests, failed: c.failed, p50Ms: c.latency.med, p95Ms: c.latency.p95, p99Ms: c.latency.p99 };
  return {
    engine: run.engine,
    exitCode: run.exitCode,
    requests: totals.http_reqs?.values.count ?? 0,
    requestsPerSecond: totals.http_reqs?.values.rate ?? 0,
    latency: d ? { avg: d.avg, med: d.med, p95: d["p(95)"], max: d.max } : null,
    failedShare: totals.http_req_failed?.values.rate ?? null,
    ...(run.arrivals ? { arrivals: run.arrivals } : {}),
    classes,
  };
}
