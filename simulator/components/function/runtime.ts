// A function's instances over one replication. The admission resource (compile.ts) already holds
// an invocation slot when the kernel asks `assign` for an instance, so one always exists: a warm
// instance with a free slot (a partly busy one first, then the most recently used idle one, as
// Lambda and Cloud Run reuse the warmest), else a starting instance with a free slot (the
// invocation waits for its start: cold), else a new instance (cold, its start drawn from
// cold_start). An instance left without work is reclaimed idle_timeout later unless work came
// back first or the pool would fall below `provisioned`; the kernel schedules those timers
// (EV_FN_READY, EV_FN_IDLE) with the numbers these methods return.
//
// Shared boots (`boot_capacity` c, optional): the instances starting at once share c boots' worth of
// capacity, processor sharing. A start's cold_start draw is its work alone; while k start at once
// each progresses at min(1, c/k), so k > c take k/c times longer. The completion order is fixed by
// each boot's virtual finish (the progress a lone boot would have reached), so only the next one is
// scheduled (EV_FN_BOOT with the function in its argument and a generation: a start or an end
// reschedules it, an older event is stale), and its invocations wait on the instance (woken by the
// engine at its end) instead of resuming at a time known in advance. Without it a start's time is
// its draw, known when it begins, as before.
//
// Instances live in intrusive doubly linked lists over typed arrays, one list per state (off,
// starting with a free slot, warm and partly busy, warm and idle, full), so every choice is O(1)
// and nothing is allocated per invocation. The idle list is kept most recently used first, so
// the least recently used instance is the one idle_timeout reclaims first.
import type { Rng } from "../../engine/rng.ts";
import type { Sampler } from "../../engine/distributions.ts";
import { Histogram } from "../../engine/histogram.ts";
import type { RuntimeContext } from "../kind.ts";
import type { FunctionSpec } from "./compile.ts";

const S_OFF = 0, S_BOOTING = 1, S_READY = 2;
const L_OFF = 0, L_BOOT = 1, L_OPEN = 2, L_IDLE = 3, L_FULL = 4, LISTS = 5;

/** What a function's result reads of one replication (statistics window only). */
export interface FunctionStats {
  /** Invocation time at the function (admission wait, cold start, handler) of those that completed. */
  readonly coldLatency: Histogram;
  readonly warmLatency: Histogram;
  /** Instance-seconds alive (starting, working or idle). */
  aliveArea: number;
  /** Instance-seconds starting or with an invocation in progress: what GB-seconds bill. */
  activeArea: number;
  /** Most instances alive at once. */
  peak: number;
  /** Memory per instance, GB (activeArea x memoryGb is the GB-seconds billed). */
  readonly memoryGb: number;
  /** Start to ready of each instance whose start ended in the window: its cold_start draw, stretched when starts share boot_capacity. */
  readonly bootTime: Histogram;
  /** Instance-seconds starting. */
  bootingArea: number;
  /** Most instances starting at once. */
  peakBooting: number;
}

export class FunctionRuntime {
  /** The invocation `assign` last placed started cold (1) or warm (0). */
  cold = 0;
  /** `assign` started a new instance: the kernel schedules its EV_FN_READY at readyAt. */
  started = 0;
  readonly stats: FunctionStats[];

