// The services' own state over one replication, for all of them: how callers call each service
// (its circuit breaker with the counts it decides on and the time it spends in each state, the
// retries' budget and jitter, the client-side round robin of a call made without a balancer), its
// billed instances (booting, serving, draining) integrated over time, and its autoscaler (the
// xstate snapshot of dynamics/autoscaler.ts and the metric's last readings). The breakers run
// their own clocks: the runtime gets the calendar when the run starts and pushes its window and
// open-timer events (EV_BREAKER_WINDOW, EV_BREAKER_TIMER), which the kernel hands back. The kernel
// keeps what services share with balancers, pools and faults: the replicas' states and their
// slots (switching replicas on, off and down), the tasks' retry and probe fields, and the call
// stub. Methods take and return numbers and allocate nothing per call; the breaker and autoscaler
// machines are stepped only on their own events (a window, a timer, a probe's end, a control tick).
import type { Calendar } from "../../engine/calendar.ts";
import type { ComponentStats } from "../../engine/simulation.ts";
import type { Rng } from "../../engine/rng.ts";
import {
  ADMIT_CALL, ADMIT_PROBE, ADMIT_SHORT_CIRCUIT, C_BREAKER_OPENED, C_BUDGET_DENIED, C_RETRIES, C_SHORT_CIRCUITED,
  EV_BREAKER_TIMER, EV_BREAKER_WINDOW, EV_CONTROL, R_CIRCUIT_OPEN, REP_SERVING,
} from "../../engine/codes.ts";
import { startScaler, stepScaler, type ScalerCommand, type ScalerEvent, type ScalerSnapshot } from "../../dynamics/autoscaler.ts";
import { BREAKER_CLOSED, BREAKER_HALF_OPEN, BREAKER_OPEN, breakerCode, startBreaker, stepBreaker, type BreakerEvent, type BreakerSnapshot } from "../../dynamics/circuit-breaker.ts";
import type { RuntimeContext } from "../kind.ts";
import type { ServiceSpec } from "./compile.ts";

export class ServiceRuntime {
  private readonly cStats: readonly ComponentStats[];
  private readonly repState: Uint8Array;
  private cal: Calendar | undefined;
  /** Whether the statistics window is open (counts are kept only then). */
  private measuring = false;

  /** Per service: the client-side round robin of a call made without a balancer. */
  private readonly rr: Int32Array;

  // Per called service: its breaker and the counts it decides on. Time in each breaker state is
  // added up when the state changes (and at warm-up, samples and the end), never per call: per
  // service, seconds in the statistics window (service * 3 + state), the whole run's seconds open
  // (for the series), when it was last added up, and the series' mark.
  private readonly breakers: Array<BreakerSnapshot | undefined>;
  private readonly breakerState: Uint8Array;
  private readonly winCalls: Float64Array;
  private readonly winFailures: Float64Array;
  private readonly probesOut: Int32Array;
  private readonly brSeconds: Float64Array;
  private readonly brOpenRun: Float64Array;
  private readonly brSince: Float64Array;
  private readonly brOpen0: Float64Array;
  private readonly retryTokens: Float64Array;
  /** Per called service: retry jitter. */
  private readonly retryRng: Rng[];

  // Instances billed, and the autoscalers with the metric's readings at the last control tick.
  private readonly instances: Float64Array;
  private readonly instLast: Float64Array;
  private readonly scalers: Array<ScalerSnapshot | undefined>;
  private readonly ctlBusy0: Float64Array;
  private readonly ctlDone0: Float64Array;
  private readonly ctlTime0: Float64Array;

  constructor(private readonly specs: readonly ServiceSpec[], ctx: RuntimeContext) {
    const n = specs.length;
    this.cStats = ctx.kernel.componentStats;
    this.repState = ctx.kernel.replicaState;
    this.rr = new Int32Array(n);
    this.breakers = specs.map((sv) => (sv.breaker ? startBreaker(sv.breaker) : undefined));
    this.breakerState = new Uint8Array(n);
    this.winCalls = new Float64Array(n);
    this.winFailures = new Float64Array(n);
    this.probesOut = new Int32Array(n);
    this.brSeconds = new Float64Array(n * 3);
    this.brOpenRun = new Float64Array(n);
    this.brSince = new Float64Array(n);
    this.brOpen0 = new Float64Array(n);
    // A retry budget starts with a small reserve, as Finagle's does, so the first failures may retry.
    this.retryTokens = Float64Array.from(specs, () => 10);
    this.retryRng = specs.map((sv) => ctx.stream(`retries:${ctx.componentNames[sv.component]}`));
    this.instances = Float64Array.from(specs, (sv) => sv.initial);
    this.instLast = new Float64Array(n);
    this.scalers = specs.map((sv) => (sv.autoscaling ? startScaler(sv.autoscaling, sv.initial) : undefined));
    this.ctlBusy0 = new Float64Array(n);
    this.ctlDone0 = new Float64Array(n);
    this.ctlTime0 = new Float64Array(n);
  }

