// The scenario's `failures:` compiled into the fault plan the run loop schedules: each entry with
// the index of what it strikes (service, database, cache, region) resolved once, instead of the
// engine looking names up in the scenario when a fault fires. Entries keep the file's order: a
// fault's events carry its index, and same-time events run in the order they were scheduled.
import type { FailureSpec } from "../model/schema.ts";

export type FaultSpec =
  /** Replica `replica` (0-based) of a service crashes at `at`; it restarts `restartAfter` later, if given. */
  | { readonly kind: "crash"; readonly at: number; readonly service: number; readonly replica: number; readonly restartAfter: number | undefined }
  /**
   * Every replica of a service fails and is repaired at random, exponential times with means
   * `mtbf` and `mttr`, drawn from the random stream named `stream`.
   */
  | { readonly kind: "random"; readonly service: number; readonly mtbf: number; readonly mttr: number; readonly stream: string }
  /** A database shard's primary fails at `at`; a replica is promoted `promoteAfter` later. */
  | { readonly kind: "fail_primary"; readonly at: number; readonly database: number; readonly shard: number; readonly promoteAfter: number }
  /** A cache node is lost and replaced empty at `at`. */
  | { readonly kind: "lose"; readonly at: number; readonly cache: number }
  /** A whole region goes down at `at` for `for` seconds. */
  | { readonly kind: "region"; readonly at: number; readonly region: number; readonly for: number }
  /** Instance `instance` (0-based) of a realtime component fails at `at`: its connections drop and reconnect. */
  | { readonly kind: "realtime_crash"; readonly at: number; readonly realtime: number; readonly instance: number; readonly restartAfter: number | undefined };

/** Where the names a failure may strike are found (indices into the Program's tables). */
export interface FaultTargets {
  readonly service: (name: string) => number;
  readonly database: (name: string) => number;
  readonly cache: (name: string) => number;
  readonly region: (name: string) => number;
  /** A realtime component's index (-1: not one); optional for callers written before the kind. */
  readonly realtime?: (name: string) => number;
}

export function compileFaults(failures: ReadonlyArray<FailureSpec> | undefined, at: FaultTargets): FaultSpec[] {
  // A random failure's stream is named by the failing service and the entry's rank among that
  // service's random failures, so adding a failure elsewhere in the list does not renumber these.
  const seenRandom = new Map<string, number>();
  return (failures ?? []).map((f): FaultSpec => {
    if ("region" in f) return { kind: "region", at: f.at, region: at.region(f.region), for: f.for };
    if ("crash" in f && (at.realtime?.(f.crash) ?? -1) >= 0) return { kind: "realtime_crash", at: f.at, realtime: at.realtime!(f.crash), instance: f.replica - 1, restartAfter: f.restart_after };
    if ("crash" in f) return { kind: "crash", at: f.at, service: at.service(f.crash), replica: f.replica - 1, restartAfter: f.restart_after };
    if ("fail_primary" in f) return { kind: "fail_primary", at: f.at, database: at.database(f.fail_primary), shard: f.shard, promoteAfter: f.promote_after };
    if ("lose" in f) return { kind: "lose", at: f.at, cache: at.cache(f.lose) };
    const n = (seenRandom.get(f.random) ?? 0) + 1;
    seenRandom.set(f.random, n);
    return { kind: "random", service: at.service(f.random), mtbf: f.mtbf, mttr: f.mttr, stream: `failures:random:${f.random}#${n}` };
  });
}
