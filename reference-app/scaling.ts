// The reference app's auto-scaler: the simulator's own xstate target-tracking machine
// (simulator/dynamics/autoscaler.ts), stepped by a wall-clock timer every `interval` seconds with the
// metric the YAML names, read from the replicas' /metrics counters, and carrying out its commands on
// real replica places (start a Node process, wait the injected boot time, enable it in HAProxy;
// drain it in HAProxy, wait for its in-flight requests, stop it). What the machine decides is the
// model's decision; what this file adds is only the reading and the acting, behind ScalingActuator.
// Trade-off: the metric is averaged over the interval from cumulative counters (as the simulator's
// is), so one slow /metrics answer shifts a reading to the next interval instead of losing it; a
// replica stopped mid-interval takes its last partial interval with it. A serving replica whose
// /metrics does not answer in time defers the evaluation once (the next one covers both intervals
// from the same baselines): counted as idle, a busy replica's slow answer on a loaded machine read as
// a drop in utilization and drained a replica mid scale-out. Silent a second interval in a row, it
// counts as nothing (a crashed replica does no work), and the evaluation goes on.
import { startScaler, stepScaler, type ScalerCommand, type ScalerEvent, type ScalerSnapshot } from "../simulator/index.ts";
import type { AutoscalingSpec } from "../simulator/model/index.ts";
import type { ScalingPlan } from "./plan.ts";

/** A replica place's life: off (standby), booting (counted, not in HAProxy), serving, draining. */
export type PlaceState = "off" | "booting" | "serving" | "draining";

export interface ScalingEvent {
  /** Date.now() of the change. */
  readonly t: number;
  /** The replica place, from 1 (HAProxy server s<place>). */
  readonly place: number;
  readonly state: PlaceState;
}

/** What one replica's /metrics counted since it started. */
export interface PlaceCounters {
  /** Slot-seconds held (headroom_slots_busy_seconds). */
  readonly busySeconds: number;
  /** Requests answered (headroom_http_requests_total, every class and status). */
  readonly requests: number;
}

export interface InstanceCount {
  /** Not off: what the simulator's instance series counts (booting, serving and draining). */
  readonly total: number;
  readonly serving: number;
  readonly booting: number;
  readonly draining: number;
}

/** The real side of a scaling step; the launcher implements it with processes and HAProxy's socket. */
export interface ScalingActuator {
  /** The place's counters, or null when it cannot be read now (it contributes nothing). */
  read(place: number): Promise<PlaceCounters | null>;
  /** Start the place's process, wait until it answers, wait the injected boot time, add it to HAProxy. */
  boot(place: number): Promise<void>;
  /** Drain the place in HAProxy, wait for its in-flight requests, stop its process. */
  drain(place: number): Promise<void>;
}

/**
 * The per-instance value the simulator's `control` step computes (simulation.ts), from counter
 * deltas over dt seconds: utilization = mean busy slots / serving instances / slots per instance;
 * in_flight = mean busy slots / serving instances; rps = completions / dt / serving instances.
 * As there, busy slots of every place (draining ones included) are divided by the serving count.
 */
export function scalingMetric(metric: ScalingPlan["metric"], slotsPerInstance: number, busySeconds: number, requests: number, dt: number, serving: number): number {
  const perInstance = Math.max(serving, 1);
  const inFlight = busySeconds / dt / perInstance;
  return metric === "utilization" ? inFlight / slotsPerInstance : metric === "in_flight" ? inFlight : requests / dt / perInstance;
}

export class PoolScaler {
  private snapshot: ScalerSnapshot;
  private readonly state: PlaceState[];
  private readonly last: Array<PlaceCounters | undefined>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private tickTimer: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private ticks = 0;
  /** Evaluations deferred in a row for a serving replica's missing reading (at most one). */
  private deferred = 0;
  private origin = 0;
  private closed = false;
  private readonly pending = new Set<Promise<void>>();
  readonly events: ScalingEvent[] = [];
  /** Each evaluation: when, the metric's value and the serving count it was divided by. */
  readonly evaluations: Array<{ t: number; value: number; serving: number }> = [];

  constructor(
    private readonly plan: ScalingPlan,
    private readonly slotsPerInstance: number,
    places: number,
    initial: number,
    private readonly act: ScalingActuator,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.snapshot = startScaler(plan as AutoscalingSpec, initial);
    this.state = Array.from({ length: places }, (_, i) => (i < initial ? "serving" : "off"));
    this.last = Array.from({ length: places }, () => undefined);
  }

