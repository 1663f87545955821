// One virtual user: its own instance of the script (module state, __VU, __ITER, like k6's per-VU JS
// runtime), its own connections, and the iteration loop's bookkeeping (group, tags, interruption).
import type { Engine } from "./engine.ts";
import type { ScenarioRun } from "./executors.ts";
import { VuTransport } from "./http-client.ts";
import { makeRequire } from "./modules/index.ts";
import type { Tags } from "./metrics.ts";
import type { K6Console } from "./console.ts";

export interface ScriptInstance {
  exports: Record<string, unknown>;
  setIter(i: number): void;
  /** Rebinds the script's __ENV (k6 sets it on each activation: the global env with the scenario's env over it). */
  setEnv(env: Record<string, string>): void;
}
export type ScriptFactory = (
  require: (m: string) => unknown,
  env: Record<string, string>,
  vu: number,
  open: (path: string, mode?: string) => unknown,
  console: K6Console,
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
  /** The iteration's tags outside any group (what iteration samples carry). */
  baseTags: Tags = {};
  /** exec.vu.tags: writes mark the cached tag sets stale. */
  readonly vuTags: Tags;
  vuTagsDirty = false;
  private checkTagBase: Tags | null = null;
  private readonly checkTagCache = new Map<string, Tags>();
  interrupted = false;
  /** Held by an arrival-rate executor: counts in the `vus` gauge only while it runs an iteration. */
  activeOnlyInIterations = false;
  setupData: unknown = undefined;
  private wakeSleep: (() => void) | null = null;
  /** The scenario whose env __ENV currently holds (null: the global env, as after init). */
  private envScenario: ScenarioRun | null = null;

  constructor(
    readonly engine: Engine,
    readonly id: number,
    factory: ScriptFactory,
  ) {
    this.transport = new VuTransport(engine.options?.insecureSkipTLSVerify ?? false, engine.ca);
    const mark = () => ((this.vuTagsDirty = true), true);
    this.vuTags = new Proxy({} as Tags, {
      set: (t, k, v) => (Reflect.set(t, k, String(v)), mark()),
      deleteProperty: (t, k) => (Reflect.deleteProperty(t, k), mark()),
    });
    // init code runs synchronously, so one engine-wide flag tells init context from VU code
    engine.inInit = true;
    try {
      this.instance = factory(makeRequire(this), engine.env, id, engine.open, engine.console);
    } finally {
      engine.inInit = false;
    }
  }

  /** Resets per-iteration state and builds the tag set every sample of this iteration starts from. */
  beginIteration(scenario: ScenarioRun, iterInScenario: number): void {
    this.iterInScenario = iterInScenario;
    this.instance.setIter(this.iterInInstance);
    if (this.envScenario !== scenario) {
      // as k6's VU activation: a copy of the global env with the scenario's `env` over it
      this.envScenario = scenario;
      const own = scenario.config.env;
      this.instance.setEnv(own && Object.keys(own).length ? { ...this.engine.env, ...own } : this.engine.env);
    }
    this.groupPath = "";
    // the base tag set is rebuilt only when the scenario or exec.vu.tags changed (hot path)
    if (this.scenario !== scenario || this.vuTagsDirty || this.iterTags.group !== "") {
      this.scenario = scenario;
      this.vuTagsDirty = false;
      this.iterTags = { ...this.engine.globalTags, ...scenario.config.tags, ...this.vuTags, group: "", scenario: scenario.config.name };
      this.baseTags = this.iterTags;
      this.checkTagCache.clear();
    }
  }

  /** Tags of a check sample: the current tags plus `check`, cached per tag set and name. */
  checkTags(name: string): Tags {
    const base = this.tags();
    if (base !== this.checkTagBase) {
      this.checkTagBase = base;
      this.checkTagCache.clear();
    }
    let t = this.checkTagCache.get(name);
    if (!t) {
      t = { ...base, check: name };
      if (this.checkTagCache.size < 1000) this.checkTagCache.set(name, t);
    }
    return t;
  }

  /** Tags with the current group applied (groups change mid-iteration). */
  tags(): Tags {
    if (this.iterTags.group !== this.groupPath) this.iterTags = this.groupPath === "" ? this.baseTags : { ...this.baseTags, group: this.groupPath };
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
