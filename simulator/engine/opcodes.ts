// The instruction set of a compiled Program: one opcode per instruction, operands in the
// Program's argA/argB/argC arrays. Apart from program.ts so a kind's compile step
// (components/<kind>/compile.ts) can emit instructions without importing the compiler.
export const OP_END = 0, OP_VISIT = 1, OP_BRANCH = 2, OP_JUMP = 3, OP_DELAY = 4, OP_CALL = 5,
  OP_BALANCE = 6, OP_SLOT = 7, OP_CACHE = 8, OP_DB = 9, OP_PUBLISH = 10, OP_PARALLEL = 11,
  OP_ACQUIRE = 12, OP_CDN = 13, OP_CDN_FILL = 14, OP_GEO = 15, OP_RT_PUBLISH = 16;

/** Resource modes. Service: a unit is held for a sampled service time. Hold: until released. */
export const MODE_SERVICE = 0, MODE_HOLD = 1;
