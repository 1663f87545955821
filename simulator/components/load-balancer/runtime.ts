// The load balancers' state over one replication, for all of them: the backend choice (HAProxy's
// algorithms: round robin, smooth weighted round robin, random, least connections from a heap,
// power of two choices, consistent hashing), what each balancer's health checks believe of its
// backends, the rate limit's token bucket, and the backend queue (HAProxy's: requests wait there
// when every server is at maxconn) with its time-weighted length. The kernel keeps the task rows:
// it moves a task into the queue (OP_BALANCE) and out of it (a connection came free, a backend
// came up, the wait timed out, the region went down), takes and gives back the connection
// resources, and schedules the health checks' verdicts (EV_DETECT) at the delays drawn here.
// The choice reads the kernel's live units and replica states (RuntimeContext.kernel); the
// methods take and return numbers and allocate nothing (the queue's ring doubles when full).
import { hashKey } from "../../engine/hash-key.ts";
import { IndexedMinHeap } from "../../engine/indexed-heap.ts";
import type { Rng } from "../../engine/rng.ts";
import type { ComponentStats } from "../../engine/simulation.ts";
import { ALG_HASH, ALG_LEAST_CONN, ALG_POWER_OF_TWO, ALG_RANDOM, REP_DOWN, REP_SERVING } from "../../engine/codes.ts";
import type { RuntimeContext } from "../kind.ts";
import type { BalancerSpec } from "./compile.ts";

export class BalancerRuntime {
  private readonly busy: Int32Array;
  private readonly units: Float64Array;
  private readonly repState: Uint8Array;
  private readonly cStats: readonly ComponentStats[];

  // The backend queue: a FIFO ring of task ids per balancer, and the requests in it still waiting.
  private readonly rings: Int32Array[];
  private readonly head: Int32Array;
  private readonly len: Int32Array;
  private readonly waiting: Int32Array;
  private readonly lastTouch: Float64Array;

  private readonly rr: Int32Array;
  /** Smooth weighted round robin: each backend's current weight, per balancer (nginx's current_weight). */
  private readonly swrr: Float64Array[];
  /** Consistent hashing: backends already looked at during the current walk round the ring. */
  private readonly ringSeen: Float64Array;
  private ringStamp = 0;
  /** Per balancer: backend choice (random, power of two). */
  private readonly rng: Rng[];
  // Least-connections balancers: their eligible backends in a heap by connections per weight (ties
  // to the longest unpicked), so a choice is O(log n) instead of a scan of every backend.
  private readonly lcHeap: Array<IndexedMinHeap | undefined>;
  private lcPicks = 0;
  /** Per resource: the least-connections balancer whose backend connection it is (-1: none), and which backend. */
  private readonly resLb: Int32Array;
  private readonly resLbK: Int32Array;
  /** Seconds a request refused by a dead backend holds this balancer connection resource (0 elsewhere). */
  private readonly refusedHold: Float64Array;
  /** Per service replica: (balancer, backend) pairs of the least-connections balancers in front of it. */
  private readonly repLc: Int32Array[];
  /** Per balancer: 1 when its weights are all equal (the fast paths of round robin, least connections, power of two). */
  private readonly equalWeights: Uint8Array;
  /** Per balancer and backend: whether that balancer believes the replica up (its own health checks). */
  private readonly seen: Uint8Array[];
  /** Per balancer: when its health checks notice a change. */
  private readonly healthRng: Rng[];
  private readonly tokens: Float64Array;
  private readonly tokenTime: Float64Array;