  instances(): InstanceCount {
    let serving = 0, booting = 0, draining = 0;
    for (const s of this.state) {
      if (s === "serving") serving++;
      else if (s === "booting") booting++;
      else if (s === "draining") draining++;
    }
    return { total: serving + booting + draining, serving, booting, draining };
  }

  /** (Re)starts the evaluation clock now: the first METRIC comes one interval later (the simulator's t = interval). */
  begin(): void {
    if (this.closed) return;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.origin = performance.now();
    this.lastTick = this.origin / 1000;
    this.ticks = 0;
    this.deferred = 0;
    // Baselines now, so the first interval counts only what happens in it.
    void this.readAll().then((r) => r.forEach((c, i) => { if (c) this.last[i] = c; }));
    this.schedule();
  }

  /** Stops the timers; a boot or drain under way is left to the run's finalizers (its process is stopped). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Waits for the boots and drains under way (tests). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private schedule(): void {
    // Fixed rate: the k-th evaluation at origin + k x interval, whatever each one took.
    this.ticks++;
    const due = this.origin + this.ticks * this.plan.interval * 1000;
    this.tickTimer = setTimeout(() => void this.tick(), Math.max(0, due - performance.now()));
  }

  private readAll(): Promise<Array<PlaceCounters | null>> {
    return Promise.all(this.state.map((s, i) => (s === "serving" || s === "draining" ? this.act.read(i + 1) : Promise.resolve(null))));
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    this.schedule();
    const readings = await this.readAll();
    if (this.closed) return;
    const silent = readings.flatMap((c, i) => (c === null && this.last[i] !== undefined && (this.state[i] === "serving" || this.state[i] === "draining") ? [i + 1] : []));
    if (silent.length > 0 && this.deferred === 0) {
      this.deferred = 1;
      this.log(`autoscaler: no reading from replica(s) ${silent.join(", ")} in time; evaluation deferred to the next interval`);
      return;
    }
    this.deferred = 0;
    const now = performance.now() / 1000;
    const dt = now - this.lastTick;
    this.lastTick = now;
    let busy = 0, requests = 0;
    readings.forEach((c, i) => {
      if (!c) return;
      const before = this.last[i];
      // A restarted process counts from zero again: its whole count is this interval's.
      const fresh = !before || c.busySeconds < before.busySeconds || c.requests < before.requests;
      busy += fresh ? c.busySeconds : c.busySeconds - before.busySeconds;
      requests += fresh ? c.requests : c.requests - before.requests;
      this.last[i] = c;
    });
    const serving = this.instances().serving;
    const value = scalingMetric(this.plan.metric, this.slotsPerInstance, busy, requests, dt, serving);
    this.evaluations.push({ t: Date.now(), value, serving });
    this.step({ type: "METRIC", value, serving });
  }

  private step(event: ScalerEvent): void {
    const [next, commands] = stepScaler(this.snapshot, event);
    this.snapshot = next;
    for (const c of commands) this.carryOut(c);
  }

  private carryOut(c: ScalerCommand): void {
    if (c.kind === "cooldown") {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.closed) this.step({ type: "COOLDOWN_OVER" });
      }, c.seconds * 1000);
      this.timers.add(t);
      return;
    }
    let left = c.count;
    if (c.kind === "provision") {
      // As the simulator: the lowest places that are off.
      for (let i = 0; i < this.state.length && left > 0; i++) {
        if (this.state[i] !== "off") continue;
        left--;
        this.track(i, "booting", () => this.act.boot(i + 1), "serving");
      }
    } else {
      // As the simulator: the newest (highest) serving places first.
      for (let i = this.state.length - 1; i >= 0 && left > 0; i--) {
        if (this.state[i] !== "serving") continue;
        left--;
        this.track(i, "draining", () => this.act.drain(i + 1), "off");
      }
    }
    if (left > 0) this.log(`autoscaler: ${c.kind} ${c.count} asked, ${left} place(s) short`);
  }

  private track(i: number, during: PlaceState, work: () => Promise<void>, after: PlaceState): void {
    this.set(i, during);
    const p = work()
      .then(() => { if (!this.closed) this.set(i, after); })
      .catch((e: unknown) => {
        if (this.closed) return;
        // A failed boot leaves the place off; a failed drain leaves it off too (its process is stopped by the actuator).
        this.log(`autoscaler: ${during} replica ${i + 1} failed: ${e instanceof Error ? e.message : String(e)}`);
        this.set(i, "off");
      })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private set(i: number, s: PlaceState): void {
    this.state[i] = s;
    if (s === "booting" || s === "off") this.last[i] = undefined;
    this.events.push({ t: Date.now(), place: i + 1, state: s });
    this.log(`autoscaler: replica ${i + 1} ${s} (${this.instances().total} instance(s))`);
  }
}
