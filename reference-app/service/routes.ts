// Maps an HTTP request to a scenario request class and validates its inputs: a {key} in the path
// must be an integer id below the class's key count (for a class with keys but no {key} in its path,
// the KEY_HEADER carries it), a POST /orders body must be a small JSON object.
import type { ClassPlan } from "../plan.ts";

export interface Route {
  readonly cls: ClassPlan;
  readonly pattern: RegExp;
}

export type Match =
  | { kind: "ok"; cls: ClassPlan; key?: number }
  | { kind: "bad"; status: 400 | 404 | 405; error: string };

/** Where the load generators put the drawn key of a class with keys whose path has no {key} (k6/scripts/scenario.ts). */
export const KEY_HEADER = "x-headroom-key";

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function compileRoutes(classes: readonly ClassPlan[]): Route[] {
  return classes.map((cls) => ({
    cls,
    pattern: new RegExp("^" + cls.path.split("{key}").map(escapeRegExp).join("([^/]*)") + "$"),
  }));
}

export function matchRoute(routes: readonly Route[], method: string, path: string, headerKey?: string): Match {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.cls.method !== method) continue;
    if (m.length < 2) {
      if (headerKey === undefined || r.cls.keyCount === undefined) return { kind: "ok", cls: r.cls };
      const key = parseId(headerKey, r.cls.keyCount);
      if (key === undefined) return { kind: "bad", status: 400, error: `bad ${KEY_HEADER} '${headerKey.slice(0, 40)}': expected an integer from 0 to ${r.cls.keyCount - 1}` };
      return { kind: "ok", cls: r.cls, key };
    }
    const key = parseId(m[1]!, r.cls.keyCount ?? 0);
    if (key === undefined) {
      return { kind: "bad", status: 400, error: `bad id '${m[1]!.slice(0, 40)}': expected an integer from 0 to ${(r.cls.keyCount ?? 1) - 1}` };
    }
    return { kind: "ok", cls: r.cls, key };
  }
  return pathMatched ? { kind: "bad", status: 405, error: `method ${method} not allowed here` } : { kind: "bad", status: 404, error: "no such endpoint" };
}

/** A decimal id in [0, count), or undefined. */
export function parseId(raw: string, count: number): number | undefined {
  if (!/^(0|[1-9][0-9]{0,14})$/.test(raw)) return undefined;
  const n = Number(raw);
  return n < count ? n : undefined;
}

export interface OrderInput {
  readonly product: number;
  readonly quantity: number;
}

/**
 * Validates an order body: {} or { product?: id, quantity?: 1..1000 }. Without a product the
 * order is for `defaultProduct`: the request's key when it has one (so a keyed POST writes on its
 * key's shard, as the model's write does), else 0.
 */
export function parseOrder(body: string, keyCount: number, defaultProduct = 0): OrderInput | string {
  let v: unknown = {};
  if (body.trim() !== "") {
    try {
      v = JSON.parse(body);
    } catch {
      return "body is not valid JSON";
    }
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "body must be a JSON object";
  const o = v as Record<string, unknown>;
  const product = o.product ?? defaultProduct;
  const quantity = o.quantity ?? 1;
  if (typeof product !== "number" || !Number.isInteger(product) || product < 0 || product >= keyCount) {
    return `product must be an integer from 0 to ${keyCount - 1}`;
  }
  if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 1 || quantity > 1000) {
    return "quantity must be an integer from 1 to 1000";
  }
  return { product, quantity };
}
