// The `k6/execution` module: what the VU, its scenario, the instance and the test look like right now,
// plus exec.test.abort() and exec.test.fail(). Every object but the user's tag/metadata maps refuses
// members it lacks (k6 has no others), so a typo is an error instead of a silent undefined.
import type { Vu } from "../vu.ts";
import { TestAbortError } from "../vu.ts";
import { guard } from "./index.ts";

export function executionModule(vu: Vu): Record<string, unknown> {
  const engine = vu.engine;
  const notInInit = (what: string) => {
    if (!vu.scenario) throw new Error(`exec.${what} is only available while an iteration runs, not in the init context`);
    return vu.scenario;
  };
  const metricsTags = guard("k6/execution.vu.metrics", {
    get tags() {
      return vu.vuTags;
    },
    metadata: {},
  });
  return {
    vu: guard("k6/execution.vu", {
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
    }),
    scenario: guard("k6/execution.scenario", {
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
    }),
    instance: guard("k6/execution.instance", {
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
    }),
    test: guard("k6/execution.test", {
      abort(message?: string): never {
        throw new TestAbortError(message != null ? `test aborted: ${message}` : "test aborted");
      },
      // as k6: logs the reason, marks the test failed (exit code 110 at the end) and goes on
      fail(message?: string): void {
        if (engine.inInit) throw new Error("execution.test.fail() called outside of VU context");
        engine.markFailed(message != null ? `test marked as failed: ${message}` : "test marked as failed");
      },
      get options() {
        return engine.options?.raw ?? {};
      },
    }),
  };
}
