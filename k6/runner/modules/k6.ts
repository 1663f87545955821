// The `k6` module: check, sleep, group, fail, randomSeed, with k6's metrics and group paths.
import type { Vu } from "../vu.ts";
import { UnsupportedApiError } from "./index.ts";

export function k6Module(vu: Vu): Record<string, unknown> {
  const engine = vu.engine;
  return {
    check(value: unknown, sets: Record<string, unknown>, tags?: Record<string, string>): boolean {
      let all = true;
      for (const name of Object.keys(sets ?? {})) {
        const cond = sets[name];
        const raw: unknown = typeof cond === "function" ? cond(value) : cond;
        if (raw instanceof Promise) throw new UnsupportedApiError(`check '${name}': asynchronous check functions are not supported`);
        const ok = Boolean(raw);
        const t = tags ? { ...vu.tags(), ...tags, check: name } : vu.checkTags(name);
        engine.metrics.push(engine.builtins.checks, ok ? 1 : 0, t);
        engine.groups.recordCheck(vu.groupPath, name, ok);
        if (!ok) all = false;
      }
      return all;
    },
    sleep(seconds: number): Promise<void> {
      return vu.sleep(seconds);
    },
    async group(name: string, fn: () => unknown): Promise<unknown> {
      if (typeof name !== "string" || name === "" || name.includes("::")) {
        throw new Error(`group name must be a non-empty string without '::', got ${JSON.stringify(name)}`);
      }
      if (typeof fn !== "function") throw new Error("group() needs a function as its second argument");
      const parent = vu.groupPath;
      const path = `${parent}::${name}`;
      engine.groups.ensure(path);
      vu.groupPath = path;
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        const d = performance.now() - t0;
        engine.metrics.push(engine.builtins.group_duration, d, vu.tags());
        vu.groupPath = parent;
      }
    },
    fail(message?: string): never {
      throw new Error(message ?? "");
    },
    randomSeed(): never {
      throw new UnsupportedApiError("randomSeed() is not supported by the built-in runner (Math.random is shared by all VUs here)");
    },
  };
}
