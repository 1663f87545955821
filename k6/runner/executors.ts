// k6's executors. Looping executors (constant-vus, ramping-vus, per-vu-iterations, shared-iterations)
// keep N VUs iterating back to back; arrival-rate executors start iterations by the clock, whatever the
// VUs are doing: an iteration that finds no free VU is dropped and counted in dropped_iterations, and a
// new VU is initialized for later ones while maxVUs allows (as k6 does). Nothing waits for a response
// before starting the next arrival, so coordinated omission cannot hide a slow target.
import type { Engine } from "./engine.ts";
import type { ScenarioConfig, Stage } from "./options.ts";
import { scheduledDurationMs } from "./options.ts";
import { owns } from "./segment.ts";
import type { Vu } from "./vu.ts";

const now = () => performance.now();
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

/** VU count over time for ramping-vus: the times (ms from start) at which the target count changes. */
export function vuSteps(startVUs: number, stages: Stage[]): Array<{ atMs: number; vus: number }> {
  const steps = [{ atMs: 0, vus: startVUs }];
  let t = 0;
  let cur = startVUs;
  for (const st of stages) {
    const diff = st.target - cur;
    if (diff !== 0 && st.durationMs === 0) steps.push({ atMs: t, vus: st.target });
    else {
      for (let i = 1; i <= Math.abs(diff); i++) {
        // the count moves by one each time the linear ramp crosses an integer (k6 rounds toward the start)
        steps.push({ atMs: t + (st.durationMs * i) / Math.abs(diff), vus: cur + Math.sign(diff) * i });
      }
    }
    cur = st.target;
    t += st.durationMs;
  }
  return steps;
}

/**
 * Start offsets (ms) of arrival-rate iterations: iteration k starts when the integral of the rate
 * reaches k, the rate being linear within each stage, as k6's ramping-arrival-rate computes it.
 * constant-arrival-rate counts k from 0 (its first iteration at the start, the last one before the
 * end); ramping-arrival-rate from 1 (k6's `cal`: the first when the integral reaches 1, the last when
 * it reaches the total, the end included).
 */
export function* arrivalOffsets(startRate: number, stages: Stage[], timeUnitMs: number, first: 0 | 1 = 0): Generator<number> {
  let t0 = 0;
  let cum = 0; // iterations due before the stage start
  let k = first;
  let from = startRate;
  for (const st of stages) {
    const a = from / timeUnitMs;
    const b = st.target / timeUnitMs;
    const d = st.durationMs;
    const total = ((a + b) / 2) * d;
    const q = d > 0 ? (b - a) / (2 * d) : 0;
    while (first === 0 ? k < cum + total - 1e-9 : k <= cum + total) {
      const x = k - cum;
      const t = x <= 0 ? 0 : q === 0 ? x / a : (2 * x) / (a + Math.sqrt(Math.max(0, a * a + 4 * q * x)));
      yield t0 + t;
      k++;
    }
    cum += total;
    t0 += d;
    from = st.target;
  }
}

export class ScenarioRun {
  startedAtEpochMs = 0;
  private startedAt = 0;
  private iterCounter = 0;
  private stopped = false;
  private active = new Set<Vu>();
  private readonly inflight = new Set<Promise<void>>();
  vusTaken = 0;

  constructor(
    readonly engine: Engine,
    readonly config: ScenarioConfig,
  ) {}

  progress(): number {
    const total = scheduledDurationMs(this.config);
    return total > 0 ? Math.min(1, (now() - this.startedAt) / total) : 0;
  }

  /** Runs the scenario to its end, including gracefulStop; resolves when no iteration is left running. */
  async run(): Promise<void> {
    await delay(this.config.startTimeMs);
    if (this.engine.aborted) return;
    this.startedAt = now();
    this.startedAtEpochMs = Date.now();
    const c = this.config;
    switch (c.executor) {
      case "constant-vus":
        return this.runLooping([{ atMs: 0, vus: c.vus }], c.durationMs, 0);
      case "ramping-vus":
        return this.runLooping(vuSteps(c.startVUs, c.stages), scheduledDurationMs(c), c.gracefulRampDownMs);
      case "constant-arrival-rate":
        return this.runArrivals(arrivalOffsets(c.rate, [{ durationMs: c.durationMs, target: c.rate }], c.timeUnitMs), c.durationMs);
      case "ramping-arrival-rate":
        return this.runArrivals(arrivalOffsets(c.startRate, c.stages, c.timeUnitMs, 1), scheduledDurationMs(c));
      case "per-vu-iterations":
      case "shared-iterations":
        return this.runIterations();
    }
  }

  /** Stops starting iterations (test abort); running ones get interrupted by the engine. */
  stop(): void {
    this.stopped = true;
  }

