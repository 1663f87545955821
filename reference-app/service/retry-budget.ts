// A retry budget as the simulator keeps it (simulation.ts, callEnded): one token bucket per called
// service, holding 10 tokens at the start (a reserve, as Finagle's RetryBudget has, so the first
// failures may retry), earning `budget` tokens whenever a call's first attempt ends (failed or
// not) and spending one per retry. cockatiel has no budget; resilience.ts asks this one before each
// retry. Trade-off: no time decay (Finagle's deposits expire after a TTL): a long quiet spell saves
// up tokens without bound (capped at 1e9, as in the model).
export class RetryBudget {
  private tokens = 10;

  constructor(private readonly share: number) {}

  /** A first attempt has ended. */
  deposit(): void {
    this.tokens = Math.min(this.tokens + this.share, 1e9);
  }

  /** True (and one token spent) when a retry may go. */
  take(): boolean {
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  get available(): number {
    return this.tokens;
  }
}
