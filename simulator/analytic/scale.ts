// A scenario at another load level: every rate of an open load (rate, stages, sine bounds) or every
// user count of a closed one multiplied by one factor, so ramps and spikes keep their shape; the
// realtime clients' session rates (load.connections) grow by the same factor, as more users do. Plain
// data in, plain data out: searches rescale without parsing YAML again.
import type { Component, ConnectionClass, Scenario } from "../model/schema.ts";
import { nominalLoad } from "./solve.ts";

/** The scenario with its load set so that its nominal level (peak rate or users) becomes `level`. */
export function scaleLoad(s: Scenario, level: number): Scenario {
  const base = nominalLoad(s);
  if (!(base > 0)) throw new Error(`scenario '${s.name}' has no load to scale`);
  const f = level / base;
  const load = scaleConnections(s.load, f);
  if (load.model === "open") {
    return {
      ...s,
      load: {
        ...load,
        ...(load.rate !== undefined ? { rate: load.rate * f } : {}),
        start_rate: load.start_rate * f,
        ...(load.stages ? {
          stages: load.stages.map((st) => ({
            ...st,
            ...(st.target !== undefined ? { target: st.target * f } : {}),
            ...(st.min !== undefined ? { min: st.min * f } : {}),
            ...(st.max !== undefined ? { max: st.max * f } : {}),
          })) as unknown as typeof load.stages,
        } : {}),
      },
    };
  }
  const users = (n: number) => Math.max(0, Math.round(n * f));
  return {
    ...s,
    load: {
      ...load,
      ...(load.users !== undefined ? { users: Math.max(1, users(load.users)) } : {}),
      start_users: users(load.start_users),
      ...(load.stages ? { stages: load.stages.map((st) => ({ ...st, target: users(st.target) })) as unknown as typeof load.stages } : {}),
    },
  };
}

/** The load with its `connections` session rates times f (the same load when it has none). */
function scaleConnections(load: Scenario["load"], f: number): Scenario["load"] {
  if (!load.connections) return load;
  const connections = Object.create(null) as Record<string, ConnectionClass>;
  for (const [name, c] of Object.entries(load.connections)) connections[name] = { ...c, rate: c.rate * f };
  return { ...load, connections };
}

/** What a level counts: users (closed), invocations/s (open, every class's flow only calls functions: a request is an invocation), else req/s. */
export function loadUnit(s: Scenario): LoadUnit {
  if (s.load.model !== "open") return "users";
  const invocations = Object.values(s.load.classes).every((c) => c.flow.every((st) => "call" in st && s.components[st.call]?.kind === "function"));
  return invocations ? "invocations/s" : "req/s";
}

export type LoadUnit = "req/s" | "invocations/s" | "users";

/**
 * The whole system scaled down by f (0 < f <= 1) for a smaller machine, keeping its shape: the load
 * times f (scaleLoad), and the parts that grow with it: each service's replicas and its
 * auto-scaler's min and max, a station's servers, an unpartitioned queue's workers and a realtime
 * component's instances, each ceil(n f) and at least 1 (and at least the highest replica a
 * scheduled failure names). Unchanged: every component and its kind, per-replica slots, timeouts,
 * caches (capacity), databases (replicas, shards, pools), partitions, functions' limits, the SLO.
 * Utilization stays about the same; rounding up leaves a small part relatively larger.
 */
export function scaleSystem(s: Scenario, f: number): Scenario {
  if (!(f > 0 && f <= 1)) throw new Error(`scale must be in (0, 1], got ${f}`);
  if (f === 1) return s;
  const scaled = scaleLoad(s, nominalLoad(s) * f);
  const down = (n: number, floor = 1) => Math.max(floor, Math.ceil(n * f - 1e-9));
  const failed = (name: string) => Math.max(1, ...(s.failures ?? []).flatMap((x) => ("crash" in x && x.crash === name ? [x.replica] : [])));
  const components = Object.create(null) as Record<string, Component>;
  for (const [name, c] of Object.entries(s.components)) {
    if (c.kind === "service") {
      const replicas = down(c.replicas, failed(name));
      components[name] = {
        ...c, replicas,
        ...(c.autoscaling ? { autoscaling: { ...c.autoscaling, min: Math.min(down(c.autoscaling.min), down(c.autoscaling.max)), max: down(c.autoscaling.max) } } : {}),
      };
    } else if (c.kind === "station") components[name] = { ...c, servers: down(c.servers) };
    else if (c.kind === "queue" && c.partitions === undefined) components[name] = { ...c, workers: down(c.workers) };
    else if (c.kind === "realtime") components[name] = { ...c, instances: down(c.instances) };
    else components[name] = c;
  }
  return { ...scaled, components };
}