  /** The run starts: the calendar the breakers' and autoscalers' clocks go on. */
  start(cal: Calendar): void {
    this.cal = cal;
  }

  /** The first evaluation tick of every autoscaler (EV_CONTROL, argument the service). */
  startScalers(): void {
    this.specs.forEach((sv, i) => { if (sv.autoscaling) this.cal!.push(sv.autoscaling.interval, i * 32 + EV_CONTROL, 0); });
  }

  /** The first window of every breaker (EV_BREAKER_WINDOW, argument the service). */
  startBreakers(): void {
    this.specs.forEach((sv, i) => { if (sv.breaker) this.cal!.push(sv.breaker.window, i * 32 + EV_BREAKER_WINDOW, 0); });
  }

  /** The statistics window opens at `now`: the instance areas and breaker times start from zero. */
  startMeasuring(now: number): void {
    for (let i = 0; i < this.specs.length; i++) {
      this.touchInstances(i, now);
      this.cStats[this.specs[i].component].instanceArea = 0;
      if (!this.specs[i].breaker) continue;
      this.touchBreaker(i, now);
      this.brSeconds.fill(0, i * 3, i * 3 + 3);
    }
    this.measuring = true;
  }

  /** The run ends at `now`: instance areas and breaker times up to date, each breaker's seconds per state into its component's statistics. */
  finish(now: number): void {
    for (let i = 0; i < this.specs.length; i++) this.touchInstances(i, now);
    this.specs.forEach((sv, i) => {
      if (!sv.breaker) return;
      this.touchBreaker(i, now);
      this.cStats[sv.component].breakerSeconds = this.brSeconds.slice(i * 3, i * 3 + 3);
    });
  }

  // ---------------------------------------------------------------- replicas and instances

  /** A call to service svc made without a balancer: the next serving replica round robin (its slot index; the last tried if none serves). */
  nextReplica(svc: number): number {
    const replicas = this.specs[svc].replicas;
    const n = replicas.length;
    let k = -1;
    for (let i = 0; i < n; i++) {
      k = this.rr[svc]++ % n;
      if (this.repState[replicas[k]] === REP_SERVING) break;
    }
    return k;
  }

  /** Service svc's billed instances now (booting, serving, draining). */
  instancesOf(svc: number): number {
    return this.instances[svc];
  }

  /** An instance of svc was provisioned (+1) or switched off (-1) at `now`. */
  instanceChange(svc: number, by: number, now: number): void {
    this.touchInstances(svc, now);
    this.instances[svc] += by;
  }

  /** Adds instances x time since the last change to the component's instance area. */
  touchInstances(svc: number, now: number): void {
    const dt = now - this.instLast[svc];
    if (dt > 0) {
      this.cStats[this.specs[svc].component].instanceArea += this.instances[svc] * dt;
      this.instLast[svc] = now;
    }
  }

  // ---------------------------------------------------------------- autoscaling

  /**
   * Evaluation tick of svc's autoscaler at `now`, from the pool's busy slot-seconds and completions
   * so far and its serving replicas: the per-instance metric over the last interval goes to the
   * scaler, and the scaler's commands come back for the kernel to carry out on the replicas
   * (provision, decommission, cooldown); then the kernel asks for the next tick (scheduleControl).
   */
  control(svc: number, busy: number, done: number, serving: number, now: number): ScalerCommand[] {
    const sv = this.specs[svc];
    const spec = sv.autoscaling!;
    const dt = now - this.ctlTime0[svc];
    const slots = sv.concurrency;
    const perInstance = Math.max(serving, 1);
    const inFlight = (busy - this.ctlBusy0[svc]) / dt / perInstance;
    const value = spec.metric === "utilization" ? inFlight / slots : spec.metric === "in_flight" ? inFlight : (done - this.ctlDone0[svc]) / dt / perInstance;
    this.ctlBusy0[svc] = busy; this.ctlDone0[svc] = done; this.ctlTime0[svc] = now;
    return this.scale(svc, { type: "METRIC", value, serving });
  }

  /** The next evaluation tick of svc's autoscaler, one interval after `now`. */
  scheduleControl(svc: number, now: number): void {
    this.cal!.push(now + this.specs[svc].autoscaling!.interval, svc * 32 + EV_CONTROL, 0);
  }

  /** Steps svc's autoscaler with an event (a metric, a cooldown's end): the commands for the kernel. */
  scale(svc: number, event: ScalerEvent): ScalerCommand[] {
    const [next, commands] = stepScaler(this.scalers[svc]!, event);
    this.scalers[svc] = next;
    return commands;
  }

  // ---------------------------------------------------------------- resilience

  /** The breaker's say on a new call to svc (engine/codes.ts): ADMIT_CALL, ADMIT_PROBE (half-open, a probe slot left) or ADMIT_SHORT_CIRCUIT (counted). */
  admit(svc: number): number {
    const state = this.breakerState[svc];
    if (state === BREAKER_CLOSED) return ADMIT_CALL;
    if (state === BREAKER_HALF_OPEN && this.probesOut[svc] < this.breakers[svc]!.context.probesLeft) {
      this.probesOut[svc]++;
      return ADMIT_PROBE;
    }
    if (this.measuring) this.cStats[this.specs[svc].component].counts[C_SHORT_CIRCUITED]++;
    return ADMIT_SHORT_CIRCUIT;
  }