  constructor(private readonly specs: readonly BalancerSpec[], ctx: RuntimeContext) {
    const k = ctx.kernel;
    this.busy = k.busy;
    this.units = k.units;
    this.repState = k.replicaState;
    this.cStats = k.componentStats;
    const nB = specs.length;
    const nR = k.busy.length;
    const nRep = k.replicaState.length;
    const name = (b: BalancerSpec) => ctx.componentNames[b.component];
    this.rings = specs.map(() => new Int32Array(16));
    this.head = new Int32Array(nB);
    this.len = new Int32Array(nB);
    this.waiting = new Int32Array(nB);
    this.lastTouch = new Float64Array(nB);
    this.rr = new Int32Array(nB);
    this.swrr = specs.map((lb) => new Float64Array(lb.conns.length));
    this.ringSeen = new Float64Array(specs.reduce((a, lb) => Math.max(a, lb.conns.length), 0));
    this.rng = specs.map((b) => ctx.stream(`balancer:${name(b)}`));
    this.seen = specs.map((lb) => new Uint8Array(lb.conns.length).fill(1));
    this.resLb = new Int32Array(nR).fill(-1);
    this.refusedHold = new Float64Array(nR);
    for (const lb of specs) for (const r of lb.conns) this.refusedHold[r] = lb.refusedHold;
    this.resLbK = new Int32Array(nR);
    const pairs: number[][] = Array.from({ length: nRep }, () => []);
    this.lcHeap = specs.map((lb, b) => {
      if (lb.algorithm !== ALG_LEAST_CONN) return undefined;
      lb.conns.forEach((r, i) => { this.resLb[r] = b; this.resLbK[r] = i; pairs[lb.replicas[i]].push(b, i); });
      return new IndexedMinHeap(lb.conns.length);
    });
    this.repLc = pairs.map((x) => Int32Array.from(x));
    this.equalWeights = Uint8Array.from(specs, (lb) => (lb.weights.every((w) => w === lb.weights[0]) ? 1 : 0));
    this.healthRng = specs.map((b) => ctx.stream(`health-checks:${name(b)}`));
    this.tokens = Float64Array.from(specs, (b) => b.rateLimit?.burst ?? 0);
    this.tokenTime = new Float64Array(nB);
  }

  // ---------------------------------------------------------------- the backend queue

  /** Adds the queue's length over the time since its last change to the balancer's queue area. */
  touch(b: number, now: number): void {
    const dt = now - this.lastTouch[b];
    if (dt > 0) {
      this.cStats[this.specs[b].component].queueArea += this.waiting[b] * dt;
      this.lastTouch[b] = now;
    }
  }

  /** Task t waits in balancer b's queue (every open backend is at maxconn). */
  enqueue(b: number, t: number, now: number, measuring: boolean): void {
    this.touch(b, now);
    this.waiting[b]++;
    const cs = this.cStats[this.specs[b].component];
    if (measuring && this.waiting[b] > cs.maxQueue) cs.maxQueue = this.waiting[b];
    let ring = this.rings[b];
    if (this.len[b] === ring.length) {
      const bigger = new Int32Array(ring.length * 2);
      for (let i = 0; i < this.len[b]; i++) bigger[i] = ring[(this.head[b] + i) % ring.length];
      this.rings[b] = ring = bigger;
      this.head[b] = 0;
    }
    ring[(this.head[b] + this.len[b]) % ring.length] = t;
    this.len[b]++;
  }

  /** Entries in balancer b's ring (tasks that gave up included, until they reach its head). */
  queued(b: number): number {
    return this.len[b];
  }

  /** The task at the head of balancer b's ring (queued(b) > 0). */
  first(b: number): number {
    return this.rings[b][this.head[b]];
  }

  /** Removes the head of balancer b's ring. */
  shift(b: number): void {
    this.head[b] = (this.head[b] + 1) % this.rings[b].length;
    this.len[b]--;
  }

  /** A waiting request left balancer b's queue (it got a connection, timed out or failed). */
  leave(b: number, now: number): void {
    this.touch(b, now);
    this.waiting[b]--;
  }

  // ---------------------------------------------------------------- admission and backend choice

  /** The token bucket of a rate-limited balancer at time now: true when the request may pass. */
  take(b: number, now: number): boolean {
    const rl = this.specs[b].rateLimit;
    if (!rl) return true;
    this.tokens[b] = Math.min(rl.burst, this.tokens[b] + rl.rate * (now - this.tokenTime[b]));
    this.tokenTime[b] = now;
    if (this.tokens[b] >= 1) { this.tokens[b]--; return true; }
    return false;
  }

