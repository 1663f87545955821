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
  it("lanes pop in the same order as the heap alone", () => {
    // A simulation-like run: events at now + a random delay in the heap, and timeouts at now + a
    // fixed duration per lane (ties on purpose: times on a 1 ms grid), some out of order so the
    // lane hands them to the heap; one calendar uses lanes, the other pushes everything to the
    // heap. The pop sequences must be equal, event for event.
    const rng = new Rng(4, 0, "cal");
    const durations = [0.005, 0.02, 0.02, 1];
    let now = 0, i = 8;
    const a2 = new Calendar(2), b2 = new Calendar(2);
    for (let k = 0; k < 8; k++) { const t = Math.floor(rng.next() * 100) / 1000; a2.push(t, k, k); b2.push(t, k, k); }
    let popped = 0, differ = 0, laned = 0, late = 0;
    while (popped < 200_000 && a2.pop()) {
      b2.pop();
      if (a2.popTime !== b2.popTime || a2.popCode !== b2.popCode || a2.popExtra !== b2.popExtra) differ++;
      now = a2.popTime;
      popped++;
      const code = i++;
      const t = now + Math.floor(rng.next() * 50) / 1000;
      a2.push(t, code, code); b2.push(t, code, code);
      if (rng.next() < 0.5) {
        const lane = (rng.next() * durations.length) | 0;
        // one in twenty a little early: the lane gives it to the heap
        const early = rng.next() < 0.05 ? 0.003 : 0;
        if (early) late++;
        const tt = Math.round((now + durations[lane] - early) * 1000) / 1000;
        a2.pushTime = tt; a2.pushLane(lane, code + 1_000_000_000, lane);
        b2.pushTime = tt; b2.pushAt(code + 1_000_000_000, lane);
        laned++;
      }
    }
    expect(popped).toBe(200_000);
    expect(differ).toBe(0);
    expect(laned).toBeGreaterThan(90_000);
    expect(late).toBeGreaterThan(1000);
    while (a2.pop()) { b2.pop(); if (a2.popCode !== b2.popCode) differ++; }
    expect(b2.pop()).toBe(false);
    expect(differ).toBe(0);
  });
  it("a pop's lazy removal gives the order of a sorted reference, with 0, 1 or 2 pushes per pop", () => {
    // pop() leaves its event at the root until the next push fills it or the next pop, peekTime
    // or size removes it. Here a pop is followed by no push, one or two (ties on a 1 ms grid, some
    // at the popped time itself, some through a lane), with size and peekTime read in between; a
    // plain array kept sorted by (time, sequence) says which event must come next.
    const cal = new Calendar(2);
    const rng = new Rng(5, 0, "cal");
    const ref: { t: number; s: number }[] = [];
    let seq = 0, now = 0, popped = 0, differ = 0, sizeWrong = 0, peekWrong = 0;
    const add = (t: number, lane: number) => {
      if (lane >= 0) { cal.pushTime = t; cal.pushLane(lane, seq, 0); } else cal.push(t, seq, 0);
      ref.push({ t, s: seq++ });
    };
    for (let k = 0; k < 50; k++) add(Math.floor(rng.next() * 100) / 1000, -1);
    while (popped < 100_000 && cal.pop()) {
      ref.sort((a, b) => a.t - b.t || a.s - b.s);
      const want = ref.shift()!;
      if (cal.popTime !== want.t || cal.popCode !== want.s) differ++;
      now = cal.popTime;
      popped++;
      const u = rng.next();
      const pushes = ref.length < 20 ? 2 : ref.length > 80 ? 0 : u < 0.3 ? 0 : u < 0.8 ? 1 : 2;
      for (let k = 0; k < pushes; k++) {
        const lane = rng.next() < 0.3 ? 0 : -1;
        const t = lane === 0 ? Math.round((now + 0.05) * 1000) / 1000 : now + Math.floor(rng.next() * 30) / 1000;
        add(t, lane);
      }
      if (rng.next() < 0.2 && (cal.size === 0) !== (ref.length === 0)) sizeWrong++; // a lane counts once
      if (rng.next() < 0.2) { ref.sort((a, b) => a.t - b.t || a.s - b.s); if (cal.peekTime() !== (ref.length ? ref[0].t : Infinity)) peekWrong++; }
    }
    expect(popped).toBe(100_000);
    expect(differ).toBe(0);
    expect(sizeWrong).toBe(0);
    expect(peekWrong).toBe(0);
    // drained with no push: each pop removes the previous one's hole
    let left = 0;
    while (cal.pop()) { ref.sort((a, b) => a.t - b.t || a.s - b.s); const want = ref.shift()!; if (cal.popCode !== want.s) differ++; left++; }
    expect(left).toBeGreaterThan(20);
    expect(ref.length).toBe(0);
    expect(cal.size).toBe(0);
    expect(cal.peekTime()).toBe(Infinity);
    expect(differ).toBe(0);
  });
  it("popUntil pops in order up to its limit and leaves the later events", () => {
    const cal = new Calendar(2);
    const rng = new Rng(6, 0, "cal");
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) { const t = Math.floor(rng.next() * 100); times.push(t); cal.push(t, i, 0); }
    const want = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i);
    const got: number[] = [];
    while (cal.popUntil(49)) { got.push(cal.popCode); if (got.length % 3 === 0) cal.push(60 + (got.length % 7), 1000 + got.length, 0); }
    const early = want.filter((e) => e.t <= 49).map((e) => e.i);
    expect(got).toEqual(early);
    expect(cal.popUntil(49)).toBe(false);
    expect(cal.size).toBe(1000 - early.length + Math.floor(early.length / 3));
    expect(cal.peekTime()).toBeGreaterThan(49);
    let n = 0;
    while (cal.popUntil(Infinity)) n++;
    expect(n).toBe(cal.size === 0 ? 1000 - early.length + Math.floor(early.length / 3) : -1);
  });
});
