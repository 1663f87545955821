// Calls from one service to another, as the YAML's call graph draws them: an HTTP request for the
// same request class to the callee's balancer (HAProxy) when the YAML puts one between them, else
// straight to the callee's replicas, spread round robin as the simulator's client does (engine
// OP_SLOT without a balancer). The callee runs its handler for the class in one of its own slots;
// a failed answer (503, 504, 500) fails the caller's call with that status.
import http from "node:http";

/** The path a service serves calls from other services on (never a class's path: those are the YAML's). */
export const CALL_PATH = "/_headroom/call";

/** What a caller sends: the request's class and key, and the order it carries, if any. */
export interface CallBody {
  readonly class: string;
  readonly key?: number;
  readonly order?: { readonly id: string; readonly product: number; readonly quantity: number };
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

  /** `targets`: per called component (a service or its balancer), the base URLs to call. */
  constructor(private readonly targets: Readonly<Record<string, readonly string[]>>) {}

  has(target: string): boolean {
    return Object.hasOwn(this.targets, target);
  }

  /** One call: resolves when the callee answered 2xx, else rejects with CallFailed. */
  call(target: string, body: CallBody): Promise<void> {
    const urls = this.targets[target];
    if (!urls || urls.length === 0) return Promise.reject(new Error(`no address for '${target}'`));
    const i = this.next.get(target) ?? 0;
    this.next.set(target, i + 1);
    const url = new URL(CALL_PATH, urls[i % urls.length]);
    const text = JSON.stringify(body);
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
  return { class: o.class, key: o.key as number | undefined, order: order as CallBody["order"] };
}
