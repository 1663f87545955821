// The model's database pool in a replica (PoolGate, service/db.ts): `size` places for the whole
// database, FIFO, a waiter failing after the pool timeout, a place passing straight to the next.
import { describe, expect, it } from "vitest";
import { PoolGate } from "./db.ts";

describe("PoolGate", () => {
  it("holds size places, grants waiters in arrival order, and times a waiter out", async () => {
    const g = new PoolGate(2, 40);
    await g.acquire();
    await g.acquire();
    const order: number[] = [];
    const a = g.acquire().then(() => order.push(1));
    const b = g.acquire().then(() => order.push(2));
    expect(g.waiting).toBe(2);
    g.release();
    g.release();
    await Promise.all([a, b]);
    expect(order).toEqual([1, 2]);
    // both places are held again (they passed straight to the waiters): the next one waits, then fails
    await expect(g.acquire()).rejects.toThrow(/no place in the pool of 2 within 40 ms/);
    expect(g.waiting).toBe(0);
    g.release();
    await g.acquire();
  });

  it("never times out with a timeout of 0 (a pool the YAML does not bound in time)", async () => {
    const g = new PoolGate(1, 0);
    await g.acquire();
    let got = false;
    const w = g.acquire().then(() => (got = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toBe(false);
    g.release();
    await w;
    expect(got).toBe(true);
  });
});
