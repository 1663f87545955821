// The `k6/metrics` module: custom Counter, Gauge, Rate and Trend metrics, shared by all VUs by name.
import type { Vu } from "../vu.ts";
import type { MetricType, Tags } from "../metrics.ts";

export function metricsModule(vu: Vu): Record<string, unknown> {
  const engine = vu.engine;
  const make = (type: MetricType) =>
    class {
      readonly name: string;
      private readonly metric;
      constructor(name: string, isTime = false) {
        if (!engine.inInit) throw new Error(`metric '${name}': custom metrics can only be created in the init context`);
        this.name = name;
        this.metric = engine.metrics.define(name, type, type === "trend" && isTime ? "time" : "default");
      }
      add(value: number | boolean, tags?: Tags): boolean {
        if (engine.inInit) throw new Error(`metric '${this.name}': samples can only be added from VU code, not the init context`);
        const v = type === "rate" ? (value ? 1 : 0) : Number(value);
        if (Number.isNaN(v)) throw new Error(`metric '${this.name}': value ${String(value)} is not a number`);
        const base = vu.tags();
        engine.metrics.push(this.metric, v, tags ? { ...base, ...tags } : base);
        return true;
      }
    };
  return { Counter: make("counter"), Gauge: make("gauge"), Rate: make("rate"), Trend: make("trend") };
}
