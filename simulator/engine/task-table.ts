// The task table: every request, downstream call and queue message in flight is a task, a row
// across parallel typed arrays (one column per field), recycled through a free list. Columns are
// declared once here, grown together by grow(), reset by alloc() and copied to a child by spawn().
// Typed arrays rather than objects: the event loop allocates nothing per request, and V8 keeps the
// numbers unboxed. The Replication extends this class so its loop reads the columns as its own
// fields, without an indirection on every access; column names start with `t` and say what the
// field holds for that task.

/** Task states. */
export const FREE = 0, RUNNING = 1, WAITING = 2, SERVING = 3, ZOMBIE = 4;

/** tUser of a call whose caller timed out: it runs to its end, then disappears without a trace. */
export const ORPHAN = -2;
/** tUser of a request from the pooled closed-model users (exponential think time, see simulation.ts's wake()). */
export const POOLED_USER = -3;

const INITIAL_TASKS = 1024;

type Column = Int32Array | Float64Array | Uint8Array;

export class TaskTable {
  /** Rows allocated in every column. */
  cap = INITIAL_TASKS;

  // Where the task is in its program.
  /** Request class (a queue message keeps its publisher's). */
  tCls = new Int32Array(INITIAL_TASKS);
  /** Program counter: the instruction it runs next. */
  tPc = new Int32Array(INITIAL_TASKS);
  /** The key it works on (cache, database, hash balancing, queue partition). */
  tKey = new Int32Array(INITIAL_TASKS);
  /** FREE, RUNNING, WAITING (in a resource's or balancer's queue), SERVING (holding a service unit), ZOMBIE. */
  tState = new Uint8Array(INITIAL_TASKS);
  /** Bumped on every alloc: a timer scheduled for an earlier task with this id is stale. */
  tGen = new Int32Array(INITIAL_TASKS);
  /** Bumped when a wait ends: a wait timeout scheduled for an earlier wait is stale. */
  tWaitGen = new Int32Array(INITIAL_TASKS);
  /** Closed-model user that sent the request (-1: open arrival or call; ORPHAN, POOLED_USER: above). */
  tUser = new Int32Array(INITIAL_TASKS);
  /** Whether the task is still listed in a resource's or balancer's FIFO ring (then its id is not reused yet). */
  tInRing = new Uint8Array(INITIAL_TASKS);
  /** Non-zero: the reason a failure killed this task; it stops at its next step. */
  tKilled = new Int32Array(INITIAL_TASKS);

  // Resource waits and service.
  /** The resource it waits at or is served by (-2 - b: balancer b's queue; -1: none). */
  tResource = new Int32Array(INITIAL_TASKS);
  /** When it asked for that resource (its wait and response are measured from here). */
  tEnqueued = new Float64Array(INITIAL_TASKS);
  /** Service-time sampler for the resource it asks for (-1: the resource's own). */
  tSampler = new Int32Array(INITIAL_TASKS);
  /** Seconds added to that service time (a database query's row cost), reset when it is served. */
  tExtra = new Float64Array(INITIAL_TASKS);

  // Calls: a call is a child task; its parent waits for its children.
  /** Parent task (-1: a top-level request or a message). */
  tParent = new Int32Array(INITIAL_TASKS);
  /** Children still running (a call: 1; a parallel step: one per branch). */
  tChildren = new Int32Array(INITIAL_TASKS);
  /** The first failure reason among its children (0: none yet). */
  tChildFailure = new Int32Array(INITIAL_TASKS);
  /** Where it goes on when its children are done (the instruction after the call or parallel step). */
  tResumePc = new Int32Array(INITIAL_TASKS);
  /** Retries of the current call, or redeliveries of a message. */
  tRetries = new Int32Array(INITIAL_TASKS);
  /** 1 while the task's current call is a half-open breaker's probe. */
  tProbe = new Uint8Array(INITIAL_TASKS);

