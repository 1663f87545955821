// Runs a request class's call graph (the YAML's `handlers`) for real inside one slot: own work as a
// sampled wait, cache-aside on Redis, reads and writes on PostgreSQL, publishes to RabbitMQ, calls
// to other services (service/peers.ts), branches and parallel fan-out. Each outgoing call waits the edge's one-way `network` time on the way
// there and again on the way back (the step's own `network`, else the service's).
import type { RealtimePublisher } from "../realtime/publish.ts";
import { randomUUID } from "node:crypto";
import type { Step } from "../plan.ts";
import { sample, type DistLike, type Rng } from "../sampler.ts";
import type { Cache } from "./cache.ts";
import { unpad } from "./cache.ts";
import type { Db, ProductRow } from "./db.ts";
import type { Publisher } from "./publisher.ts";
import type { Peers } from "./peers.ts";

export interface Deps {
  readonly rng: Rng;
  readonly network?: DistLike;
  readonly cache?: Cache;
  readonly db?: Db;
  readonly publisher?: Publisher;
  /** The services (or their balancers) this one calls. */
  readonly peers?: Peers;
  /** The realtime component its handlers publish to (realtime/publish.ts). */
  readonly realtime?: RealtimePublisher;
  /** Does a `service` step's own work (seconds); a wait in this process when absent (a function's runs on its instance). */
  readonly work?: (seconds: number) => Promise<void>;
}

/** What one request carries through its call graph and what it answers with. */
export interface RequestContext {
  readonly className: string;
  readonly key?: number;
  readonly order?: { readonly id: string; readonly product: number; readonly quantity: number };
  /** The product as read from the cache or the database. */
  product?: ProductRow;
  /** Whether the call graph looked the product up at all (a miss then answers 404). */
  lookedUp?: boolean;
  cacheHit?: boolean;
  /** A paginated class (plan.ts ClassPlan.pagination): its page's cursor, and what its database read returned. */
  readonly page?: { readonly after: number; readonly pageSize: number; readonly rowSize: number };
  pageRead?: { rows: number; last?: number };
}

export const sleep = (seconds: number): Promise<void> =>
  seconds > 0 ? new Promise((r) => setTimeout(r, seconds * 1000)) : Promise.resolve();

const cacheKey = (ctx: RequestContext) => `product:${ctx.key ?? "none"}`;

export async function runSteps(steps: readonly Step[], ctx: RequestContext, deps: Deps): Promise<void> {
  for (const step of steps) await runStep(step, ctx, deps);
}

/** One leg of an edge: the step's own `network`, else the service's (drawn again for the way back). */
async function hop(step: { readonly network?: DistLike }, deps: Deps): Promise<void> {
  const d = step.network ?? deps.network;
  if (d !== undefined) await sleep(sample(d, deps.rng));
}

async function runStep(step: Step, ctx: RequestContext, deps: Deps): Promise<void> {
  if ("service" in step && !("visit" in step)) {
    await (deps.work ?? sleep)(sample(step.service, deps.rng));
    return;
  }
  if ("branch" in step) {
    let u = deps.rng.next();
    for (const b of step.branch) {
      if (u < b.p) return runSteps(b.flow, ctx, deps);
      u -= b.p;
    }
    return runSteps(step.branch[step.branch.length - 1]!.flow, ctx, deps);
  }
  if ("parallel" in step) {
    await Promise.all(step.parallel.map((flow) => runSteps(flow, ctx, deps)));
    return;
  }
  if ("publish" in step) {
    if (!deps.publisher) throw new Error(`no publisher for queue ${step.publish}`);
    await hop(step, deps);
    await deps.publisher.publish(step.publish, {
      order_id: ctx.order?.id ?? randomUUID(),
      class: ctx.className,
      key: ctx.key ?? null,
      published_at: Date.now(),
    }, ctx.key ?? 0);
    await hop(step, deps);
    return;
  }
  if ("call" in step) {
    await hop(step, deps);
    await callOp(step, ctx, deps);
    return;
  }
  throw new Error(`unsupported step ${JSON.stringify(step)}`);
}

/** A call: its operation, the way back over the same edge, then for a cache get the hit or miss flow. */
async function callOp(step: Extract<Step, { readonly call: string }>, ctx: RequestContext, deps: Deps): Promise<void> {
  if (step.op === undefined && deps.realtime?.has(step.call)) {
    // a server-side publish: the request goes on once Redis took it (the delivery is apart)
    await deps.realtime.publish(ctx.className);
    await hop(step, deps);
    return;
  }
  if (step.op === undefined && deps.peers?.has(step.call)) {
    // another service: it runs its handler for this class; the way back is the same edge
    // (the step's sizes: the request's body padded, the callee asked for an answer that large)
    const requestBytes = step.request_size ? Math.round(sample(step.request_size, deps.rng)) : 0;
    const respond = step.response_size ? Math.round(sample(step.response_size, deps.rng)) : undefined;
    await deps.peers.call(step.call, { class: ctx.className, key: ctx.key, order: ctx.order, ...(respond !== undefined ? { respond } : {}) }, requestBytes);
    await hop(step, deps);
    return;
  }
  switch (step.op) {
    case "get": {
      ctx.lookedUp = true;
      const v = await deps.cache!.get(cacheKey(ctx));
      await hop(step, deps);
      ctx.cacheHit = v !== undefined;
      if (v !== undefined) ctx.product = JSON.parse(unpad(v)) as ProductRow;
      await runSteps((v !== undefined ? step.hit : step.miss) ?? [], ctx, deps);
      return;
    }
    case "set":
      if (ctx.product) await deps.cache!.set(cacheKey(ctx), JSON.stringify(ctx.product));
      break;
    case "delete":
      await deps.cache!.delete(cacheKey(ctx));
      break;
    case "read":
      // a paginated class: its read is the page (service/pages.ts)
      if (ctx.page) {
        const p = await deps.db!.readPage(ctx.key ?? 0, ctx.page.after, ctx.page.pageSize, ctx.page.rowSize);
        ctx.pageRead = { rows: p.rows, last: p.last };
        if (p.first) ctx.product = p.first;
        break;
      }
      // a table read (the YAML's `table:`) answers with the class and key, not a product
      if (deps.db!.hasTable) { await deps.db!.readRow(step.by, ctx.key ?? 0); break; }
      ctx.lookedUp = true;
      {
        // a step's response_size: the answer's row padded to it (the database's link carries it)
        const respond = step.response_size ? Math.round(sample(step.response_size, deps.rng)) : undefined;
        if (ctx.key !== undefined) ctx.product = await deps.db!.readProduct(ctx.key, respond);
        else await deps.db!.readProduct(0, respond);
      }
      break;
    case "write":
      if (deps.db!.hasTable) await deps.db!.insertRows();
      else if (ctx.order) await deps.db!.writeOrder(ctx.order);
      else await deps.db!.writeProduct(ctx.key ?? 0);
      break;
    default:
      throw new Error(`unsupported call op '${step.op}'`);
  }
  await hop(step, deps);
}
