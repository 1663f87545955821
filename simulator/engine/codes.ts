// Every number the simulator assigns by hand, in one table: opcodes (OP_*), event types (EV_*),
// per-component counters (C_*), resource modes (MODE_*), the reasons a request ends (R_*, with
// their names in REASONS), service replica states (REP_*), balancing algorithms (ALG_*), database
// operations (DB_*), cache commands (CACHE_*) and a circuit breaker's say on a new call
// (ADMIT_*). They used to be spread over opcodes.ts, counters.ts, program.ts, simulation.ts and
// the kinds' folders, and branches that each took "the next free number" in a different file
// collided when they merged. Here two branches that add a
// code touch the same lines, and tests/engine/codes.test.ts fails on two codes with one number, on
// a gap, on an event type past 31, on a reason without its name and on any constant of these
// families declared outside this file.
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
/** A function's next shared boot ends (boot_capacity): the argument is the function, the extra its boot generation. */
export const EV_FN_BOOT = 25;

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

// Why a request ended: an index into REASONS, whose names the result's error counts use. R_OK (0)
// is success; the result counts the others as failed or, those in DROP_REASONS
// (engine/simulation.ts), as dropped (admission refusals).
export const R_OK = 0;
export const R_BUFFER = 1;
export const R_QTIMEOUT = 2;
export const R_BACKLOG = 3;
export const R_LBTIMEOUT = 4;
export const R_POOLTIMEOUT = 5;
export const R_SVCTIMEOUT = 6;
export const R_QUEUEFULL = 7;
export const R_CRASH = 8;
export const R_BACKEND_DOWN = 9;
export const R_DB_DOWN = 10;
export const R_RATE_LIMITED = 11;
export const R_CIRCUIT_OPEN = 12;
export const R_REGION_DOWN = 13;
export const R_THROTTLED = 14;
/** The name of each reason, by its R_ number (a new reason's name goes at the end). */
export const REASONS = ["ok", "buffer_full", "queue_timeout", "backlog_full", "lb_queue_timeout", "pool_timeout", "service_timeout", "queue_full", "instance_crash", "backend_down", "db_unavailable", "rate_limited", "circuit_open", "region_down", "throttled"] as const;

// Service replica states (engine/simulation.ts; a balancer's runtime reads them): switched off,
// booting, serving, draining (no new requests; off when idle), down (crashed, or its region is).
export const REP_OFF = 0;
export const REP_BOOTING = 1;
export const REP_SERVING = 2;
export const REP_DRAINING = 3;
export const REP_DOWN = 4;

// A load balancer's algorithm (BalancerSpec.algorithm).
export const ALG_ROUND_ROBIN = 0;
export const ALG_RANDOM = 1;
export const ALG_LEAST_CONN = 2;
export const ALG_POWER_OF_TWO = 3;
export const ALG_HASH = 4;

// OP_DB's operand b: a database read or write.
export const DB_READ = 0;
export const DB_WRITE = 1;

// OP_CACHE's operand b: the cache command (components/cache).
export const CACHE_GET = 0;
export const CACHE_SET = 1;
export const CACHE_DELETE = 2;

// A circuit breaker's say on a new call to a service (ServiceRuntime.admit, components/service):
// the call goes ahead, goes ahead as the half-open breaker's probe, or is short-circuited.
export const ADMIT_CALL = 0;
export const ADMIT_PROBE = 1;
export const ADMIT_SHORT_CIRCUIT = 2;