  // Units held (released when the task ends or fails), and since when.
  /** The balancer's backend connection it holds (-1: none). */
  tLbConn = new Int32Array(INITIAL_TASKS);
  tLbConnSince = new Float64Array(INITIAL_TASKS);
  /** The backend (index in its balancer's list) the balancer picked, read by the service slot step. */
  tBackend = new Int32Array(INITIAL_TASKS);
  /** The hold-mode unit it holds: a service replica's slot or a queue's worker (-1: none). */
  tHeldUnit = new Int32Array(INITIAL_TASKS);
  tHeldSince = new Float64Array(INITIAL_TASKS);
  /** Global service replica serving the call (-1: none); its database pools are this replica's. */
  tReplica = new Int32Array(INITIAL_TASKS);
  /** The database pool connection it holds (-1: none). */
  tPoolConn = new Int32Array(INITIAL_TASKS);
  tPoolConnSince = new Float64Array(INITIAL_TASKS);
  /** Database step: 0 take a pool connection, 1 query a node, 2 done (dbStep). */
  tDbPhase = new Int32Array(INITIAL_TASKS);
  /** Database node queried: 0 the shard's primary, else 1 + the replica's index in the shard. */
  tDbNode = new Int32Array(INITIAL_TASKS);
  /** CDN object a request asks for (between the edge and the fill after an origin fetch). */
  tCdnObject = new Int32Array(INITIAL_TASKS);
  /** Queue message: its queue index (-1: not a message). */
  tMsg = new Int32Array(INITIAL_TASKS);
  /** Payload: the size of the last transfer it made, bytes (a balancer forwards the same bytes). */
  tBytes = new Float64Array(INITIAL_TASKS);
  /** Function invocation: the instance it runs on (-1: none), 1 if it started cold, when it reached the function. */
  tFnInst = new Int32Array(INITIAL_TASKS);
  tFnCold = new Uint8Array(INITIAL_TASKS);
  tFnSince = new Float64Array(INITIAL_TASKS);
  /** The next invocation waiting for the same shared boot (boot_capacity; -1: the last). */
  tFnNext = new Int32Array(INITIAL_TASKS);

  // Where the request came from.
  /** When the top-level request arrived (or the message was published). */
  tStart = new Float64Array(INITIAL_TASKS);
  /** Origin index of the request (its users' region). */
  tOrigin = new Int32Array(INITIAL_TASKS);
  /** 1 when a geo route failed the request over to another region. */
  tFailedOver = new Uint8Array(INITIAL_TASKS);
  /** A request from the origin for a browser cache (browser_cache): its (user, key) entry, stamped when it completes; -1: none. */
  tBrowserSlot = new Int32Array(INITIAL_TASKS);

  /** Free task ids (a stack of nFree entries). */
  free = new Int32Array(INITIAL_TASKS);
  nFree = 0;
  /** Ids below this have been used; the table's high-water mark. */
  nextId = 0;

  /** A task id in state RUNNING, its fields reset. */
  alloc(): number {
    let t: number;
    if (this.nFree > 0) t = this.free[--this.nFree];
    else {
      if (this.nextId === this.cap) this.grow();
      t = this.nextId++;
    }
    this.tGen[t]++;
    this.tState[t] = RUNNING;
    this.tParent[t] = -1; this.tChildren[t] = 0; this.tChildFailure[t] = 0;
    this.tLbConn[t] = -1; this.tHeldUnit[t] = -1; this.tPoolConn[t] = -1; this.tReplica[t] = -1;
    this.tDbPhase[t] = 0; this.tMsg[t] = -1; this.tRetries[t] = 0; this.tUser[t] = -1; this.tSampler[t] = -1; this.tResource[t] = -1;
    this.tKilled[t] = 0; this.tFnInst[t] = -1; this.tExtra[t] = 0; this.tBrowserSlot[t] = -1;
    return t;
  }

  /** A call's child task at instruction pc: it inherits the request's class, key, origin, start and replica. */
  spawn(parent: number, pc: number): number {
    const c = this.alloc();
    this.tCls[c] = this.tCls[parent];
    this.tKey[c] = this.tKey[parent];
    this.tOrigin[c] = this.tOrigin[parent];
    this.tStart[c] = this.tStart[parent];
    this.tReplica[c] = this.tReplica[parent];
    this.tParent[c] = parent;
    this.tPc[c] = pc;
    return c;
  }

  /** The task is done. One still listed in a ring (it timed out while waiting) keeps its id until the ring skips it. */
  release(t: number): void {
    if (this.tInRing[t]) { this.tState[t] = ZOMBIE; return; }
    this.tState[t] = FREE;
    this.free[this.nFree++] = t;
  }

  /** A ring skipped a task that ended while listed: its id is free now. */
  reclaim(t: number): void {
    this.tState[t] = FREE;
    this.free[this.nFree++] = t;
  }

  /** Doubles every column (the free list included), keeping the rows. */
  private grow(): void {
    const n = this.cap * 2;
    const row = this as unknown as Record<string, Column>;
    for (const name of TASK_COLUMNS) {
      const b = new (row[name].constructor as new (n: number) => Column)(n);
      b.set(row[name]);
      row[name] = b;
    }
    this.cap = n;
  }
}

/**
 * The columns, by name: the typed arrays a fresh table holds. grow() doubles exactly these, so a
 * subclass's own typed arrays are never taken for rows; a column added above is grown with no
 * further change.
 */
const TASK_COLUMNS: readonly string[] = ((t: Record<string, unknown>) => Object.keys(t).filter((k) => ArrayBuffer.isView(t[k])))(
  new TaskTable() as unknown as Record<string, unknown>,
);
