// The instruction set of a compiled Program: one opcode per instruction, operands in the
// Program's argA/argB/argC arrays. Apart from program.ts so a kind's compile step
// (components/<kind>/compile.ts) can emit instructions without importing the compiler.
// OP_CALL: a = the callee's stub pc, b = the service it reaches (its breaker, budget and timeout).
export const OP_END = 0, OP_VISIT = 1, OP_BRANCH = 2, OP_JUMP = 3, OP_DELAY = 4, OP_CALL = 5,
  OP_BALANCE = 6, OP_SLOT = 7, OP_CACHE = 8, OP_DB = 9, OP_PUBLISH = 10, OP_PARALLEL = 11,
  OP_ACQUIRE = 12, OP_CDN = 13, OP_CDN_FILL = 14, OP_GEO = 15,
  // A function (components/function): the call (a: function, b: its stub's pc), the admission to
  // its slots (a: function) and the start on an instance, warm or cold (a: function).
  OP_FN_CALL = 16, OP_FN_ACQUIRE = 17, OP_FN_START = 18;
/** Payloads (engine/payload-plan.ts): a transfer on an edge (and its sender's link), rows read. */
export const OP_BYTES = 19, OP_ROWS = 20;
/** A realtime component (components/realtime): a server-side publish (a: its index). */
export const OP_RT_PUBLISH = 21;

/** Resource modes. Service: a unit is held for a sampled service time. Hold: until released. */
export const MODE_SERVICE = 0, MODE_HOLD = 1;
