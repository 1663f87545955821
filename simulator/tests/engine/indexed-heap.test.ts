// The least-connections heap against a brute-force reference: after every random insert, re-key
// and removal its top is an item a linear scan would pick (least key, then least seq).
import { describe, expect, it } from "vitest";
import { IndexedMinHeap } from "../../engine/indexed-heap.ts";
import { Rng } from "../../engine/rng.ts";

describe("IndexedMinHeap", () => {
  it("top equals the scan's choice through 20,000 random operations on 50 items", () => {
    const n = 50;
    const h = new IndexedMinHeap(n);
    const rng = new Rng(7, 0, "heap-test");
    const inHeap = new Uint8Array(n), key = new Float64Array(n), seq = new Float64Array(n);
    let clock = 0;
    for (let step = 0; step < 20_000; step++) {
      const i = (rng.next() * n) | 0;
      if (rng.next() < 0.2) { h.remove(i); inHeap[i] = 0; }
      else {
        // Few distinct keys, so ties (decided by seq) are common.
        key[i] = (rng.next() * 5) | 0;
        seq[i] = rng.next() < 0.5 ? ++clock : seq[i];
        h.set(i, key[i], seq[i]);
        inHeap[i] = 1;
      }
      let best = -1;
      for (let k = 0; k < n; k++) {
        if (!inHeap[k]) continue;
        if (best < 0 || key[k] < key[best] || (key[k] === key[best] && seq[k] < seq[best])) best = k;
      }
      // Items equal in key and seq are interchangeable: compare what decides.
      const top = h.top();
      expect(top >= 0 ? [key[top], seq[top], inHeap[top]] : null).toEqual(best >= 0 ? [key[best], seq[best], 1] : null);
      expect(h.size).toBe(inHeap.reduce((a, b) => a + b, 0));
    }
  });
});
