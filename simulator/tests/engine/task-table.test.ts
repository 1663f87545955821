// The task table: growing keeps every row of every column, alloc resets what a new task must not
// inherit, spawn copies what a call inherits, released ids are reused.
import { describe, expect, it } from "vitest";
import { FREE, RUNNING, TaskTable, ZOMBIE } from "../../engine/task-table.ts";

const columns = (t: TaskTable) => Object.entries(t).filter(([, v]) => ArrayBuffer.isView(v)) as Array<[string, Int32Array | Float64Array | Uint8Array]>;

describe("task table", () => {
  it("grows every column together and keeps the rows", () => {
    const t = new TaskTable();
    const first = t.alloc();
    for (const [, a] of columns(t)) if (a !== t.free) a[first] = 7;
    for (let i = 0; i < 5000; i++) t.alloc();
    expect(t.cap).toBe(8192);
    for (const [name, a] of columns(t)) {
      expect(a.length, name).toBe(8192);
      if (a !== t.free) expect(a[first], name).toBe(7);
    }
    expect(columns(t).length).toBeGreaterThan(30);
  });

  it("alloc resets a reused row, spawn copies what a call inherits", () => {
    const t = new TaskTable();
    const a = t.alloc();
    t.tParent[a] = 3; t.tLbConn[a] = 4; t.tHeldUnit[a] = 5; t.tPoolConn[a] = 6; t.tKilled[a] = 2; t.tMsg[a] = 1;
    t.tCls[a] = 2; t.tKey[a] = 99; t.tOrigin[a] = 1; t.tStart[a] = 1.5; t.tReplica[a] = 3;
    const gen = t.tGen[a];
    t.release(a);
    expect(t.tState[a]).toBe(FREE);
    const b = t.alloc();
    expect(b).toBe(a);
    expect(t.tGen[b]).toBe(gen + 1);
    expect([t.tState[b], t.tParent[b], t.tLbConn[b], t.tHeldUnit[b], t.tPoolConn[b], t.tKilled[b], t.tMsg[b]]).toEqual([RUNNING, -1, -1, -1, -1, 0, -1]);
    t.tCls[b] = 2; t.tKey[b] = 99; t.tOrigin[b] = 1; t.tStart[b] = 1.5; t.tReplica[b] = 3;
    const c = t.spawn(b, 42);
    expect([t.tCls[c], t.tKey[c], t.tOrigin[c], t.tStart[c], t.tReplica[c], t.tParent[c], t.tPc[c]]).toEqual([2, 99, 1, 1.5, 3, b, 42]);
  });

  it("a task released while listed in a ring keeps its id until reclaimed", () => {
    const t = new TaskTable();
    const a = t.alloc();
    t.tInRing[a] = 1;
    t.release(a);
    expect(t.tState[a]).toBe(ZOMBIE);
    expect(t.alloc()).not.toBe(a);
    t.reclaim(a);
    expect(t.alloc()).toBe(a);
  });
});
