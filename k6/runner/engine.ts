// Runs one k6 test in-process, in k6's order: init (VU 0 reads options), setup, the scenarios side by
// side, teardown, thresholds, summary. Owns the VU pool, the periodic vus/vus_max samples and the
// abortOnFail checks; releases every connection and timer when done, also on abort.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { runInThisContext } from "node:vm";
import { bundleScript, type BundleOptions } from "./bundle.ts";
import { transformBundle } from "./transform.ts";
import { Registry, anchorClock, defineBuiltins, epochMs, type BuiltinMetrics, type Tags } from "./metrics.ts";
import { normalizeOptions, type RunOptions } from "./options.ts";
import { parseThresholds, evaluateThresholds, type Threshold } from "./thresholds.ts";
import { ScenarioRun } from "./executors.ts";
import { Vu, InterruptError, TestAbortError, type ScriptFactory } from "./vu.ts";
import { NdjsonOutput } from "./output/ndjson.ts";
import { GroupTree, summaryData, legacySummaryExport, textSummary, runStatsLine, type SummaryData } from "./output/summary.ts";
import { writeFile } from "node:fs/promises";
import { k6Console, type K6Console } from "./console.ts";

/** k6's exit codes that the runner can produce. */
export const EXIT = { OK: 0, THRESHOLDS_FAILED: 99, SETUP_TIMEOUT: 100, TEARDOWN_TIMEOUT: 101, INVALID_CONFIG: 104, EXTERNAL_ABORT: 105, SCRIPT_EXCEPTION: 107, SCRIPT_ABORTED: 108, MARKED_AS_FAILED: 110 } as const;

export interface RunConfig {
  /** The script file (.js or .ts); or pass `bundled` with already-bundled ESM source. */
  script: string;
  bundled?: string;
  bundleOptions?: BundleOptions;
  env?: Record<string, string>;
  /** --out json=FILE */
  jsonOut?: string;
  /** --summary-export=FILE */
  summaryExport?: string;
  /** Print the text summary here (default: nothing; the CLI passes process.stdout). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** Only these origins may receive requests (e.g. the --target), anything else is an error. */
  allowedOrigins?: string[];
  /** Hard bound on the whole run; the test is aborted (like Ctrl-C) when it is reached. */
  maxRunMs?: number;
  /** --vus / --duration / --execution-segment / --execution-segment-sequence, as on k6's command line. */
  overrides?: { vus?: number; duration?: string; executionSegment?: string; executionSegmentSequence?: string };
  /** Abort from outside (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * PEM file of the roots https requests trust, and the only ones (k6 reads SSL_CERT_FILE, as Go does
   * on Linux; so does this runner when this is unset): a reference-app run passes its CA.
   */
  caFile?: string;
}

export interface RunResult {
  exitCode: number;
  summary: SummaryData;
  thresholds: Array<{ metric: string; threshold: string; ok: boolean }>;
  message: string;
}

export class ScriptError extends Error {
  override readonly name = "ScriptError";
}

export class Engine {
  readonly metrics = new Registry();
  readonly builtins: BuiltinMetrics = defineBuiltins(this.metrics);
  readonly groups = new GroupTree();
  options: RunOptions | null = null;
  env: Record<string, string>;
  globalTags: Tags = {};
  running = false;
  inInit = false;
  aborted = false;
  abortReason = "";
  abortCode: number = EXIT.OK;
  /** exec.test.fail() was called: exit code 110 unless the test ends with another error first. */
  markedFailed = false;
  iterationsCompleted = 0;
  iterationsInterrupted = 0;
  iterationErrors = 0;
  private factory: ScriptFactory | null = null;
  private initVu: Vu | null = null;
  private pool: Vu[] = [];
  private allVus: Vu[] = [];
  private activeCount = 0;
  private startedAt = 0;
  private setupData: string | undefined;
  private thresholds: Threshold[] = [];
  private allowed: Set<string> | null;
  private errorLogBudget = 20;
  private requestErrorLog = { count: 0, last: 0 };
  private abortWaiters = new Set<() => void>();
  private readonly stderr: NodeJS.WritableStream;
  readonly open: (path: string, mode?: string) => unknown;
  /** The scripts' console: k6's log lines on stderr (console.ts). */
  readonly console: K6Console;

  /** The roots https requests trust (cfg.caFile, else SSL_CERT_FILE); undefined: Node's bundled ones. */
  readonly ca: Buffer | undefined;

