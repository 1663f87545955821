// The circuit breaker the reference app's callers use: the simulator's own xstate machine
// (simulator/dynamics/circuit-breaker.ts) stepped by wall-clock timers exactly as the simulation
// steps it: a WINDOW summary every `window` seconds (tumbling windows from the breaker's creation),
// OPEN_OVER `open_for` seconds after it opens, and one PROBE per call let through while half-open.
// Why not cockatiel's CircuitBreakerPolicy: its breakers decide on each failure over a sliding
// window or the last N calls, it half-opens lazily at the first call after `halfOpenAfter`, and
// half-open it lets one call through while the others wait for it; the model lets `half_open_calls`
// through and fails the rest at once. A short-circuited call throws cockatiel's BrokenCircuitError
// so callers see the library's error either way. Trade-off: timers run even when no call comes
// (one per window); close() stops them.
import { BrokenCircuitError } from "cockatiel";
import { BREAKER_CLOSED, BREAKER_HALF_OPEN, BREAKER_OPEN, breakerCode, startBreaker, stepBreaker, type BreakerEvent, type BreakerSnapshot } from "../../simulator/index.ts";
import type { CircuitBreakerSpec } from "../../simulator/model/index.ts";

export type BreakerStateName = "closed" | "open" | "half-open";
const NAMES: Record<number, BreakerStateName> = { [BREAKER_CLOSED]: "closed", [BREAKER_OPEN]: "open", [BREAKER_HALF_OPEN]: "half-open" };

/** A state change, for the caller's series: Date.now() and the state entered. */
export interface BreakerChange {
  readonly t: number;
  readonly state: BreakerStateName;
}

export class WindowBreaker {
  private snapshot: BreakerSnapshot;
  private code = BREAKER_CLOSED;
  private winCalls = 0;
  private winFailures = 0;
  private probesOut = 0;
  private windowTimer: ReturnType<typeof setInterval>;
  private openTimer: ReturnType<typeof setTimeout> | undefined;
  private openedAt = 0;
  private openMs = 0;
  /** Times it opened. */
  opened = 0;
  /** Calls failed at once (open, or half-open with its probes out). */
  shortCircuited = 0;
  readonly changes: BreakerChange[] = [];

  constructor(private readonly spec: CircuitBreakerSpec) {
    this.snapshot = startBreaker(spec);
    this.windowTimer = this.windows();
  }

  /**
   * Counts the tumbling windows from now (the model's start from t = 0): the window under way is
   * dropped, counts and all. For a caller made before its load starts (the resilience gateway, at
   * the first request). Only while closed, so no opening is lost.
   */
  restartWindows(): void {
    if (this.code !== BREAKER_CLOSED) return;
    clearInterval(this.windowTimer);
    this.winCalls = 0;
    this.winFailures = 0;
    this.windowTimer = this.windows();
  }

  private windows(): ReturnType<typeof setInterval> {
    const t = setInterval(() => {
      this.step({ type: "WINDOW", calls: this.winCalls, failures: this.winFailures });
      this.winCalls = 0;
      this.winFailures = 0;
    }, this.spec.window * 1000);
    t.unref();
    return t;
  }

  get state(): BreakerStateName {
    return NAMES[this.code];
  }

  /** Milliseconds spent open (not half-open) so far. */
  openTime(now = Date.now()): number {
    return this.openMs + (this.code === BREAKER_OPEN ? now - this.openedAt : 0);
  }

  /** The breaker's say on a new call: "call", "probe", or it throws BrokenCircuitError (simulation.ts admitCall). */
  admit(): "call" | "probe" {
    if (this.code === BREAKER_CLOSED) return "call";
    if (this.code === BREAKER_HALF_OPEN && this.probesOut < this.snapshot.context.probesLeft) {
      this.probesOut++;
      return "probe";
    }
    this.shortCircuited++;
    throw new BrokenCircuitError();
  }

  /** An admitted call has ended (simulation.ts callEnded): counted in the window, a probe's result stepped. */
  record(ok: boolean, admitted: "call" | "probe"): void {
    this.winCalls++;
    if (!ok) this.winFailures++;
    if (admitted === "probe") {
      this.probesOut--;
      this.step({ type: "PROBE", ok });
    }
  }

  close(): void {
    clearInterval(this.windowTimer);
    if (this.openTimer) clearTimeout(this.openTimer);
  }

  private step(event: BreakerEvent): void {
    const before = this.code;
    const [next, commands] = stepBreaker(this.snapshot, event);
    this.snapshot = next;
    this.code = breakerCode(next);
    if (this.code !== BREAKER_HALF_OPEN) this.probesOut = 0;
    if (this.code !== before) {
      const now = Date.now();
      if (this.code === BREAKER_OPEN) { this.opened++; this.openedAt = now; }
      if (before === BREAKER_OPEN) this.openMs += now - this.openedAt;
      this.changes.push({ t: now, state: NAMES[this.code] });
    }
    for (const c of commands) {
      this.openTimer = setTimeout(() => { this.openTimer = undefined; this.step({ type: "OPEN_OVER" }); }, c.seconds * 1000);
      this.openTimer.unref();
    }
  }
}
