// A back edge's label (db -> api beside api -> db) is placed clear of its forward edge's label.
import { describe, expect, it } from "vitest";
import { edgeGeometry, BACK_DROP } from "./edge-path.ts";

/** A label's box as React Flow draws it: centred on its place, ~6.2 px a character at 11 px plus padding. */
const box = (x: number, y: number, text: string) => { const w = text.length * 6.2 + 4, h = 17; return { x0: x - w / 2, x1: x + w / 2, y0: y - h / 2, y1: y + h / 2 }; };
const intersect = (a: ReturnType<typeof box>, b: ReturnType<typeof box>) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe("edge labels of a pair of edges", () => {
  // the tandem template's layout: api and db side by side, 180 px wide nodes 80 px apart; handles at mid-height
  const api = { left: 0, right: 180 }, db = { left: 260, right: 440 }, y = 40;
  it("api -> db is a bezier with its label midway; db -> api dips below, its label under the first", () => {
    const fwd = edgeGeometry(api.right, y, db.left, y);
    const back = edgeGeometry(db.right, y, api.left, y);
    expect(fwd.back).toBe(false);
    expect(back.back).toBe(true);
    expect(fwd.labelX).toBeCloseTo((api.right + db.left) / 2, 9);
    expect(fwd.labelY).toBeCloseTo(y, 9);
    expect(back.labelY - y).toBeCloseTo(0.75 * BACK_DROP, 9);
    expect(intersect(box(fwd.labelX, fwd.labelY, "8.97 req/s"), box(back.labelX, back.labelY, "p 0.1 · 8.97 req/s"))).toBe(false);
    // and as they were before: both at the same middle, one over the other
    expect(intersect(box(fwd.labelX, fwd.labelY, "89.7 req/s"), box((db.right + api.left) / 2, y, "p 0.1 · 8.97 req/s"))).toBe(true);
  });
  it("nodes at different heights, and a station routing to itself: the back label below the nodes' mid-lines and the forward label", () => {
    for (const dy of [-60, -20, 0, 20, 60]) {
      const fwd = edgeGeometry(api.right, y, db.left, y + dy);
      const back = edgeGeometry(db.right, y + dy, api.left, y);
      expect(intersect(box(fwd.labelX, fwd.labelY, "1.23k req/s"), box(back.labelX, back.labelY, "p 0.25 · 1.23k req/s")), `dy ${dy}`).toBe(false);
    }
    const loop = edgeGeometry(api.right, y, api.left, y);
    expect(loop.back).toBe(true);
    // an 80 px tall node's bottom is 40 px under its handles: the label's box starts below it
    expect(box(loop.labelX, loop.labelY, "p 0.1 · 30 req/s").y0).toBeGreaterThan(y + 40);
  });
});
