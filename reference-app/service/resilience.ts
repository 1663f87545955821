// How a reference-app caller calls a service whose YAML has `timeout`, `retries` or
// `circuit_breaker`, with the simulator's semantics (simulation.ts: OP_CALL, admitCall, callEnded,
// callTimeout), built on cockatiel 3.2.1 where its semantics are the model's and bridged where not:
// - timeout: cockatiel's aggressive TimeoutPolicy per attempt. The caller stops waiting; the call
//   itself is not aborted (the model lets it run on as an orphan), so the callee keeps the work.
// - retries: cockatiel's RetryPolicy loop with `maxAttempts = attempts - 1` and a seeded
//   full-jitter backoff (stream `retries:<service>` from the YAML's seed, as the simulator draws it;
//   cockatiel's fullJitterGenerator uses Math.random). Whether a failed attempt is retried is decided
//   here, in the model's order, and handed to cockatiel as the error class it retries on: no retry
//   after the last attempt or a short-circuited call, then the budget (retry-budget.ts).
// - circuit_breaker: window-breaker.ts (the simulator's xstate machine on wall-clock timers).
// Every failure of an attempt counts (a thrown error, a timeout): the caller's `attempt` function
// decides what a failed answer is (e.g. any status but 2xx, as the model fails any reason).
// Trade-off: one ResilientCaller per (caller process, called service), as the model keeps one
// budget and one breaker per called service; callers in several processes each keep their own.
import { BrokenCircuitError, TaskCancelledError, TimeoutStrategy, handleType, retry, timeout, type IBackoff, type IBackoffFactory, type IRetryBackoffContext, type RetryPolicy, type TimeoutPolicy } from "cockatiel";
import { Rng } from "../../simulator/random.ts";
import type { CircuitBreakerSpec, RetriesSpec } from "../../simulator/model/index.ts";
import { RetryBudget } from "./retry-budget.ts";
import { WindowBreaker } from "./window-breaker.ts";

/** The called service's YAML fields that shape its callers' calls (seconds, shares). */
export interface ResilienceSpec {
  readonly timeout?: number;
  readonly retries?: RetriesSpec;
  readonly circuit_breaker?: CircuitBreakerSpec;
}

/** An attempt that did not answer within the service's `timeout`. */
export class CallTimeoutError extends Error {
  override readonly name = "CallTimeoutError";
  constructor(seconds: number) {
    super(`no answer within the timeout of ${seconds * 1000} ms`);
  }
}

/** Counts since the caller was made; the simulator's `resilience` result fields, plus attempts. */
export interface ResilienceCounts {
  /** Calls made (first attempts and short-circuited calls). */
  calls: number;
  /** Attempts that reached the callee (first attempts and retries let through). */
  attempts: number;
  retries: number;
  budgetDenied: number;
  timeouts: number;
  shortCircuited: number;
  breakerOpened: number;
  /** Calls that ended failed, after their retries. */
  failed: number;
}

/** Marks an attempt's failure as one to retry (the only error class the retry policy handles). */
class RetryThis extends Error {
  constructor(override readonly cause: unknown) {
    super("retry");
  }
}

/** min(max_backoff, backoff x 2^k) before retry k+1, times a seeded uniform draw with full jitter. */
class SeededBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly spec: RetriesSpec, private readonly rng: Rng) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const cap = Math.min(this.spec.max_backoff, this.spec.backoff * 2 ** (context.attempt - 1));
    const seconds = this.spec.jitter === "full" ? cap * this.rng.next() : cap;
    return { duration: seconds * 1000, next: (c) => this.next(c) };
  }
}

export class ResilientCaller {
  readonly breaker: WindowBreaker | undefined;
  private readonly budget: RetryBudget | undefined;
  private readonly retryPolicy: RetryPolicy | undefined;
  private readonly timeoutPolicy: TimeoutPolicy | undefined;
  private readonly n = { calls: 0, attempts: 0, retries: 0, budgetDenied: 0, timeouts: 0, failed: 0 };

  /** `service` names the called service (the random stream's name); `seed` is the YAML's. */
  constructor(readonly service: string, private readonly spec: ResilienceSpec, seed: number, replication = 0) {
    this.breaker = spec.circuit_breaker ? new WindowBreaker(spec.circuit_breaker) : undefined;
    const r = spec.retries;
    this.budget = r?.budget !== undefined ? new RetryBudget(r.budget) : undefined;
    if (r && r.attempts > 1) {
      this.retryPolicy = retry(handleType(RetryThis), { maxAttempts: r.attempts - 1, backoff: new SeededBackoff(r, new Rng(seed, replication, `retries:${service}`)) });
    }
    if (spec.timeout !== undefined && Number.isFinite(spec.timeout)) this.timeoutPolicy = timeout(spec.timeout * 1000, TimeoutStrategy.Aggressive);
  }

  /**
   * Calls `attempt` as the model calls a service: through the breaker, with a timeout per attempt,
   * retried as `retries` says. `attempt` throws for a failed answer. Rejects with the last
   * attempt's error (CallTimeoutError for a timeout, BrokenCircuitError when short-circuited).
   */
  async call<T>(attempt: () => Promise<T>): Promise<T> {
    this.n.calls++;
    try {
      if (!this.retryPolicy) return await this.once(attempt, 0);
      return await this.retryPolicy.execute(({ attempt: k }) => this.once(attempt, k));
    } catch (e) {
      this.n.failed++;
      throw e instanceof RetryThis ? e.cause : e;
    }
  }

  counts(): ResilienceCounts {
    return { ...this.n, shortCircuited: this.breaker?.shortCircuited ?? 0, breakerOpened: this.breaker?.opened ?? 0 };
  }

  /** Stops the breaker's timers. */
  close(): void {
    this.breaker?.close();
  }

  /** Attempt k (from 0): admitted, timed, counted, and on failure marked for a retry or not. */
  private async once<T>(attempt: () => Promise<T>, k: number): Promise<T> {
    const admitted = this.breaker ? this.breaker.admit() : "call"; // throws BrokenCircuitError: never retried
    this.n.attempts++;
    let failure: unknown;
    let ok = false;
    let value: T | undefined;
    try {
      value = this.timeoutPolicy ? await this.timeoutPolicy.execute(() => attempt()) : await attempt();
      ok = true;
    } catch (e) {
      failure = e;
      if (e instanceof TaskCancelledError) {
        this.n.timeouts++;
        failure = new CallTimeoutError(this.spec.timeout!);
      }
    }
    this.breaker?.record(ok, admitted);
    if (k === 0) this.budget?.deposit();
    if (ok) return value as T;
    const r = this.spec.retries;
    if (!r || k >= r.attempts - 1 || failure instanceof BrokenCircuitError) throw failure;
    if (this.budget && !this.budget.take()) {
      this.n.budgetDenied++;
      throw failure;
    }
    this.n.retries++;
    throw new RetryThis(failure);
  }
}
