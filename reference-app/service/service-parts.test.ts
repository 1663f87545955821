// The service's pure parts: routing with id validation, order bodies, slots with a bounded accept
// queue, and value padding to the cache's value_size.
import { describe, expect, it } from "vitest";
import { compileRoutes, matchRoute, parseOrder } from "./routes.ts";
import { Slots } from "./slots.ts";
import { pad, unpad } from "./cache.ts";

const routes = compileRoutes([
  { name: "get_product", method: "GET", path: "/products/{key}", keyCount: 1000, via: "lb" },
  { name: "create_order", method: "POST", path: "/orders", via: "lb" },
]);

describe("routes", () => {
  it("matches classes and parses ids", () => {
    expect(matchRoute(routes, "GET", "/products/999")).toMatchObject({ kind: "ok", key: 999 });
    expect(matchRoute(routes, "POST", "/orders")).toMatchObject({ kind: "ok", cls: { name: "create_order" } });
  });
  it.each(["1000", "-1", "01", "1e3", "abc", "", "9".repeat(30), "%00"])("answers 400 for id %j", (id) => {
    expect(matchRoute(routes, "GET", `/products/${id}`)).toMatchObject({ kind: "bad", status: 400 });
  });
  it("a class with keys and no {key} in its path takes the key from the X-Headroom-Key header; a bad one is a 400; none, no key", () => {
    const keyed = compileRoutes([{ name: "post", method: "POST", path: "/posts", keyCount: 1000, via: "lb" }]);
    expect(matchRoute(keyed, "POST", "/posts", "417")).toMatchObject({ kind: "ok", key: 417 });
    expect(matchRoute(keyed, "POST", "/posts", "1000")).toMatchObject({ kind: "bad", status: 400 });
    expect(matchRoute(keyed, "POST", "/posts")).toEqual({ kind: "ok", cls: expect.objectContaining({ name: "post" }) });
    // a class without keys ignores the header
    expect(matchRoute(routes, "POST", "/orders", "5")).toEqual({ kind: "ok", cls: expect.objectContaining({ name: "create_order" }) });
  });
  it("an order without a product is for the request's key (its shard), else product 0", () => {
    expect(parseOrder("", 1000, 417)).toEqual({ product: 417, quantity: 1 });
    expect(parseOrder('{"product": 3}', 1000, 417)).toEqual({ product: 3, quantity: 1 });
    expect(parseOrder("", 1000)).toEqual({ product: 0, quantity: 1 });
  });
  it("answers 404 and 405", () => {
    expect(matchRoute(routes, "GET", "/nope")).toMatchObject({ status: 404 });
    expect(matchRoute(routes, "DELETE", "/orders")).toMatchObject({ status: 405 });
  });
  it("validates order bodies", () => {
    expect(parseOrder("", 10)).toEqual({ product: 0, quantity: 1 });
    expect(parseOrder('{"product":9,"quantity":3}', 10)).toEqual({ product: 9, quantity: 3 });
    expect(parseOrder('{"product":10}', 10)).toMatch(/product must be/);
    expect(parseOrder('{"quantity":0}', 10)).toMatch(/quantity must be/);
    expect(parseOrder("[1]", 10)).toMatch(/JSON object/);
    expect(parseOrder("{", 10)).toMatch(/not valid JSON/);
  });
});

/** A slot's release function (the test failing if the request got none). */
function held(r: Awaited<ReturnType<Slots["acquire"]>>): () => void {
  if (typeof r !== "function") throw new Error(`no slot: ${String(r)}`);
  return r;
}

describe("Slots", () => {
  it("runs `concurrency` at once, queues `backlog` in order, refuses the rest", async () => {
    const s = new Slots(2, 1);
    const r1 = held(await s.acquire());
    const r2 = held(await s.acquire());
    const third = s.acquire();
    expect(await s.acquire()).toBeNull();
    expect(s.rejected).toBe(1);
    expect([s.inUse, s.queued]).toEqual([2, 1]);
    r1();
    const r3 = held(await third);
    expect([s.inUse, s.queued]).toEqual([2, 0]);
    r2();
    r3();
    r3(); // releasing twice must not free a slot twice
    expect(s.inUse).toBe(0);
  });

  it("with a queue timeout (a station's reneging), a request still waiting leaves; one granted in time keeps its slot", async () => {
    const s = new Slots(1, undefined, undefined, 30);
    const first = held(await s.acquire());
    const leaves = s.acquire();
    expect(await leaves).toBe("timeout");
    expect([s.inUse, s.queued, s.reneged]).toEqual([1, 0, 1]);
    const served = s.acquire();
    first();
    const r = held(await served);
    // its timer was cleared when the slot passed to it: still held after the timeout's span
    await new Promise((res) => setTimeout(res, 50));
    expect([s.inUse, s.reneged]).toEqual([1, 1]);
    r();
    expect(s.inUse).toBe(0);
  });
});

describe("pad", () => {
  it("pads JSON to exactly the value size and back", () => {
    const v = pad('{"id":1}', 1000);
    expect(Buffer.byteLength(v)).toBe(1000);
    expect(JSON.parse(unpad(v))).toEqual({ id: 1 });
  });
});

describe("Slots without a backlog", () => {
  it("queues every request beyond the slots and refuses none (the simulator's default)", async () => {
    const s = new Slots(1, undefined);
    const first = held(await s.acquire());
    const waiting = Array.from({ length: 1000 }, () => s.acquire());
    expect([s.inUse, s.queued, s.rejected]).toEqual([1, 1000, 0]);
    first();
    for (const w of waiting) held(await w)();
    expect([s.inUse, s.queued]).toEqual([0, 0]);
  });
});
