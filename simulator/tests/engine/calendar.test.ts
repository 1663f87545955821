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
});