  private async waitGraceful(graceMs: number): Promise<void> {
    if (this.inflight.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.all([...this.inflight]).then(() => "done" as const);
    const grace = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), graceMs)));
    const res = await Promise.race([all, grace]);
    clearTimeout(timer);
    if (res === "timeout") {
      for (const vu of this.active) vu.interrupt();
      await all;
    }
  }

  private releaseAll(): void {
    for (const vu of this.active) this.engine.releaseVu(vu);
    this.active.clear();
  }

  private async runLooping(steps: Array<{ atMs: number; vus: number }>, durationMs: number, rampDownMs: number): Promise<void> {
    const c = this.config;
    const slots: Array<{ vu: Vu; stop: boolean; done: Promise<void> }> = [];
    const end = this.startedAt + durationMs;
    const startSlot = () => {
      const vu = this.engine.takeVu();
      this.active.add(vu);
      const slot = { vu, stop: false, done: Promise.resolve() };
      slot.done = (async () => {
        while (!slot.stop && !this.stopped && !this.engine.aborted && now() < end) {
          await this.engine.runIteration(vu, this, this.iterCounter++);
          if (vu.interrupted) break;
        }
      })();
      this.inflight.add(slot.done);
      slots.push(slot);
    };
    const stopSlot = () => {
      const slot = slots.pop()!;
      slot.stop = true;
      // a VU leaving during ramp-down may finish its iteration within gracefulRampDown
      const timer = setTimeout(() => slot.vu.interrupt(), rampDownMs);
      slot.done.then(() => {
        clearTimeout(timer);
        this.inflight.delete(slot.done);
        this.active.delete(slot.vu);
        this.engine.releaseVu(slot.vu);
      });
    };
    for (const step of steps) {
      const wait = this.startedAt + step.atMs - now();
      if (wait > 0) await delay(wait);
      if (this.stopped || this.engine.aborted || now() >= end) break;
      while (slots.length < step.vus) startSlot();
      while (slots.length > step.vus) stopSlot();
    }
    const left = end - now();
    if (left > 0 && !this.stopped && !this.engine.aborted) await this.engine.sleepUnlessAborted(left);
    for (const s of slots) s.stop = true;
    await this.waitGraceful(c.gracefulStopMs);
    this.releaseAll();
  }

  private async runArrivals(offsets: Generator<number>, durationMs: number): Promise<void> {
    const c = this.config;
    const free: Vu[] = [];
    for (let i = 0; i < c.preAllocatedVUs; i++) {
      const vu = this.engine.takeVu(true);
      this.active.add(vu);
      free.push(vu);
    }
    this.vusTaken = c.preAllocatedVUs;
    const dropped = this.engine.builtins.dropped_iterations;
    const droppedTags = { ...this.engine.globalTags, ...c.tags, scenario: c.name };
    const seg = c.segment;
    let global = 0; // the index of `next` in the unsegmented schedule
    let next = offsets.next();
    while (!next.done && !this.stopped && !this.engine.aborted) {
      if (seg && !owns(seg, global)) {
        // another generator's arrival (execution segments): not started here, not dropped here
        next = offsets.next();
        global++;
        continue;
      }
      const due = this.startedAt + next.value;
      const t = now();
      if (due > t) {
        // sleep until the next arrival; timers fire up to ~1 ms late, late arrivals start at once
        await delay(due - t - 0.5);
        continue;
      }
      if (next.value > durationMs) break; // k6 may start an iteration due exactly at the end
      const vu = free.pop();
      if (!vu) {
        this.engine.metrics.push(dropped, 1, droppedTags);
        if (this.vusTaken < c.maxVUs) {
          this.vusTaken++;
          const fresh = this.engine.takeVu(true);
          this.active.add(fresh);
          free.push(fresh);
        }
      } else {
        const p: Promise<void> = this.engine.runIteration(vu, this, this.iterCounter++).then(() => {
          this.inflight.delete(p);
          if (!vu.interrupted) free.push(vu);
        });
        this.inflight.add(p);
      }
      next = offsets.next();
      global++;
    }
    await this.waitGraceful(c.gracefulStopMs);
    this.releaseAll();
  }

  private async runIterations(): Promise<void> {
    const c = this.config;
    const deadline = this.startedAt + c.maxDurationMs;
    let shared = 0;
    const loops: Promise<void>[] = [];
    for (let i = 0; i < c.vus; i++) {
      const vu = this.engine.takeVu();
      this.active.add(vu);
      let own = 0;
      const p = (async () => {
        for (;;) {
          if (this.stopped || this.engine.aborted || now() >= deadline || vu.interrupted) return;
          if (c.executor === "shared-iterations" ? shared++ >= c.iterations : own++ >= c.iterations) return;
          await this.engine.runIteration(vu, this, this.iterCounter++);
        }
      })();
      loops.push(p);
      this.inflight.add(p);
    }
    const all = Promise.all(loops);
    const left = deadline - now();
    let timer: NodeJS.Timeout | undefined;
    const res = await Promise.race([all.then(() => "done"), new Promise((r) => (timer = setTimeout(() => r("max"), left)))]);
    clearTimeout(timer);
    if (res === "max") await this.waitGraceful(c.gracefulStopMs);
    this.releaseAll();
  }
}
