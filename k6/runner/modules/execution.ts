// The `k6/execution` module: what the VU, its scenario, the instance and the test look like right now,
// plus exec.test.abort().
import type { Vu } from "../vu.ts";
import { TestAbortError } from "../vu.ts";

export function executionModule(vu: Vu): Record<string, unknown> {
  const engine = vu.engine;
  const notInInit = (what: string) => {
    if (!vu.scenario) throw new Error(`exec.${what} is only available while an iteration runs, not in the init context`);
    return vu.scenario;
  };
  const metricsTags = {
    get tags() {
      return vu.vuTags;
    },
    metadata: {},
  };
  return {
    vu: {
      get idInInstance() {
        return vu.id;
      },
      get idInTest() {
        return vu.id;
      },
      get iterationInInstance() {
        return vu.iterInInstance;
      },
      get iterationInScenario() {
        return vu.iterInScenario;
      },
      get tags() {
        return vu.vuTags;
      },
      metrics: metricsTags,
    },
    scenario: {
      get name() {
        return notInInit("scenario.name").config.name;
      },
      get executor() {
        return notInInit("scenario.executor").config.executor;
      },
      get startTime() {
        return notInInit("scenario.startTime").startedAtEpochMs;
      },
      get progress() {
        return notInInit("scenario.progress").progress();
      },
      get iterationInInstance() {
        return vu.iterInScenario;
      },
      get iterationInTest() {
        return vu.iterInScenario;
      },
    },
    instance: {
      get vusActive() {
        return engine.vusActive();
      },
      get vusInitialized() {
        return engine.vusInitialized();
      },
      get iterationsCompleted() {
        return engine.iterationsCompleted;
      },
      get iterationsInterrupted() {
        return engine.iterationsInterrupted;
      },
      get currentTestRunDuration() {
        return engine.elapsedMs();
      },
    },
    test: {
      abort(message?: string): never {
        throw new TestAbortError(message ? `test aborted: ${message}` : "test aborted");
      },
      get options() {
        return engine.options?.raw ?? {};
      },
    },
  };
}
