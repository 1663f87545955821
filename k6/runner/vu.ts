// One virtual user: its own instance of the script (module state, __VU, __ITER, like k6's per-VU JS
// runtime), its own connections, and the iteration loop's bookkeeping (group, tags, interruption).
import type { Engine } from "./engine.ts";
import type { ScenarioRun } from "./executors.ts";
import { VuTransport } from "./http-client.ts";
import { makeRequire } from "./modules/index.ts";
import type { Tags } from "./metrics.ts";

export interface ScriptInstance {
  exports: Record<string, unknown>;
  setIter(i: number): void;
}
export type ScriptFactory = (
  require: (m: string) => unknown,
  env: Record<string, string>,
  vu: number,
  open: (path: string, mode?: string) => unknown,
) => ScriptInstance;

/** Thrown into a VU's blocking calls once it has been interrupted (gracefulStop/rampDown expired). */
export class InterruptError extends Error {
  override readonly name = "InterruptError";
}
/** exec.test.abort(): stops the whole test, as in k6. */
export class TestAbortError extends Error {
  override readonly name = "TestAbortError";
}

export class Vu {
  readonly transport: VuTransport;
  readonly instance: ScriptInstance;
  iterInInstance = 0;
  iterInScenario = 0;
  scenario: ScenarioRun | null = null;
  groupPath = "";
  /** Tags for samples of the current iteration: options.tags, scenario tags, exec.vu.tags, scenario, group. */
  iterTags: Tags = {};
  vuTags: Tags = {};
  interrupted = false;
  setupData: unknown = undefined;
  private wakeSleep: (() => void) | null = null;

  constructor(
    readonly engine: Engine,
    readonly id: number,
    factory: ScriptFactory,
  ) {
    this.transport = new VuTransport(engine.options?.insecureSkipTLSVerify ?? false);
    // init code runs synchronously, so one engine-wide flag tells init context from VU code
    engine.inInit = true;
    try {
      this.instance = factory(makeRequire(this), engine.env, id, engine.open);
    } finally {
      engine.inInit = false;
    }
  }

  /** Resets per-iteration state and builds the tag set every sample of this iteration starts from. */
  beginIteration(scenario: ScenarioRun, iterInScenario: number): void {
    this.scenario = scenario;
    this.iterInScenario = iterInScenario;
    this.instance.setIter(this.iterInInstance);
    this.groupPath = "";
    this.iterTags = { ...this.engine.globalTags, ...scenario.config.tags, ...this.vuTags, group: "", scenario: scenario.config.name };
  }

  /** Tags with the current group applied (groups change mid-iteration). */
  tags(): Tags {
    if (this.iterTags.group !== this.groupPath) this.iterTags = { ...this.iterTags, group: this.groupPath };
    return this.iterTags;
  }

  checkInterrupted(): void {
    if (this.interrupted) throw new InterruptError("iteration interrupted");
  }

  sleep(seconds: number): Promise<void> {
    this.checkInterrupted();
    const ms = Math.max(0, Number(seconds) * 1000);
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.wakeSleep = null;
        resolve();
      }, ms);
      this.wakeSleep = () => {
        clearTimeout(t);
        this.wakeSleep = null;
        reject(new InterruptError("iteration interrupted"));
      };
    });
  }

  interrupt(): void {
    this.interrupted = true;
    this.wakeSleep?.();
    this.transport.abortInflight();
  }
}