  /** Whether backend k of balancer b takes a new connection: below maxconn, believed up, and not switched off or booting. */
  open(b: number, k: number): boolean {
    const lb = this.specs[b];
    const r = lb.conns[k];
    const st = this.repState[lb.replicas[k]];
    return this.busy[r] < this.units[r] && this.seen[b][k] === 1 && (st === REP_SERVING || st === REP_DOWN);
  }

  /** HAProxy-like server choice among the backends that are open for a request with this key: the backend, or -1 when none is. */
  choose(b: number, key: number): number {
    const lb = this.specs[b];
    const conns = lb.conns;
    const n = conns.length;
    switch (lb.algorithm) {
      case ALG_RANDOM: {
        // Weighted random among the open backends.
        let total = 0;
        for (let k = 0; k < n; k++) if (this.open(b, k)) total += lb.weights[k];
        if (total === 0) return -1;
        let u = this.rng[b].next() * total;
        for (let k = 0; k < n; k++) {
          if (!this.open(b, k)) continue;
          u -= lb.weights[k];
          if (u < 0) return k;
        }
        for (let k = n - 1; k >= 0; k--) if (this.open(b, k)) return k;
        return -1;
      }
      case ALG_LEAST_CONN: {
        // Fewest connections relative to weight, from the heap; ties go to the backend picked
        // longest ago (round robin among equals, as in HAProxy).
        const top = this.lcHeap[b]!.top();
        if (top < 0) return -1;
        if (this.busy[conns[top]] < this.units[conns[top]]) return top;
        // The least loaded is at maxconn: with equal weights so is every backend; with unequal
        // weights one with more connections per weight may still have room, so look at all.
        if (this.equalWeights[b] !== 0) return -1;
        let best = -1, bestLoad = Infinity;
        const start = this.rr[b]++ % n;
        for (let i = 0; i < n; i++) {
          const k = (start + i) % n;
          if (!this.open(b, k)) continue;
          const load = this.busy[conns[k]] / lb.weights[k];
          if (load < bestLoad) { bestLoad = load; best = k; }
        }
        return best;
      }
      case ALG_POWER_OF_TWO: {
        if (this.equalWeights[b] === 0) return this.weightedTwoChoices(b);
        const rng = this.rng[b];
        const a = (rng.next() * n) | 0;
        let c = (rng.next() * (n - 1)) | 0;
        if (c >= a) c++;
        const pick = n === 1 || this.busy[conns[a]] <= this.busy[conns[c]] ? a : c;
        if (this.open(b, pick)) return pick;
        const other = pick === a ? c : a;
        if (n > 1 && this.open(b, other)) return other;
        for (let k = 0; k < n; k++) if (this.open(b, k)) return k;
        return -1;
      }
      case ALG_HASH: {
        // Consistent hashing by request key: the owner of the key's point on the ring, else the
        // next open backend clockwise; the walk stops once every backend has been looked at.
        const ring = lb.ring!;
        const owner = ring.owner, m = owner.length;
        const stamp = ++this.ringStamp;
        let i = ring.first(hashKey(key));
        for (let seen = 0, s = 0; seen < n && s < m; s++) {
          const k = owner[i];
          if (this.ringSeen[k] !== stamp) {
            this.ringSeen[k] = stamp;
            seen++;
            if (this.open(b, k)) return k;
          }
          if (++i === m) i = 0;
        }
        return -1;
      }
      default: {
        // Smooth weighted round robin (nginx): every open backend's current weight grows by its
        // weight, the largest is picked and loses the total. Weights [3, 1] give a a b a a a b a ...,
        // 75/25 as HAProxy's weighted roundrobin. Equal weights give plain rotation, done directly
        // (O(1) when the next backend is open).
        if (this.equalWeights[b] !== 0) {
          for (let i = 0; i < n; i++) {
            const k = this.rr[b]++ % n;
            if (this.open(b, k)) return k;
          }
          return -1;
        }
        const cur = this.swrr[b];
        let best = -1, total = 0;
        for (let k = 0; k < n; k++) {
          if (!this.open(b, k)) continue;
          cur[k] += lb.weights[k];
          total += lb.weights[k];
          if (best < 0 || cur[k] > cur[best]) best = k;
        }
        if (best >= 0) cur[best] -= total;
        return best;
      }
    }
  }

