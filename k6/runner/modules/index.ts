// The modules a script may import, built per VU so that every call knows which VU made it. Anything
// a script touches that the runner does not implement throws an error naming it, at import time for
// named imports and at call time for members of a default import.
import type { Vu } from "../vu.ts";
import { k6Module } from "./k6.ts";
import { httpModule } from "./http.ts";
import { metricsModule } from "./metrics.ts";
import { executionModule } from "./execution.ts";
import { wsModule } from "./ws.ts";

export class UnsupportedApiError extends Error {
  override readonly name = "UnsupportedApiError";
}

/** An object (not copied: its getters stay live) whose missing members are errors naming them. */
export function guard<T extends object>(name: string, obj: T): T {
  return new Proxy(obj, {
    get(target, prop, recv) {
      if (typeof prop === "symbol" || prop in target || prop === "then" || prop === "toJSON") return Reflect.get(target, prop, recv);
      throw new UnsupportedApiError(`'${name}' has no member '${String(prop)}' in the built-in runner (unsupported k6 API)`);
    },
  });
}

/** Wraps a module so a missing member is an error naming it instead of `undefined`. */
function strict(name: string, members: Record<string, unknown>): Record<string, unknown> {
  const mod = { ...members };
  mod.default = guard(name, { ...members });
  return guard(name, mod);
}

const SUPPORTED = ["k6", "k6/http", "k6/metrics", "k6/execution", "k6/ws"];

export function makeRequire(vu: Vu): (m: string) => unknown {
  const cache = new Map<string, unknown>();
  return (m: string) => {
    let mod = cache.get(m);
    if (mod) return mod;
    switch (m) {
      case "k6":
        mod = strict(m, k6Module(vu));
        break;
      case "k6/http":
        mod = strict(m, httpModule(vu));
        break;
      case "k6/metrics":
        mod = strict(m, metricsModule(vu));
        break;
      case "k6/ws":
        mod = strict(m, wsModule(vu));
        break;
      case "k6/execution":
        // its sub-objects (exec.vu, exec.test, ...) are guarded too, in execution.ts
        mod = strict(m, executionModule(vu));
        break;
      default:
        throw new UnsupportedApiError(`module '${m}' is not supported by the built-in runner (supported: ${SUPPORTED.join(", ")}); run the script with real k6 (K6_BIN)`);
    }
    cache.set(m, mod);
    return mod;
  };
}
