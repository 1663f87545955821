// The databases' state over one replication: per shard which node is the primary (a failover
// promotes a replica) and whether writes are refused (the primary failed, none promoted yet), the
// nodes that failed, when each key was last written (a replica read of it within a lag draw is
// stale), and the windows of acknowledged writes an asynchronous failover loses. The kernel runs
// a query's phases (pool connection, node, synchronous apply) on its task rows and asks these
// methods which node serves, whether a node is down, what a read found; they take and return
// numbers and allocate nothing. The tables' rows and costs are engine/tables.ts's.
import type { Rng } from "../../engine/rng.ts";
import type { Sampler } from "../../engine/distributions.ts";
import type { FaultSpec } from "../../engine/fault-plan.ts";
import type { RuntimeContext } from "../kind.ts";
import type { DatabaseSpec } from "./compile.ts";

export class DatabaseRuntime {
  private readonly samplers: readonly Sampler[];
  private readonly faults: readonly FaultSpec[];
  /** Per database and shard: index within the shard's nodes of the current primary. */
  private readonly primary: Int32Array[];
  private readonly writesDown: Uint8Array[];
  /** Per resource: a database node that failed (and stays out). */
  private readonly nodeDown: Uint8Array;
  /**
   * Lost writes of an asynchronous failover: per fault plan entry, the window (lostFrom, lostTo]
   * of acknowledgement times whose writes the promoted replica will not have (the failure time
   * minus one replication-lag draw, from the stream `database:<name>:failover#<entry>`), and per
   * database whether some entry watches it (0: nothing is checked on a write).
   */
  private readonly lostFrom: Float64Array;
  private readonly lostTo: Float64Array;
  private readonly lostWatch: Uint8Array;
  /** Per database and key: when it was last written (-Infinity: never). */
  private readonly lastWrite: Float64Array[];
  /** Per database: which replica serves a read; replication lag draws apart. */
  private readonly rng: Rng[];
  private readonly lagRng: Rng[];

  constructor(private readonly specs: readonly DatabaseSpec[], ctx: RuntimeContext) {
    this.samplers = ctx.samplers;
    this.faults = ctx.faults;
    const name = (d: DatabaseSpec) => ctx.componentNames[d.component];
    this.nodeDown = new Uint8Array(ctx.kernel.busy.length);
    this.primary = specs.map((d) => new Int32Array(d.shards));
    this.writesDown = specs.map((d) => new Uint8Array(d.shards));
    this.lostFrom = new Float64Array(ctx.faults.length);
    this.lostTo = new Float64Array(ctx.faults.length);
    this.lostWatch = new Uint8Array(specs.length);
    ctx.faults.forEach((f, i) => {
      if (f.kind !== "fail_primary") return;
      const db = specs[f.database];
      if (db.synchronous || db.lagSampler < 0) return;
      const lag = ctx.samplers[db.lagSampler].sample(ctx.stream(`database:${name(db)}:failover#${i}`));
      this.lostFrom[i] = f.at - lag;
      this.lostTo[i] = f.at;
      this.lostWatch[f.database] = 1;
    });
    this.lastWrite = specs.map(() => new Float64Array(ctx.keySpace).fill(-Infinity));
    this.rng = specs.map((d) => ctx.stream(`database:${name(d)}`));
    this.lagRng = specs.map((d) => ctx.stream(`database:${name(d)}:lag`));
  }

  /** The index, within shard `shard`'s nodes of database d, of its primary now. */
  primaryOf(d: number, shard: number): number {
    return this.primary[d][shard];
  }

  /** The node resource of the shard's primary now. */
  primaryNode(d: number, shard: number): number {
    const db = this.specs[d];
    return db.nodes[shard * db.nodesPerShard + this.primary[d][shard]];
  }

  /** Whether node resource r failed. */
  isDown(r: number): boolean {
    return this.nodeDown[r] !== 0;
  }

  /**
   * The node (index within the shard) that serves a query on shard `shard` of database d, or -1
   * when it cannot be served (that node failed, or a write while the shard has no primary). A read
   * goes to a replica that is up (or any node, read_from: any), drawn uniformly; to the primary
   * when none is left.
   */
  node(d: number, shard: number, write: boolean): number {
    const db = this.specs[d];
    const per = db.nodesPerShard;
    const primary = this.primary[d][shard];
    let k = primary;
    if (!write && per > 1 && db.readFrom !== 0) {
      const base = shard * per;
      let n = 0;
      for (let i = 0; i < per; i++) if (!this.nodeDown[db.nodes[base + i]] && (db.readFrom === 2 || i !== primary)) n++;
      if (n > 0) {
        let pick = (this.rng[d].next() * n) | 0;
        for (let i = 0; i < per; i++) {
          if (this.nodeDown[db.nodes[base + i]] || (db.readFrom !== 2 && i === primary)) continue;
          if (pick-- === 0) { k = i; break; }
        }
      }
    }
    if (this.nodeDown[db.nodes[shard * per + k]] || (k === primary && this.writesDown[d][shard])) return -1;
    return k;
  }

  /** Nodes of a shard other than its primary that are up. */
  replicasUp(d: number, shard: number): number {
    const db = this.specs[d];
    const per = db.nodesPerShard, primary = this.primary[d][shard];
    let n = 0;
    for (let i = 0; i < per; i++) if (i !== primary && !this.nodeDown[db.nodes[shard * per + i]]) n++;
    return n;
  }

  /** A replication lag draw of database d (its lag_sampler; 0 without one). */
  lag(d: number): number {
    const s = this.specs[d].lagSampler;
    return s >= 0 ? this.samplers[s].sample(this.lagRng[d]) : 0;
  }

  /** A write of the key completed at time now. */
  written(d: number, key: number, now: number): void {
    this.lastWrite[d][key] = now;
  }

  /** Whether a replica read of the key at time now, `lag` seconds behind, misses its last write (never with synchronous replication). */
  stale(d: number, key: number, now: number, lag: number): boolean {
    return !this.specs[d].synchronous && now - this.lastWrite[d][key] < lag;
  }

  /** How many failovers lose an acknowledged write of the key on database d at time now (asynchronous replication; shard by `shard`). */
  lost(d: number, shard: number, now: number): number {
    if (this.lostWatch[d] === 0) return 0;
    let n = 0;
    const faults = this.faults;
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i];
      if (f.kind !== "fail_primary" || f.database !== d || now <= this.lostFrom[i] || now > this.lostTo[i]) continue;
      if (f.shard !== shard) continue;
      n++;
    }
    return n;
  }

  /** Whether some failover watches database d's writes (lost() may count one). */
  watched(d: number): boolean {
    return this.lostWatch[d] !== 0;
  }

  /** The shard's primary fails: its node is out and writes are refused until a promotion. Returns the node resource. */
  failPrimary(d: number, shard: number): number {
    const node = this.primaryNode(d, shard);
    this.nodeDown[node] = 1;
    this.writesDown[d][shard] = 1;
    return node;
  }

  /** Promotion: the first node of the shard that is up becomes its primary; writes are taken again. */
  promote(d: number, shard: number): void {
    const db = this.specs[d];
    for (let n = 0; n < db.nodesPerShard; n++) {
      if (!this.nodeDown[db.nodes[shard * db.nodesPerShard + n]]) { this.primary[d][shard] = n; break; }
    }
    this.writesDown[d][shard] = 0;
  }
}