  /**
   * Power of two choices with weights, as HAProxy's random(2): two distinct backends drawn among
   * the open ones with probability proportional to weight, and the one with fewer connections per
   * weight wins (ties to the first drawn).
   */
  private weightedTwoChoices(b: number): number {
    const lb = this.specs[b];
    const n = lb.conns.length;
    const rng = this.rng[b];
    let total = 0;
    for (let k = 0; k < n; k++) if (this.open(b, k)) total += lb.weights[k];
    if (total === 0) return -1;
    const a = this.weightedPick(b, rng.next() * total, -1);
    const rest = total - lb.weights[a];
    if (rest <= 0) return a;
    const c = this.weightedPick(b, rng.next() * rest, a);
    const conns = lb.conns;
    return this.busy[conns[c]] * lb.weights[a] < this.busy[conns[a]] * lb.weights[c] ? c : a;
  }

  /** The open backend (other than `skip`) where u, a point in [0, open weight), falls. */
  private weightedPick(b: number, u: number, skip: number): number {
    const lb = this.specs[b];
    let last = -1;
    for (let k = 0; k < lb.conns.length; k++) {
      if (k === skip || !this.open(b, k)) continue;
      last = k;
      u -= lb.weights[k];
      if (u < 0) return k;
    }
    return last; // rounding left u a hair above 0
  }

  /** Seconds a request refused by a dead backend holds connection resource r (its connect retries). */
  refusedHoldOf(r: number): number {
    return this.refusedHold[r];
  }

  // ---------------------------------------------------------------- least connections

  /** Balancer b's backend k got a connection (the kernel took the unit): its heap place follows. */
  picked(b: number, k: number): void {
    if (this.lcHeap[b] !== undefined) this.lcRefresh(b, k, true);
  }

  /** Resource r gave a unit back: if it is a least-connections backend connection, its heap place follows. */
  released(r: number): void {
    if (this.resLb[r] >= 0) this.lcRefresh(this.resLb[r], this.resLbK[r], false);
  }

  /** A replica's state or health verdict changed: its place in least-connections heaps follows. */
  replicaChanged(g: number): void {
    const pairs = this.repLc[g];
    for (let i = 0; i < pairs.length; i += 2) this.lcRefresh(pairs[i], pairs[i + 1], false);
  }

  /** Backend k of least-connections balancer b: in its heap if open to new connections, keyed by load. */
  private lcRefresh(b: number, k: number, picked: boolean): void {
    const lb = this.specs[b];
    const h = this.lcHeap[b]!;
    const g = lb.replicas[k];
    const st = this.repState[g];
    if (this.seen[b][k] !== 1 || (st !== REP_SERVING && st !== REP_DOWN)) { h.remove(k); return; }
    h.set(k, this.busy[lb.conns[k]] / lb.weights[k], picked ? ++this.lcPicks : h.seqOf(k));
  }

  // ---------------------------------------------------------------- health checks

  /** Whether balancer b believes its backend k up. */
  sees(b: number, k: number): boolean {
    return this.seen[b][k] === 1;
  }

  /** A new instance behind backend k registered with balancer b: believed up at once (its heap place follows on replicaChanged). */
  register(b: number, k: number): void {
    this.seen[b][k] = 1;
  }

  /** Balancer b's health checks have concluded on backend k: up (1) or down (0). */
  verdict(b: number, k: number, up: number): void {
    this.seen[b][k] = up;
    if (this.lcHeap[b] !== undefined) this.lcRefresh(b, k, false);
  }

  /**
   * Seconds until balancer b's health checks notice that a backend went down (up = 0) or came up
   * (1): `fall` (or `rise`) checks, the first a uniform fraction of an interval after the change.
   * Only for a balancer with health checks.
   */
  checkDelay(b: number, up: number): number {
    const health = this.specs[b].health!;
    const checks = up ? health.rise : health.fall;
    return health.interval * (checks - 1 + this.healthRng[b].next());
  }
}
