// Payload transfers during a run (the plan is payload-plan.ts): a transfer's size drawn and counted
// on its edge and components, its wait on the sender's egress link (links.ts), and the tasks going
// on when a link finishes them. Plain functions over the replication's state (engine/simulation.ts):
// scenarios without sizes never call them.
import type { Replication } from "./simulation.ts";
import { EV_LINK } from "./codes.ts";
import { NETWORK_SLOT } from "./hop-ledger.ts";
import { hop, ledgerAdd } from "./hop-times.ts";

/**
 * Transfer x of the payload plan: draws the size (or keeps the task's last), counts it on its
 * edge and ends; true when the bytes go over the sender's link and the task waits for them.
 */
export function transfer(sim: Replication, t: number, x: number): boolean {
  const pay = sim.p.payload;
  const s = pay.transferSampler[x];
  if (s >= 0) sim.tBytes[t] = sim.p.samplers[s].sample(sim.flowRng[pay.transferStream[x]]);
  const bytes = sim.tBytes[t];
  const e = pay.transferEdge[x];
  if (sim.measuring && e >= 0) {
    const st = sim.payload!;
    st.edgeBytes[e] += bytes;
    st.edgeTransfers[e]++;
    const from = pay.edgeFrom[e >> 1], to = pay.edgeTo[e >> 1];
    if (from >= 0) st.bytesOut[from] += bytes;
    if (to >= 0) st.bytesIn[to] += bytes;
  }
  const l = pay.transferLink[x];
  if (l < 0 || bytes <= 0) return false;
  const at = sim.links.start(l, t, bytes, sim.now);
  if (at >= 0) sim.cal.push(at, l * 32 + EV_LINK, sim.links.gen[l]);
  return true;
}

/** Link l's next transfer is through: its task (and any ending at the same time) go on. */
export function linkDone(sim: Replication, l: number): void {
  const links = sim.links;
  const n = links.complete(l, sim.now, sim.measuring);
  const at = links.schedule(l, sim.now, true);
  if (at >= 0) sim.cal.push(at, l * 32 + EV_LINK, links.gen[l]);
  // step() may start transfers (on sim link too) but never completes one: done[] stays as is.
  for (let i = 0; i < n; i++) {
    const t = links.done[i];
    if (sim.hops) {
      // its time on the link: the sender's link hop, or the network for a link between regions
      const c = sim.p.payload.links[l].component;
      if (c >= 0) hop(sim, t, c, 2, sim.now - links.doneStart[i]);
      else ledgerAdd(sim, t, NETWORK_SLOT, sim.now - links.doneStart[i]);
    }
    sim.tPc[t]++;
    sim.step(t);
  }
}