  private readonly samplers: readonly Sampler[];
  private readonly coldRng: Rng[];
  private readonly fnOf: Int32Array;
  private readonly state: Uint8Array;
  private readonly busy: Int32Array;
  readonly readyAt: Float64Array;
  /** When the instance last became idle, and whether an idle timer is pending for it (at most one each). */
  private readonly idleSince: Float64Array;
  private readonly timer: Uint8Array;
  private readonly list: Uint8Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly head: Int32Array;
  private readonly alive: Int32Array;
  private readonly active: Int32Array;
  private readonly last: Float64Array;
  /** Instance-seconds active since the start of the run (the series' per-interval figures). */
  private readonly activeTotal: Float64Array;
  /** Per function, instances starting now; per instance, when its start began. */
  private readonly starting: Int32Array;
  private readonly bootStart: Float64Array;
  private measuring: boolean;
  /** Shared boots (boot_capacity): per function the virtual progress, when it was brought up to date, boots in progress, and the next end's event generation. */
  private readonly vNow: Float64Array;
  private readonly vLast: Float64Array;
  private readonly nBoot: Int32Array;
  readonly bootGen: Int32Array;
  /** Per function, its booting instances (the first nBoot entries from its first instance's offset); per instance, its boot's virtual end. */
  private readonly booting: Int32Array;
  private readonly vEnd: Float64Array;
  private readonly base: Int32Array;
  /** Per instance, the first invocation waiting for its shared boot (-1: none); the engine links the rest through its task table. */
  readonly waitHead: Int32Array;
  /** `assign` placed a cold invocation on an instance with a shared boot: the engine parks it (waitHead) and reschedules the function's next boot end when `started`. */
  shared = 0;

  constructor(private readonly specs: readonly FunctionSpec[], ctx: RuntimeContext, measuring: boolean) {
    this.measuring = measuring;
    this.samplers = ctx.samplers;
    this.coldRng = specs.map((f) => ctx.stream(`function:${ctx.componentNames[f.component]}:cold-start`));
    const n = specs.reduce((a, f) => a + f.maxInstances, 0);
    this.fnOf = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.busy = new Int32Array(n);
    this.idleSince = new Float64Array(n);
    this.timer = new Uint8Array(n);
    this.readyAt = new Float64Array(n);
    this.list = new Uint8Array(n);
    this.next = new Int32Array(n).fill(-1);
    this.prev = new Int32Array(n).fill(-1);
    this.head = new Int32Array(specs.length * LISTS).fill(-1);
    this.alive = new Int32Array(specs.length);
    this.active = new Int32Array(specs.length);
    this.last = new Float64Array(specs.length);
    this.activeTotal = new Float64Array(specs.length);
    this.starting = new Int32Array(specs.length);
    this.bootStart = new Float64Array(n);
    this.stats = specs.map((f) => ({
      coldLatency: new Histogram(), warmLatency: new Histogram(), aliveArea: 0, activeArea: 0, peak: 0, memoryGb: f.memoryGb,
      bootTime: new Histogram(), bootingArea: 0, peakBooting: 0,
    }));
    this.vNow = new Float64Array(specs.length);
    this.vLast = new Float64Array(specs.length);
    this.nBoot = new Int32Array(specs.length);
    this.bootGen = new Int32Array(specs.length);
    this.booting = new Int32Array(n);
    this.vEnd = new Float64Array(n);
    this.base = new Int32Array(specs.length);
    this.waitHead = new Int32Array(n).fill(-1);
    let at = 0;
    specs.forEach((f, k) => {
      this.base[k] = at;
      // Pushed last first, so each list reads in instance order from its head.
      for (let i = f.maxInstances - 1; i >= 0; i--) {
        const g = at + i;
        this.fnOf[g] = k;
        if (i < f.provisioned) { this.state[g] = S_READY; this.push(g, L_IDLE); } else this.push(g, L_OFF);
      }
      this.alive[k] = f.provisioned;
      this.stats[k].peak = f.provisioned;
      at += f.maxInstances;
    });
  }

  /** The function of global instance i. */
  functionOf(i: number): number {
    return this.fnOf[i];
  }

  /** Instances alive now. */
  instances(f: number): number {
    return this.alive[f];
  }

  /** Instance-seconds active since the run began, up to now. Reads only: a series sample must not
   * split the areas' sums (rounding would then differ with series on and off). */
  activeSoFar(f: number, now: number): number {
    return this.activeTotal[f] + this.active[f] * Math.max(now - this.last[f], 0);
  }