  constructor(private readonly cfg: RunConfig) {
    anchorClock();
    const caFile = cfg.caFile ?? process.env.SSL_CERT_FILE;
    this.ca = caFile ? readFileSync(caFile) : undefined;
    this.env = { ...(cfg.env ?? {}) };
    this.allowed = cfg.allowedOrigins ? new Set(cfg.allowedOrigins.map((o) => new URL(o).origin)) : null;
    this.stderr = cfg.stderr ?? process.stderr;
    this.console = k6Console((line) => this.stderr.write(line));
    const base = dirname(resolve(cfg.script));
    this.open = (path: string, mode?: string) => {
      if (!this.inInit) throw new Error("open() can only be called in the init context");
      const buf = readFileSync(resolve(base, path));
      return mode === "b" ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf.toString("utf8");
    };
  }

  elapsedMs(): number {
    return this.startedAt ? performance.now() - this.startedAt : 0;
  }
  vusActive(): number {
    return this.activeCount;
  }
  vusInitialized(): number {
    return this.allVus.length;
  }

  assertAllowed(origin: string, url: string): void {
    if (this.allowed && !this.allowed.has(origin)) {
      throw new Error(`request to ${url} refused: this run may only send load to ${[...this.allowed].join(", ")}`);
    }
  }

  logRequestError(msg: string): void {
    const n = ++this.requestErrorLog.count;
    // k6 logs every failed request; at thousands per second we log the first ones and then a count
    if (n <= 5 || n % 1000 === 0) this.stderr.write(`WARN[runner] ${msg}${n > 5 ? ` (${n} failed requests so far)` : ""}\n`);
  }

  private logIterationError(e: unknown): void {
    this.iterationErrors++;
    if (this.errorLogBudget-- > 0) {
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      this.stderr.write(`ERRO[runner] ${msg.split("\n").slice(0, 4).join("\n")}\n`);
    }
  }

  /** Bundles and loads the script, runs the init context once (VU 0) and reads `options`. */
  async init(): Promise<void> {
    const code = this.cfg.bundled ?? (await bundleScript(this.cfg.script, this.cfg.bundleOptions));
    const { factorySource } = transformBundle(code, this.cfg.script);
    this.factory = runInThisContext(factorySource, { filename: `${this.cfg.script} (bundled)` }) as ScriptFactory;
    try {
      this.initVu = new Vu(this, 0, this.factory);
    } catch (e) {
      throw new ScriptError(`${this.cfg.script}: error in the init context: ${(e as Error).message}`);
    }
    const raw = this.initVu.instance.exports.options as Record<string, unknown> | undefined;
    try {
      this.options = normalizeOptions(raw, this.cfg.overrides);
      this.globalTags = { ...this.options.tags };
      this.thresholds = parseThresholds(this.metrics, this.options.thresholds);
      // k6 always tracks the duration of expected responses as a submetric (shown in its summary),
      // defined after the thresholds' submetrics as k6's metrics engine does
      this.builtins.http_req_duration.submetric("expected_response:true");
    } catch (e) {
      throw new ScriptError(`${this.cfg.script}: invalid options: ${(e as Error).message}`);
    }
    for (const s of this.options.scenarios) {
      if (typeof this.initVu.instance.exports[s.exec] !== "function") {
        throw new ScriptError(`${this.cfg.script}: scenario '${s.name}' executes '${s.exec}', which the script does not export as a function`);
      }
    }
  }

  private newVu(): Vu {
    const vu = new Vu(this, this.allVus.length + 1, this.factory!);
    vu.setupData = this.setupData === undefined ? undefined : JSON.parse(this.setupData);
    this.allVus.push(vu);
    return vu;
  }

  /**
   * A VU for a scenario. k6's `vus` gauge counts a looping executor's VUs from activation, and an
   * arrival-rate executor's VUs only while they run an iteration (its activeVUPool), so those
   * (`busyOnlyInIterations`) are counted by runIteration instead of here.
   */
  takeVu(busyOnlyInIterations = false): Vu {
    const vu = this.pool.pop() ?? this.newVu();
    vu.activeOnlyInIterations = busyOnlyInIterations;
    if (!busyOnlyInIterations) this.activeCount++;
    return vu;
  }

  releaseVu(vu: Vu): void {
    if (!vu.activeOnlyInIterations) this.activeCount--;
    vu.activeOnlyInIterations = false;
    vu.interrupted = false;
    this.pool.push(vu);
  }

