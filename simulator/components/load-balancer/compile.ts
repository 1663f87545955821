// A load balancer's compile step: one backend-connection resource per replica of the service it
// fronts (maxconn units each; its services compile first), the spec its runtime reads (algorithm,
// weights, the consistent-hash ring, health checks, rate limit, the connect retries' hold), and
// its TLS termination's CPUs (a service-mode resource, not counted in the balancer's own
// utilization) in a pass of their own after every balancer's connections, so resource numbers stay
// as they were. A `call:` to a balancer is a call to its backends' service (their stub, their
// breaker, retries and timeout, the step's sizes: FlowContext.callStep); the balancer's part of
// that stub is emitBalancerStub: [TLS handshake branch] [overhead] OP_BALANCE.
import type { LoadBalancerComponent, Step } from "../../model/schema.ts";
import { scaleDist } from "../../model/payload.ts";
import { HashRing } from "../../engine/hash-ring.ts";
import {
  ALG_HASH, ALG_LEAST_CONN, ALG_POWER_OF_TWO, ALG_RANDOM, ALG_ROUND_ROBIN, MODE_HOLD, MODE_SERVICE, OP_BALANCE, OP_BRANCH, OP_JUMP, OP_VISIT,
} from "../../engine/codes.ts";
import type { CallEdge, CompileContext, FlowContext } from "../kind.ts";

/** HAProxy waits min(timeout connect, 1 s) between connection attempts; the reference app's connect timeout is 2 s. */
export const CONNECT_TURNAROUND = 1;

const ALGORITHMS = { round_robin: ALG_ROUND_ROBIN, random: ALG_RANDOM, least_connections: ALG_LEAST_CONN, power_of_two: ALG_POWER_OF_TWO, consistent_hash: ALG_HASH };

export interface BalancerSpec {
  readonly component: number;
  /** Global replica index of each backend. */
  readonly replicas: Int32Array;
  /** ALG_* (engine/codes.ts). */
  readonly algorithm: number;
  readonly service: number;
  /** Backend connection resources, one per replica of the service. */
  readonly conns: Int32Array;
  readonly weights: Float64Array;
  /** consistent_hash: the ring over the backends (null for the other algorithms). */
  readonly ring: HashRing | null;
  readonly queueTimeout: number;
  /** Seconds a request sent to a dead (not yet detected) backend holds its connection before failing: HAProxy's retries x 1 s turn-around. */
  readonly refusedHold: number;
  /** HAProxy-style health checks: a failed backend is taken out after `fall` checks, back after `rise`. */
  readonly health: { readonly interval: number; readonly rise: number; readonly fall: number } | null;
  /** Token bucket at the balancer (an API gateway's rate limit); null for none. */
  readonly rateLimit: { readonly rate: number; readonly burst: number } | null;
}

/**
 * A balancer's TLS termination: its CPUs (a resource), the handshake samplers, the sampler of a
 * request's pass through the CPUs (each way: half of `tls.request`, zero without it), and the shares
 * of requests that open a new connection with a full or a resumed handshake.
 */
export interface BalancerTls {
  readonly res: number;
  readonly full: number;
  readonly resumed: number;
  readonly pass: number;
  readonly pFull: number;
  readonly pResumed: number;
}

export function compileBalancer(c: LoadBalancerComponent, component: number, ctx: CompileContext): BalancerSpec {
  const name = ctx.componentName(component);
  const backend = ctx.service(c.backends);
  const n = backend.slots.length;
  const conns = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    conns[i] = ctx.addResource({
      name: `${name}->${c.backends}#${i + 1}`, component, units: c.maxconn ?? 1e9, mode: MODE_HOLD,
      buffer: 0, timeout: Infinity, sampler: -1, main: true,
    });
  }
  const weights = Float64Array.from({ length: n }, (_, i) => c.weights?.[i] ?? 1);
  return {
    component, algorithm: ALGORITHMS[c.algorithm], service: backend.index, conns,
    replicas: backend.replicas,
    weights, ring: c.algorithm === "consistent_hash" ? new HashRing(weights) : null,
    queueTimeout: c.queue_timeout, refusedHold: c.connect_retries * CONNECT_TURNAROUND,
    health: c.health_check ?? null,
    rateLimit: c.rate_limit ?? null,
  };
}

/** TLS termination at a balancer with `tls:`: a service-mode resource that each new connection's handshake visits. */
export function compileBalancerTls(c: LoadBalancerComponent, component: number, ctx: CompileContext): BalancerTls | undefined {
  if (!c.tls) return undefined;
  const full = ctx.sampler(c.tls.handshake);
  const res = ctx.addResource({ name: `${ctx.componentName(component)}.tls`, component, units: c.tls.cpus, mode: MODE_SERVICE, buffer: -1, timeout: Infinity, sampler: full, main: false });
  const pNew = 1 / c.tls.requests_per_connection;
  const pass = ctx.sampler(c.tls.request ? scaleDist(c.tls.request, 0.5) : { dist: "constant", value: 0 });
  return { res, full, resumed: c.tls.resumed ? ctx.sampler(c.tls.resumed) : full, pass, pFull: pNew * (1 - c.tls.resumption), pResumed: pNew * c.tls.resumption };
}

/**
 * The balancer's part of a call stub (path: the stub's name): a new connection's handshake on the
 * balancer's CPUs (full or resumed), else a kept-alive one: nothing; the proxy's own time; then
 * OP_BALANCE, which takes a backend connection.
 */
export function emitBalancerStub(c: LoadBalancerComponent, balancer: number, tls: BalancerTls | undefined, path: string, ctx: FlowContext): void {
  if (tls) {
    const cum = Float64Array.of(tls.pFull, tls.pFull + tls.pResumed, Infinity), pcs = new Int32Array(3);
    const table = ctx.table(pcs, cum);
    ctx.emit(OP_BRANCH, table, ctx.stream(`${path}:tls`));
    pcs[0] = ctx.pc; ctx.emit(OP_VISIT, tls.res, tls.full);
    const j0 = ctx.emit(OP_JUMP, -1);
    pcs[1] = ctx.pc; ctx.emit(OP_VISIT, tls.res, tls.resumed);
    pcs[2] = ctx.pc;
    ctx.patchA(j0, ctx.pc);
    // the request itself, after its connection is ready: a pass through the same CPUs
    ctx.emit(OP_VISIT, tls.res, tls.pass);
  }
  // The proxy's own time (and what calibration lumps into it: the client's side, loopback)
  // passes before the request takes a backend connection: it never holds a server's maxconn
  // slot (as the analytic form has it). Held inside, it cut replica-crash's two surviving
  // replicas' capacity by 6% and doubled its predicted latency during the outage.
  if (c.overhead) ctx.delay(ctx.sampler(c.overhead), `${path}:lb-overhead`);
  ctx.emit(OP_BALANCE, balancer);
}

/**
 * A `call:` to a balancer: the call to its backends' service, with the step's sizes; the answer's
 * pass through the TLS CPUs when the balancer terminates TLS (after the backend let go of it); then
 * the edge's way back.
 */
export function emitBalancerCall(step: Extract<Step, { call: string }>, _c: LoadBalancerComponent, _balancer: number, cls: number, region: number, path: string, edge: CallEdge, ctx: FlowContext, tls?: BalancerTls): void {
  ctx.callStep(step, cls, region, path);
  if (tls) ctx.emit(OP_VISIT, tls.res, tls.pass);
  if (edge.net) ctx.delay(ctx.sampler(edge.net), `${path}:network<`);
  if (edge.cost) ctx.delay(ctx.sampler(edge.cost), `${path}:call-overhead<`);
}