  /**
   * Places an invocation that holds a slot of function f: returns the instance; sets `cold`, and
   * `started` when the instance is new (its start ends at readyAt).
   */
  assign(f: number, now: number): number {
    const spec = this.specs[f];
    const h = f * LISTS;
    this.touch(f, now);
    this.started = 0;
    let i = this.head[h + L_OPEN];
    if (i < 0) i = this.head[h + L_IDLE];
    if (i >= 0) {
      this.cold = 0;
      if (this.busy[i] === 0) this.active[f]++;
    } else {
      i = this.head[h + L_BOOT];
      this.cold = 1;
      if (i < 0) {
        i = this.head[h + L_OFF];
        if (i < 0) return -1; // cannot happen while the slots bound the invocations
        this.state[i] = S_BOOTING;
        const w = this.samplers[spec.coldSampler].sample(this.coldRng[f]);
        if (spec.bootCapacity === Infinity) this.readyAt[i] = now + w;
        else {
          this.advance(f, now);
          this.vEnd[i] = this.vNow[f] + w;
          this.booting[this.base[f] + this.nBoot[f]++] = i;
        }
        this.started = 1;
        this.alive[f]++;
        this.active[f]++;
        this.starting[f]++;
        this.bootStart[i] = now;
        if (this.measuring) {
          if (this.alive[f] > this.stats[f].peak) this.stats[f].peak = this.alive[f];
          if (this.starting[f] > this.stats[f].peakBooting) this.stats[f].peakBooting = this.starting[f];
        }
      }
    }
    this.shared = this.cold === 1 && spec.bootCapacity !== Infinity ? 1 : 0;
    this.busy[i]++;
    this.place(i);
    return i;
  }

  /** Shared boots of f: their virtual progress brought up to now. */
  private advance(f: number, now: number): void {
    const k = this.nBoot[f];
    if (k > 0) this.vNow[f] += (now - this.vLast[f]) * Math.min(1, this.specs[f].bootCapacity / k);
    this.vLast[f] = now;
  }

  /** The booting instance of f that ends first (the least virtual end; the earliest started of equal ones), as its index in the booting list; -1: none. */
  private firstBoot(f: number): number {
    const b = this.base[f], k = this.nBoot[f];
    let best = -1;
    for (let j = 0; j < k; j++) if (best < 0 || this.vEnd[this.booting[b + j]] < this.vEnd[this.booting[b + best]]) best = j;
    return best;
  }

  /** Shared boots of f: when the next one ends at the present sharing (-1: none booting). Call after a start or an end, and bump bootGen. */
  nextBootEnd(f: number, now: number): number {
    const j = this.firstBoot(f);
    if (j < 0) return -1;
    this.advance(f, now);
    const rate = Math.min(1, this.specs[f].bootCapacity / this.nBoot[f]);
    return now + Math.max(0, this.vEnd[this.booting[this.base[f] + j]] - this.vNow[f]) / rate;
  }

  /** Shared boots of f: the next one ended now (its EV_FN_READY was current); returns its instance, taken off the booting list (then call ready). */
  bootEnded(f: number, now: number): number {
    this.advance(f, now);
    const j = this.firstBoot(f);
    const b = this.base[f];
    const i = this.booting[b + j];
    // keep the list's order: the earliest started first among equal virtual ends
    for (let x = j + 1; x < this.nBoot[f]; x++) this.booting[b + x - 1] = this.booting[b + x];
    this.nBoot[f]--;
    return i;
  }

  /**
   * Instance i has started: it takes work warm from now. Returns when its idle timer is due if it
   * is left without work (its invocations gave up) and none is pending, else -1.
   */
  ready(i: number, now: number): number {
    if (this.state[i] !== S_BOOTING) return -1;
    const f = this.fnOf[i];
    this.touch(f, now);
    this.state[i] = S_READY;
    this.starting[f]--;
    if (this.measuring) this.stats[f].bootTime.record(now - this.bootStart[i]);
    if (this.busy[i] === 0) this.active[f]--;
    this.place(i);
    return this.busy[i] === 0 ? this.idle(i, now) : -1;
  }

