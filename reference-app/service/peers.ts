// Calls from one service to another, as the YAML's call graph draws them: an HTTP request for the
// same request class to the callee's balancer (HAProxy) when the YAML puts one between them, else
// straight to the callee's replicas, spread round robin as the simulator's client does (engine
// OP_SLOT without a balancer). The callee runs its handler for the class in one of its own slots;
// a failed answer (503, 504, 500) fails the caller's call with that status.
import http from "node:http";
import { ResilientCaller, type ResilienceSpec } from "./resilience.ts";

/** The path a service serves calls from other services on (never a class's path: those are the YAML's). */
export const CALL_PATH = "/_headroom/call";

/** What a caller sends: the request's class and key, and the order it carries, if any. */
export interface CallBody {
  readonly class: string;
  readonly key?: number;
  readonly order?: { readonly id: string; readonly product: number; readonly quantity: number };
  /** The call step's response_size as the caller drew it: the callee pads its answer to these bytes. */
  readonly respond?: number;
}

/** The largest answer a caller may ask for (the callee builds it in memory; plan.ts keeps sizes well under). */
export const MAX_RESPOND = 256 * 2 ** 20;

const PAD = "x".repeat(65536);

/**
 * A JSON text padded with a `pad` field to `bytes` bytes (a class's or a call's size: the bytes a
 * link carries); as is when already larger.
 */
export function padJson(text: string, bytes: number): string {
  const missing = Math.round(bytes) - Buffer.byteLength(text) - 9; // ,"pad":""
  if (missing <= 0 || !text.endsWith("}") || text === "{}") return text;
  return `${text.slice(0, -1)},"pad":"${PAD.repeat(Math.floor(missing / PAD.length))}${PAD.slice(0, missing % PAD.length)}"}`;
}

/** A call that the callee answered with a failure, or that could not reach it. */
export class CallFailed extends Error {
  constructor(
    readonly target: string,
    /** The callee's status; 502 when no answer came (refused, reset). */
    readonly status: number,
    detail: string,
  ) {
    super(`call to ${target}: ${status} ${detail}`);
  }
}

export class Peers {
  // One keep-alive agent for all callees: a call reuses an idle connection, as a client pool would.
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly next = new Map<string, number>();

  /** The called services' retries and breakers, run by this caller (one per target, as the model keeps one per called service). */
  private readonly callers = new Map<string, ResilientCaller>();

  /**
   * `targets`: per called component (a service or its balancer), the base URLs to call.
   * `resilience`: per target whose service has retries or a breaker, that service and its policies;
   * `seed` and `process` make the retries' jitter reproducible per caller process.
   */
  constructor(
    private readonly targets: Readonly<Record<string, readonly string[]>>,
    resilience: Readonly<Record<string, { readonly service: string; readonly spec: ResilienceSpec }>> = {},
    seed = 0,
    process = 0,
  ) {
    for (const [target, r] of Object.entries(resilience)) this.callers.set(target, new ResilientCaller(r.service, r.spec, seed, process));
  }

  has(target: string): boolean {
    return Object.hasOwn(this.targets, target);
  }

  /**
   * One call as the model makes it: through the called service's breaker, retried by its
   * `retries` (each attempt a new request, to the next replica or through its balancer); resolves
   * when an attempt answered 2xx, else rejects with the last failure (CallFailed, a timeout, or a
   * short-circuit: see service/resilience.ts).
   */
  call(target: string, body: CallBody, requestBytes = 0): Promise<void> {
    const caller = this.callers.get(target);
    return caller ? caller.call(() => this.attempt(target, body, requestBytes)) : this.attempt(target, body, requestBytes);
  }

  /** The resilience counts per target (attempts, retries, budget denials, short-circuits), for /metrics. */
  resilienceCounts(): Record<string, ReturnType<ResilientCaller["counts"]>> {
    return Object.fromEntries([...this.callers].map(([t, c]) => [t, c.counts()]));
  }

  /** One attempt: resolves when the callee answered 2xx, else rejects with CallFailed. */
  private attempt(target: string, body: CallBody, requestBytes: number): Promise<void> {
    const urls = this.targets[target];
    if (!urls || urls.length === 0) return Promise.reject(new Error(`no address for '${target}'`));
    const i = this.next.get(target) ?? 0;
    this.next.set(target, i + 1);
    const url = new URL(CALL_PATH, urls[i % urls.length]);
    // a call step's request_size: the body padded to the bytes the caller drew
    const text = padJson(JSON.stringify(body), requestBytes);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const status = res.statusCode ?? 502;
            if (status >= 200 && status < 300) resolve();
            else reject(new CallFailed(target, status, Buffer.concat(chunks).toString("utf8").slice(0, 200)));
          });
          res.on("error", (e) => reject(new CallFailed(target, 502, e.message)));
        },
      );
      req.on("error", (e) => reject(new CallFailed(target, 502, e.message)));
      req.end(text);
    });
  }

  close(): void {
    for (const c of this.callers.values()) c.close();
    this.agent.destroy();
  }
}

/** Validates a call's body against the classes this service serves and their key counts. */
export function parseCall(text: string, keyCount: (cls: string) => number | undefined | null): CallBody | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return "body is not valid JSON";
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "body must be a JSON object";
  const o = v as Record<string, unknown>;
  if (typeof o.class !== "string") return "class must be a string";
  const keys = keyCount(o.class);
  if (keys === null) return `no class '${o.class.slice(0, 40)}' here`;
  if (o.key !== undefined && (typeof o.key !== "number" || !Number.isInteger(o.key) || o.key < 0 || (keys !== undefined && o.key >= keys))) return "key out of range";
  const order = o.order as Record<string, unknown> | undefined;
  if (order !== undefined && (typeof order !== "object" || order === null || typeof order.id !== "string" || !Number.isInteger(order.product) || !Number.isInteger(order.quantity))) return "order must be { id, product, quantity }";
  if (o.respond !== undefined && (typeof o.respond !== "number" || !Number.isInteger(o.respond) || o.respond < 0 || o.respond > MAX_RESPOND)) return `respond must be a whole number of bytes up to ${MAX_RESPOND}`;
  return { class: o.class, key: o.key as number | undefined, order: order as CallBody["order"], ...(o.respond !== undefined ? { respond: o.respond } : {}) };
}
