// The event calendar pops in time order, and first in first out among equal times.
import { describe, expect, it } from "vitest";
import { Calendar } from "../../engine/calendar.ts";
import { Rng } from "../../engine/rng.ts";

describe("Calendar", () => {
  it("pops 100k random events in (time, insertion) order", () => {
    const cal = new Calendar(4);
    const rng = new Rng(1, 0, "cal");
    const n = 100_000;
    for (let i = 0; i < n; i++) cal.push(Math.floor(rng.next() * 1000), i, 0); // many ties
    let lastT = -1, lastCode = -1, count = 0, disorder = 0;
    while (cal.pop()) {
      const t = cal.popTime, c = cal.popCode;
      if (!(t > lastT || (t === lastT && c > lastCode))) disorder++;
      lastT = t; lastCode = c; count++;
    }
    expect(count).toBe(n);
    expect(disorder).toBe(0);
  });
  it("interleaved push and pop stays ordered", () => {
    const cal = new Calendar(2);
    const rng = new Rng(2, 0, "cal");
    let now = 0, backwards = 0;
    for (let i = 0; i < 1000; i++) cal.push(rng.next(), i, 0);
    for (let i = 0; i < 50_000; i++) {
      cal.pop();
      if (cal.popTime < now) backwards++;
      now = cal.popTime;
      cal.push(now + rng.next(), i, 0);
    }
    expect(backwards).toBe(0);
  });
  it("pushTime then pushAt adds the same event as push", () => {
    // Two calendars fed the same random events (many ties), one by push and one by the field
    // handoff the engine's hot paths use, mixed with push: the pop sequences must be equal.
    const a = new Calendar(2), b = new Calendar(2);
    const rng = new Rng(3, 0, "cal");
    for (let i = 0; i < 20_000; i++) {
      const t = Math.floor(rng.next() * 500);
      a.push(t, i, i * 7);
      if (i % 3 === 0) b.push(t, i, i * 7);
      else { b.pushTime = t; b.pushAt(i, i * 7); }
    }
    let differ = 0, count = 0;
    while (a.pop()) {
      b.pop();
      if (a.popTime !== b.popTime || a.popCode !== b.popCode || a.popExtra !== b.popExtra) differ++;
      count++;
    }
    expect(count).toBe(20_000);
    expect(b.size).toBe(0);
    expect(differ).toBe(0);
  });
});