  /** An invocation on instance i ended. Returns when an idle timer is due (schedule EV_FN_IDLE then), else -1. */
  release(i: number, now: number): number {
    const f = this.fnOf[i];
    this.touch(f, now);
    this.busy[i]--;
    if (this.busy[i] === 0 && this.state[i] === S_READY) this.active[f]--;
    this.place(i);
    return this.busy[i] === 0 && this.state[i] === S_READY ? this.idle(i, now) : -1;
  }

  /**
   * Instance i's idle timer fired. Reclaims it when it has been idle for idle_timeout and the pool
   * stays at or above `provisioned`; when it worked since the timer was armed and is idle again,
   * returns when the timer is due now (one pending timer per instance, never one per invocation);
   * else -1.
   */
  idleExpired(i: number, now: number): number {
    const f = this.fnOf[i];
    this.timer[i] = 0;
    if (this.state[i] !== S_READY || this.busy[i] !== 0) return -1;
    const due = this.idleSince[i] + this.specs[f].idleTimeout;
    if (due > now) { this.timer[i] = 1; return due; }
    // Kept warm: at least `provisioned` instances stay; this one waits for work without a timer
    // (its next idle spell arms one).
    if (this.alive[f] <= this.specs[f].provisioned) return -1;
    this.touch(f, now);
    this.state[i] = S_OFF;
    this.alive[f]--;
    this.place(i);
    return -1;
  }

  private idle(i: number, now: number): number {
    this.idleSince[i] = now;
    if (this.timer[i] !== 0) return -1;
    this.timer[i] = 1;
    return now + this.specs[this.fnOf[i]].idleTimeout;
  }

  record(f: number, latency: number, cold: number): void {
    (cold ? this.stats[f].coldLatency : this.stats[f].warmLatency).record(latency);
  }

  /** The statistics window opens: the areas restart from now. */
  startMeasuring(now: number): void {
    for (let f = 0; f < this.specs.length; f++) {
      this.touch(f, now);
      this.stats[f].aliveArea = 0;
      this.stats[f].activeArea = 0;
      this.stats[f].bootingArea = 0;
      this.stats[f].peak = this.alive[f];
      this.stats[f].peakBooting = this.starting[f];
    }
    this.measuring = true;
  }

  /** The run ends at now: areas brought up to it. */
  finish(now: number): void {
    for (let f = 0; f < this.specs.length; f++) this.touch(f, now);
  }

  private touch(f: number, now: number): void {
    const dt = now - this.last[f];
    if (dt <= 0) return;
    this.activeTotal[f] += this.active[f] * dt;
    this.stats[f].aliveArea += this.alive[f] * dt;
    this.stats[f].activeArea += this.active[f] * dt;
    this.stats[f].bootingArea += this.starting[f] * dt;
    this.last[f] = now;
  }

  /** Moves instance i to the list its state and load call for. */
  private place(i: number): void {
    const c = this.specs[this.fnOf[i]].concurrency;
    const st = this.state[i];
    const to = st === S_OFF ? L_OFF : this.busy[i] >= c ? L_FULL : st === S_BOOTING ? L_BOOT : this.busy[i] === 0 ? L_IDLE : L_OPEN;
    if (to === this.list[i] && to !== L_IDLE) return;
    this.unlink(i);
    this.push(i, to);
  }

  private push(i: number, l: number): void {
    const h = this.fnOf[i] * LISTS + l;
    const first = this.head[h];
    this.next[i] = first;
    this.prev[i] = -1;
    if (first >= 0) this.prev[first] = i;
    this.head[h] = i;
    this.list[i] = l;
  }

  private unlink(i: number): void {
    const h = this.fnOf[i] * LISTS + this.list[i];
    const a = this.prev[i], b = this.next[i];
    if (a >= 0) this.next[a] = b; else this.head[h] = b;
    if (b >= 0) this.prev[b] = a;
    this.next[i] = -1;
    this.prev[i] = -1;
  }
}
