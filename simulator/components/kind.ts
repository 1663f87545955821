// The interface between the kernel and a component kind. A kind lives in its own folder
// (components/<kind>/) with its compile step, its runtime, its result section and its analytic
// form, and is listed once in components/index.ts. The kernel (engine/simulation.ts) keeps the
// calendar, the task table, the resources and the run loop; for a kind's instructions it calls the
// kind's runtime, a plain object whose methods take numbers and return numbers, so the event loop
// stays free of closures and allocations. What a kind has not moved yet still lives in the engine
// files (docs/architecture.md lists what remains).
import type { Component, Dist, Step } from "../model/schema.ts";
import type { ComponentStats, ReplicationResult } from "../engine/simulation.ts";
import type { Rng } from "../engine/rng.ts";
import type { Sampler } from "../engine/distributions.ts";
import type { FaultSpec } from "../engine/fault-plan.ts";
import type { Program } from "../engine/program.ts";

/** What a kind's compile step may ask of the compiler. */
export interface CompileContext {
  /** Index of a new service-time sampler for distribution d (Program.samplers). */
  sampler(d: Dist): number;
  /** A component's name by its index. */
  componentName(i: number): string;
  /** A request class's name by its index. */
  className(i: number): string;
  /** A new resource of component `component` (Program.resources): its index. */
  addResource(r: { name: string; component: number; units: number; mode: number; buffer: number; timeout: number; sampler: number; main: boolean }): number;
  /** A service by name (services compile before the kinds in front of them): its index in Program.services, its slot resources and their global replica indices. */
  service(name: string): { readonly index: number; readonly slots: Int32Array; readonly replicas: Int32Array };
  /** The services whose handlers have a `call:` to the component of that name, in the scenario's order. */
  callers(name: string): string[];
  /** Service replicas in all, once the services compiled: the length of a per-replica table. */
  replicaCount(): number;
  /** Makes slot resource `slot` a service replica (components/service): its global replica index (Program.replicaOf). */
  addReplica(slot: number): number;
}

/** What a kind's flow step (a `call:` to a component of this kind) may emit. */
export interface FlowContext extends CompileContext {
  /** Appends an instruction and returns its pc. */
  emit(op: number, a?: number, b?: number, c?: number): number;
  /** Sets operand a, b or c of the instruction at pc (a jump target known only later). */
  patchA(pc: number, a: number): void;
  patchB(pc: number, b: number): void;
  patchC(pc: number, c: number): void;
  /** Emits a nested flow (a cache's hit or miss steps) running in `region`, with `network` as its calls' default edge latency. */
  flow(steps: ReadonlyArray<Step>, cls: number, network: Dist | undefined, region: number, path: string, cost?: Dist): void;
  /** The pc the next instruction gets. */
  readonly pc: number;
  /** A delay instruction drawing from sampler s with the random stream named `name`. */
  delay(s: number, name: string): number;
  /** The index of a new random stream of a decision point, by its name (an OP_BRANCH's operand b). */
  stream(name: string): number;
  /** The index of a new jump table: its targets (filled in as they are emitted) and cumulative probabilities (an OP_BRANCH's operand a). */
  table(pcs: Int32Array, cum: Float64Array): number;
  /** The sampler of the one-way latency between two regions (-1: none, same region or no regions). */
  latency(from: number, to: number): number;
  /** A region's index by name (-1 for undefined). */
  regionIndex(name: string | undefined): number;
  /** Emits a call (service, balancer or geo route) by name from region `from`, with its crossings. */
  call(name: string, cls: number, from: number, path: string): void;
  /** Emits a `call:` step's call to a service or balancer from region `from`, with its crossings and the step's request and response sizes. */
  callStep(step: Extract<Step, { call: string }>, cls: number, from: number, path: string): void;
  /** After a database read by the component of that name: the page of rows a paginated class's read returns (OP_ROWS), if any. */
  readRows(name: string, cls: number): void;
}

/** The edge a `call:` step crosses: its one-way latency (`net`, the step's or the caller's) and the calling flow's default. */
export interface CallEdge {
  readonly net: Dist | undefined;
  readonly network: Dist | undefined;
  /** the calling service's `call_overhead`, drawn beside `net` on each leg (never injected by the app) */
  readonly cost: Dist | undefined;
  /**
   * Emits the call's answer transfer (its `response_size`, model/payload.ts) where the kind's answer
   * carries it: a cache's get only on a hit (a miss answers nil), after the way back.
   */
  readonly respond?: () => void;
}

/** What a kind's runtime gets when a replication starts. */
export interface RuntimeContext {
  /** The named random stream of this replication (common random numbers: named by what draws). */
  stream(name: string): Rng;
  /** Component names, by component index. */
  readonly componentNames: readonly string[];
  /** The Program's samplers (a spec's sampler fields index these). */
  readonly samplers: readonly Sampler[];
  /** The largest key count (Program.keySpace): the size of key-indexed state. */
  readonly keySpace: number;
  /** The kernel's live state, for a kind whose decisions read it (a balancer's backend choice). */
  readonly kernel: KernelView;
  /** The fault plan (Program.faults), for a kind whose state a fault changes. */
  readonly faults: readonly FaultSpec[];
}

/**
 * The kernel's arrays a runtime may read, the same objects the kernel updates (not copies):
 * units busy and units per resource, the state of each service replica (REP_*, engine/codes.ts),
 * which components a region outage took down (1: down), and each component's statistics, to which
 * a runtime adds what it measures (a queue's area).
 */
export interface KernelView {
  readonly busy: Int32Array;
  readonly units: Float64Array;
  readonly replicaState: Uint8Array;
  readonly componentDown: Uint8Array;
  readonly componentStats: readonly ComponentStats[];
}

/** What a kind's result section reads: the replications' per-component counters. */
export interface ResultContext {
  readonly reps: readonly ReplicationResult[];
  /** The component's index. */
  readonly component: number;
  /** The figures every component's result has (throughput, utilization, queueLength, ...), computed before the kind's section. */
  readonly common: Readonly<Record<string, unknown>>;
  /** The compiled Program the replications ran (its resources, specs, instructions and fault plan). */
  readonly program: Program;
}

/** A model the engine cannot run yet (a compile step refuses it with what to change). */
export class UnsupportedError extends Error {}

export interface KindModule<K extends Component["kind"], Spec, Runtime> {
  readonly kind: K;
  /** The Program's spec of one component of this kind (component: its index). */
  compile(c: Extract<Component, { kind: K }>, component: number, ctx: CompileContext): Spec;
  /**
   * The instructions of a flow step that calls a component of this kind (index: its spec's), after
   * the edge's way there and before its way back (the kind emits the way back if it branches).
   */
  emitCall(step: Extract<Step, { call: string }>, c: Extract<Component, { kind: K }>, index: number, cls: number, region: number, path: string, edge: CallEdge, ctx: FlowContext): void;
  /** This kind's state over one replication, for all its components. */
  runtime(specs: readonly Spec[], ctx: RuntimeContext): Runtime;
  /** Figures the component's result adds to (or overrides in) the common ones, in this order. */
  result(ctx: ResultContext): Record<string, unknown>;
}
