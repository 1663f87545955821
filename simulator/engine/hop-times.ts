// Per-hop times (ReplicationOptions.hops, opt-in): the seconds a task waits, is served, sends or
// crosses the network, added to the ledger (hop-ledger.ts) of the top-level request it works for,
// and which kind of time a delay instruction is. Plain functions over the replication's state
// (engine/simulation.ts), called only when hops are on.
import type { Replication } from "./simulation.ts";
import { HOP_KINDS, NETWORK_SLOT } from "./hop-ledger.ts";
import { ORPHAN } from "./task-table.ts";
import type { Program } from "./program.ts";
import { OP_BALANCE, OP_DELAY } from "./codes.ts";

/** Per instruction, what a delay is: 1 a network hop, 2 own work in the slot held, 3 a balancer's overhead (the OP_BALANCE that follows it); 0 for the rest. */
export function delayKinds(p: Program): Int8Array {
  // A delay's purpose is the suffix of its random stream's name (program.ts names them).
  return Int8Array.from(p.op, (op, pc) => {
    if (op !== OP_DELAY) return 0;
    const name = p.streams[p.argB[pc]];
    if (/:lb-overhead$/.test(name)) return p.op[pc + 1] === OP_BALANCE ? 3 : 0;
    // a service's call_overhead is its own client-side work, in the slot it holds
    return /:(network|lat|cross)[<>]?\w*$/.test(name) ? 1 : /:(service|overhead|call-overhead[<>]?\w*)$/.test(name) ? 2 : 0;
  });
}

/** Adds d seconds at component c (kind 0 waiting, 1 served, 2 on its link) to the ledger of task t's request. Hops only. */
export function hop(sim: Replication, t: number, c: number, kind: number, d: number): void {
  ledgerAdd(sim, t, c * HOP_KINDS + kind, d);
}

/**
 * Writes d seconds at a ledger slot for the top-level request task t works for; nothing when t
 * works for a queue message (asynchronous, outside the request's latency) or for a call its
 * caller gave up on (an orphan: the request it served has failed or moved on). Whether the
 * seconds count is decided when the request ends (finish).
 */
export function ledgerAdd(sim: Replication, t: number, slot: number, d: number): void {
  let u = t;
  for (;;) {
    if (sim.tMsg[u] >= 0) return;
    const parent = sim.tParent[u];
    if (parent < 0) break;
    u = parent;
  }
  if (sim.tUser[u] === ORPHAN) return;
  sim.hopLedger!.add(u, sim.tGen[u], slot, d);
}

/** A delay instruction's time: a network hop, or own work in the slot the task holds. */
export function delayHop(sim: Replication, t: number, pc: number, d: number): void {
  const kind = sim.delayKind![pc];
  if (kind === 1) {
    ledgerAdd(sim, t, NETWORK_SLOT, d);
  } else if (kind === 2 && sim.tHeldUnit[t] >= 0) {
    hop(sim, t, sim.p.resources[sim.tHeldUnit[t]].component, 1, d);
  } else if (kind === 3) {
    hop(sim, t, sim.p.balancers[sim.p.argA[pc + 1]].component, 1, d);
  }
}