  /** Waits up to ms, returning early when the test is aborted. */
  sleepUnlessAborted(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.abortWaiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.abortWaiters.add(done);
    });
  }

  markFailed(reason: string): void {
    this.markedFailed = true;
    this.stderr.write(`ERRO[runner] ${reason}\n`);
  }

  abort(reason: string, code: number): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.abortCode = code;
    for (const w of [...this.abortWaiters]) w();
    for (const vu of this.allVus) vu.interrupt();
  }

  /** One iteration of `exec` on a VU, with k6's iteration samples; errors are logged and counted. */
  async runIteration(vu: Vu, scenario: ScenarioRun, iterInScenario: number): Promise<void> {
    vu.beginIteration(scenario, iterInScenario);
    const fn = vu.instance.exports[scenario.config.exec] as (data: unknown) => unknown;
    const t0 = performance.now();
    const before = vu.transport.bytes();
    // an arrival-rate VU counts in `vus` only while it runs the iteration (see takeVu)
    const busy = vu.activeOnlyInIterations;
    if (busy) this.activeCount++;
    try {
      await fn(vu.setupData);
    } catch (e) {
      if (e instanceof TestAbortError && !vu.interrupted) {
        this.abort(e.message, EXIT.SCRIPT_ABORTED);
        return;
      }
      if (!(e instanceof InterruptError) && !vu.interrupted) this.logIterationError(e);
    } finally {
      if (busy) this.activeCount--;
    }
    vu.iterInInstance++;
    const after = vu.transport.bytes();
    vu.groupPath = "";
    const tags = vu.tags();
    const time = epochMs();
    const reg = this.metrics;
    // as k6's GetTrail: every iteration, full or cut, reports its bytes; only a full one reports
    // iteration_duration and iterations
    reg.push(this.builtins.data_sent, after.written - before.written, tags, time);
    reg.push(this.builtins.data_received, after.read - before.read, tags, time);
    // cut by the end of gracefulStop/gracefulRampDown or an abort, even when the script caught the interrupt
    if (vu.interrupted) {
      this.iterationsInterrupted++;
      reg.push(this.builtins.interrupted_iterations, 1, tags, time);
      return;
    }
    this.iterationsCompleted++;
    reg.push(this.builtins.iteration_duration, performance.now() - t0, tags, time);
    reg.push(this.builtins.iterations, 1, tags, time);
  }

  private async runLifecycle(name: "setup" | "teardown", arg: unknown, timeoutMs: number): Promise<unknown> {
    const fn = this.initVu!.instance.exports[name];
    if (typeof fn !== "function") return undefined;
    const vu = this.initVu!;
    const fake = { config: { name, tags: {} }, startedAtEpochMs: Date.now(), progress: () => 0 } as unknown as ScenarioRun;
    vu.beginIteration(fake, 0);
    vu.iterTags = vu.baseTags = { ...this.globalTags, group: `::${name}` };
    vu.groupPath = `::${name}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        Promise.resolve(fn.call(undefined, arg)),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${name}() execution timed out after ${timeoutMs / 1000}s`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private sampleVus(): void {
    const t = epochMs();
    this.metrics.push(this.builtins.vus, this.activeCount, { ...this.globalTags }, t);
    this.metrics.push(this.builtins.vus_max, this.allVus.length, { ...this.globalTags }, t);
  }

  async run(): Promise<RunResult> {
    if (!this.options) await this.init();
    const opts = this.options!;
    const ndjson = this.cfg.jsonOut ? new NdjsonOutput(this.cfg.jsonOut) : null;
    this.metrics.setListener(ndjson);
    let exitCode: number = EXIT.OK;
    let message = "";
    const timers: NodeJS.Timeout[] = [];
    const onSignal = () => this.abort("test run aborted by signal", EXIT.EXTERNAL_ABORT);
    this.cfg.signal?.addEventListener("abort", onSignal);
    try {
      // pre-initialize the VUs the scenarios start with, as k6 does before the test starts
      const initial = opts.scenarios.reduce((a, s) => {
        if (s.executor.endsWith("arrival-rate")) return a + s.preAllocatedVUs;
        if (s.executor === "ramping-vus") return a + Math.max(s.startVUs, ...s.stages.map((st) => st.target));
        return a + s.vus;
      }, 0);
      this.running = true;
      this.startedAt = performance.now();
      try {
        const data = await this.runLifecycle("setup", undefined, opts.setupTimeoutMs);
        this.setupData = data === undefined ? undefined : JSON.stringify(data);
      } catch (e) {
        if (e instanceof TestAbortError) throw Object.assign(new ScriptError(e.message), { code: EXIT.SCRIPT_ABORTED });
        throw Object.assign(new ScriptError(`setup() failed: ${(e as Error).message}`), { code: /timed out/.test((e as Error).message) ? EXIT.SETUP_TIMEOUT : EXIT.SCRIPT_EXCEPTION });
      }
      for (let i = 0; i < initial; i++) this.pool.push(this.newVu());
      this.pool.reverse();
      // k6 samples vus and vus_max on a 1 s ticker only: nothing at the start or the end of the test
      timers.push(setInterval(() => this.sampleVus(), 1000));
      // evaluating sorts every trend, so it runs during the test only when a threshold can abort it
      if (this.thresholds.some((t) => t.abortOnFail)) {
        timers.push(
          setInterval(() => {
            const failing = evaluateThresholds(this.thresholds, this.elapsedMs() / 1000, true);
            if (failing) this.abort(`thresholds on metrics '${failing.metricName}' were crossed; at least one has abortOnFail enabled, stopping test prematurely`, EXIT.THRESHOLDS_FAILED);
          }, 2000),
        );
      }
      if (this.cfg.maxRunMs) timers.push(setTimeout(() => this.abort(`run exceeded its bound of ${this.cfg.maxRunMs! / 1000}s`, EXIT.EXTERNAL_ABORT), this.cfg.maxRunMs));
      const runs = opts.scenarios.map((s) => new ScenarioRun(this, s));
      await Promise.all(runs.map((r) => r.run()));
      for (const t of timers) clearInterval(t);
      if (this.abortCode !== EXIT.EXTERNAL_ABORT) {
        try {
          await this.runLifecycle("teardown", this.setupData === undefined ? undefined : JSON.parse(this.setupData), opts.teardownTimeoutMs);
        } catch (e) {
          exitCode = /timed out/.test((e as Error).message) ? EXIT.TEARDOWN_TIMEOUT : EXIT.SCRIPT_EXCEPTION;
          message = `teardown() failed: ${(e as Error).message}`;
        }
      }
    } catch (e) {
      const err = e as Error & { code?: number };
      exitCode = err.code ?? EXIT.SCRIPT_EXCEPTION;
      message = err.message;
    } finally {
      for (const t of timers) clearInterval(t);
      this.cfg.signal?.removeEventListener("abort", onSignal);
      this.running = false;
      await Promise.all([...this.allVus, ...(this.initVu ? [this.initVu] : [])].map((v) => v.transport.close()));
    }
    const durationMs = this.elapsedMs();
    evaluateThresholds(this.thresholds, durationMs / 1000);
    const summary = summaryData(this.metrics, this.thresholds, this.groups, opts.summaryTrendStats, durationMs);
    if (ndjson) await ndjson.close();
    if (this.cfg.summaryExport) await writeFile(this.cfg.summaryExport, legacySummaryExport(summary));
    this.cfg.stdout?.write(runStatsLine(durationMs, this.activeCount, this.allVus.length, this.iterationsCompleted, this.iterationsInterrupted));
    await this.handleSummary(summary);
    const failed = this.thresholds.filter((t) => !t.ok);
    if (this.aborted && exitCode === EXIT.OK) {
      exitCode = this.abortCode;
      message = this.abortReason;
    }
    // k6 checks the mark after the run and before its thresholds, so 110 wins over 99
    if (this.markedFailed && exitCode === EXIT.OK) {
      exitCode = EXIT.MARKED_AS_FAILED;
      message = "test run was marked as failed";
    }
    if (failed.length && (exitCode === EXIT.OK || exitCode === EXIT.THRESHOLDS_FAILED)) {
      exitCode = EXIT.THRESHOLDS_FAILED;
      message ||= `thresholds on metrics '${[...new Set(failed.map((t) => t.metricName))].join("', '")}' have been crossed`;
    }
    return {
      exitCode,
      summary,
      thresholds: this.thresholds.map((t) => ({ metric: t.metricName, threshold: t.source, ok: t.ok })),
      message,
    };
  }

  private async handleSummary(summary: SummaryData): Promise<void> {
    const fn = this.initVu?.instance.exports.handleSummary;
    if (typeof fn !== "function") {
      this.cfg.stdout?.write(textSummary(summary));
      return;
    }
    const out = (await fn(JSON.parse(JSON.stringify(summary)))) as Record<string, string | ArrayBuffer> | undefined;
    for (const [dest, content] of Object.entries(out ?? {})) {
      const text = typeof content === "string" ? content : Buffer.from(content);
      if (dest === "stdout") this.cfg.stdout?.write(text);
      else if (dest === "stderr") this.stderr.write(text);
      else await writeFile(resolve(dest), text);
    }
  }
}

/** Runs a k6 script with the built-in runner. */
export async function runK6Script(cfg: RunConfig): Promise<RunResult> {
  const engine = new Engine(cfg);
  try {
    await engine.init();
  } catch (e) {
    throw e instanceof ScriptError ? e : new ScriptError((e as Error).message);
  }
  return engine.run();
}
