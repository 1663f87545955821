// The load as the run loop consumes it, compiled once per scenario: an open load's rate profile
// (and whether arrivals are evenly spaced), a closed load's think-time sampler and the schedule of
// its user count. Part of the Program, so a replication never reads the scenario's `load:` section;
// all of it is immutable and shared by every replication.
import type { Load } from "../model/schema.ts";
import { Sampler } from "./distributions.ts";
import { RateProfile, userSchedule } from "./profile.ts";

export interface OpenLoadPlan {
  readonly model: "open";
  readonly profile: RateProfile;
  /** Evenly spaced arrivals (`arrivals: deterministic`) instead of a Poisson stream. */
  readonly deterministic: boolean;
}

export interface ClosedLoadPlan {
  readonly model: "closed";
  readonly think: Sampler;
  /**
   * The mean think time when it is exponential: the users are then pooled into one Poisson
   * stream of wake-ups (Replication.wake); undefined for any other think-time distribution.
   */
  readonly pooledThinkMean: number | undefined;
  /** When the user count changes, and the count from then on (userSchedule). */
  readonly userTimes: readonly number[];
  readonly userTargets: readonly number[];
}

export type LoadPlan = OpenLoadPlan | ClosedLoadPlan;

export function compileLoad(load: Load): LoadPlan {
  if (load.model === "open") return { model: "open", profile: new RateProfile(load), deterministic: load.arrivals === "deterministic" };
  const schedule = userSchedule(load);
  return {
    model: "closed",
    think: new Sampler(load.think),
    pooledThinkMean: load.think.dist === "exponential" ? load.think.mean : undefined,
    userTimes: schedule.times,
    userTargets: schedule.targets,
  };
}