  /** A call to svc ended (reason 0: it succeeded) at `now`: counted in the breaker's window; a probe's end steps the breaker. */
  callEnded(svc: number, reason: number, probe: boolean, now: number): void {
    if (!this.specs[svc].breaker) return;
    this.winCalls[svc]++;
    if (reason !== 0) this.winFailures[svc]++;
    if (probe) {
      this.probesOut[svc]--;
      this.breakerStep(svc, { type: "PROBE", ok: reason === 0 }, now);
    }
  }

  /**
   * Whether a call to svc that ended with `reason` after `retries` retries is tried again: the
   * delay before the retry (exponential backoff capped at max_backoff, with full jitter: AWS
   * architecture blog, 2015), or -1 for no retry (it succeeded, no policy, attempts spent, the
   * breaker refused it, or the budget is empty). Every first attempt earns the budget, failed or
   * not (Finagle's RetryBudget, Envoy's budget).
   */
  retryDelay(svc: number, retries: number, reason: number): number {
    const policy = this.specs[svc].retries;
    if (policy?.budget !== undefined && retries === 0) this.retryTokens[svc] = Math.min(this.retryTokens[svc] + policy.budget, 1e9);
    if (reason === 0 || !policy) return -1;
    const cs = this.cStats[this.specs[svc].component];
    if (retries >= policy.attempts - 1 || reason === R_CIRCUIT_OPEN) return -1;
    if (policy.budget !== undefined) {
      if (this.retryTokens[svc] < 1) {
        if (this.measuring) cs.counts[C_BUDGET_DENIED]++;
        return -1;
      }
      this.retryTokens[svc]--;
    }
    const cap = Math.min(policy.max_backoff, policy.backoff * 2 ** retries);
    const delay = policy.jitter === "full" ? cap * this.retryRng[svc].next() : cap;
    if (this.measuring) cs.counts[C_RETRIES]++;
    return delay;
  }

  /** EV_BREAKER_WINDOW: svc's breaker judges the window's calls, and the next window starts. */
  breakerWindow(svc: number, now: number): void {
    this.breakerStep(svc, { type: "WINDOW", calls: this.winCalls[svc], failures: this.winFailures[svc] }, now);
    this.winCalls[svc] = 0;
    this.winFailures[svc] = 0;
    this.cal!.push(now + this.specs[svc].breaker!.window, svc * 32 + EV_BREAKER_WINDOW, 0);
  }

  /** EV_BREAKER_TIMER: svc's breaker has been open long enough. */
  breakerTimer(svc: number, now: number): void {
    this.breakerStep(svc, { type: "OPEN_OVER" }, now);
  }

  private breakerStep(svc: number, event: BreakerEvent, now: number): void {
    const before = this.breakerState[svc];
    this.touchBreaker(svc, now);
    const [next, commands] = stepBreaker(this.breakers[svc]!, event);
    this.breakers[svc] = next;
    this.breakerState[svc] = breakerCode(next);
    if (this.breakerState[svc] === BREAKER_OPEN && before !== BREAKER_OPEN && this.measuring) this.cStats[this.specs[svc].component].counts[C_BREAKER_OPENED]++;
    if (this.breakerState[svc] !== BREAKER_HALF_OPEN) this.probesOut[svc] = 0;
    for (const c of commands) this.cal!.push(now + c.seconds, svc * 32 + EV_BREAKER_TIMER, 0);
  }

  /** Adds the time since the breaker's last change (or last look) to its current state. */
  private touchBreaker(svc: number, now: number): void {
    const dt = now - this.brSince[svc];
    if (dt <= 0) return;
    const state = this.breakerState[svc];
    this.brSeconds[svc * 3 + state] += dt;
    if (state === BREAKER_OPEN) this.brOpenRun[svc] += dt;
    this.brSince[svc] = now;
  }

  /**
   * A series sample at `now`: the share of the last interval each breaker was open, onto its
   * component's series. It only reads (the open time brought up to now in a local sum, never
   * written back), so a replication's figures are the same bytes with series on or off. Without
   * commit (a peek at the interval in progress), the interval's start is left where it was.
   */
  sampleBreakers(now: number, interval: number, series: ReadonlyArray<{ breakerOpen?: number[] }>, commit = true): void {
    for (let i = 0; i < this.specs.length; i++) {
      if (!this.specs[i].breaker) continue;
      const openRun = this.brOpenRun[i] + (this.breakerState[i] === BREAKER_OPEN ? Math.max(now - this.brSince[i], 0) : 0);
      series[this.specs[i].component].breakerOpen!.push((openRun - this.brOpen0[i]) / interval);
      if (commit) this.brOpen0[i] = openRun;
    }
  }
}
