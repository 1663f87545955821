// Every number the simulator assigns by hand, in one table: opcodes (OP_*), event types (EV_*),
// per-component counters (C_*) and resource modes (MODE_*). They used to be spread over
// opcodes.ts, counters.ts and simulation.ts, and branches that each took "the next free number"
// in a different file collided when they merged. Here two branches that add a code touch the same
// lines, and tests/engine/codes.test.ts fails on two codes with one number, on a gap, on an event
// type past 31 and on any OP_/EV_/C_ constant declared outside this file.
// The codes stay plain literals (`const OP_X = 3`), not computed from a list, so the engine's
// switches compare against constants as before; nothing here runs per event.
// A new code takes the next number of its family (the family's count, which the test names), on
// its own line at the family's end; a new counter goes before C_COUNTERS and raises it by one.

// The instruction set of a compiled Program (engine/program.ts): one opcode per instruction,
// operands in the Program's argA/argB/argC arrays. Apart from program.ts so a kind's compile step
// (components/<kind>/compile.ts) can emit instructions without importing the compiler.
export const OP_END = 0;
export const OP_VISIT = 1;
export const OP_BRANCH = 2;
export const OP_JUMP = 3;
export const OP_DELAY = 4;
/** A call: a = the callee's stub pc, b = the service it reaches (its breaker, budget and timeout). */
export const OP_CALL = 5;
export const OP_BALANCE = 6;
export const OP_SLOT = 7;
export const OP_CACHE = 8;
export const OP_DB = 9;
export const OP_PUBLISH = 10;
export const OP_PARALLEL = 11;
export const OP_ACQUIRE = 12;
export const OP_CDN = 13;
export const OP_CDN_FILL = 14;
export const OP_GEO = 15;
/** A function (components/function): the call (a: function, b: its stub's pc). */
export const OP_FN_CALL = 16;
/** A function: the admission to its slots (a: function). */
export const OP_FN_ACQUIRE = 17;
/** A function: the start on an instance, warm or cold (a: function). */
export const OP_FN_START = 18;
/** Payloads (engine/payload-plan.ts): a transfer on an edge (and its sender's link). */
export const OP_BYTES = 19;
/** Payloads: rows a database read returns. */
export const OP_ROWS = 20;
/** A realtime component (components/realtime): a server-side publish (a: its index). */
export const OP_RT_PUBLISH = 21;

// Event types of the calendar (engine/simulation.ts), packed with one argument as
// arg * 32 + type: a type must stay below 32.
export const EV_ARRIVAL = 0;
export const EV_DONE = 1;
export const EV_TIMEOUT = 2;
export const EV_USER = 3;
export const EV_USERS = 4;
export const EV_SAMPLE = 5;
export const EV_WARMUP = 6;
export const EV_RESUME = 7;
export const EV_CALL_TIMEOUT = 8;
export const EV_CONTROL = 9;
export const EV_BOOTED = 10;
export const EV_COOLDOWN = 11;
export const EV_FAULT = 12;
export const EV_RECOVER = 13;
export const EV_DETECT = 14;
export const EV_RETRY = 15;
export const EV_BREAKER_WINDOW = 16;
export const EV_BREAKER_TIMER = 17;
export const EV_WAKE = 18;
export const EV_REFUSED = 19;
export const EV_FN_READY = 20;
export const EV_FN_IDLE = 21;
export const EV_FN_TIMEOUT = 22;
export const EV_LINK = 23;
/** The realtime kind's one event type; its runtime packs its own sub-event into the argument. */
export const EV_REALTIME = 24;

// Per-component counters: indices into ComponentStats.counts (engine/simulation.ts), which a
// kind's result section (components/<kind>/result.ts) reads.
export const C_HITS = 0;
export const C_MISSES = 1;
export const C_READS = 2;
export const C_WRITES = 3;
export const C_REPLICA_READS = 4;
export const C_STALE = 5;
export const C_PUBLISHED = 6;
export const C_PROCESSED = 7;
export const C_DEAD = 8;
export const C_DROPPED_HEAD = 9;
export const C_REJECTED = 10;
export const C_RETRIES = 11;
export const C_TIMEOUTS = 12;
export const C_SHORT_CIRCUITED = 13;
export const C_BUDGET_DENIED = 14;
export const C_BREAKER_OPENED = 15;
export const C_RATE_LIMITED = 16;
/** Database: acknowledged writes a failover lost (acknowledged within the replication lag before the primary failed). */
export const C_LOST_WRITES = 17;
/** Functions: invocations that started on a new (or still starting) instance. */
export const C_FN_COLD = 18;
/** Functions: invocations that started on a warm instance. */
export const C_FN_WARM = 19;
/** Functions: invocations refused (429) because every slot of every instance was taken. */
export const C_FN_THROTTLED = 20;
/** How many counters there are (the length of ComponentStats.counts): the last counter + 1. */
export const C_COUNTERS = 21;

/** Resource modes. Service: a unit is held for a sampled service time. Hold: until released. */
export const MODE_SERVICE = 0;
export const MODE_HOLD = 1;
