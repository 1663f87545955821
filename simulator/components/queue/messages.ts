// The kernel's side of a queue: a publish (overflow, drop-head, the broker's confirm wake-up), the
// message task it starts, and a handled message's end (processed, requeued for a retry, or dead
// lettered). The worker choice and failure draws are the runtime's (runtime.ts). Plain functions
// over the replication's state (engine/simulation.ts): no closure or allocation per message.
import type { Replication } from "../../engine/simulation.ts";
import { C_DEAD, C_DROPPED_HEAD, C_PROCESSED, C_PUBLISHED, C_REJECTED, C_RETRIES } from "../../engine/codes.ts";
import { RUNNING, WAITING } from "../../engine/task-table.ts";

/**
 * A broker confirm's wake-up (confirm_wake): cost x (1 - e^(-gap/idle)), gap the time since the
 * queue's previous publish; a broker kept busy by frequent publishes answers sooner.
 */
export function confirmWake(sim: Replication, q: number): number {
  const spec = sim.p.queues[q];
  const gap = sim.now - sim.lastPublish[q];
  sim.lastPublish[q] = sim.now;
  return spec.wakeCost * (1 - Math.exp(-gap / spec.wakeIdle));
}

/** Publishes a message for task t's request; false when the queue refuses it. */
export function publish(sim: Replication, t: number, q: number): boolean {
  const p = sim.p;
  const spec = p.queues[q];
  const cs = sim.cStats[spec.component];
  const r = sim.queue.worker(q, sim.tKey[t]);
  const res = p.resources[r];
  const full = sim.busy[r] >= sim.units[r] && res.buffer >= 0 && sim.waiting[r] >= res.buffer;
  if (full) {
    // Only ready messages can be dropped: those already delivered to consumers (held) cannot.
    if (!spec.dropHead || sim.waiting[r] <= spec.held) {
      if (sim.measuring) cs.counts[C_REJECTED]++;
      return false;
    }
    // drop-head: the oldest ready message makes room (the backlog's time average is brought up
    // to now before the queue shrinks, as on every other change of its length).
    sim.touch(r);
    const oldest = spec.held === 0 ? sim.dequeue(r) : unqueueAt(sim, r, spec.held);
    if (oldest >= 0) {
      sim.tState[oldest] = RUNNING;
      sim.messages.droppedHead++;
      if (sim.measuring) cs.counts[C_DROPPED_HEAD]++;
      sim.release(oldest);
    }
  }
  const m = sim.alloc();
  sim.tCls[m] = sim.tCls[t];
  sim.tKey[m] = sim.tKey[t];
  sim.tStart[m] = sim.now;
  sim.tMsg[m] = q;
  sim.tPc[m] = spec.entry;
  sim.messages.published++;
  if (sim.measuring) cs.counts[C_PUBLISHED]++;
  sim.step(m);
  return true;
}

/**
 * Takes the waiting task with `ahead` live waiting tasks before it out of resource r's queue
 * (it stays in the ring as a dead entry that dequeue() skips and frees); -1 if there is none.
 */
export function unqueueAt(sim: Replication, r: number, ahead: number): number {
  const ring = sim.rings[r];
  for (let i = 0, live = 0; i < sim.qLen[r]; i++) {
    const t = ring[(sim.qHead[r] + i) % ring.length];
    if (sim.tState[t] !== WAITING || sim.tResource[t] !== r) continue;
    if (live++ < ahead) continue;
    sim.touch(r);
    sim.waiting[r]--;
    return t;
  }
  return -1;
}

export function messageDone(sim: Replication, m: number, ok: boolean): void {
  const q = sim.tMsg[m];
  const spec = sim.p.queues[q];
  const cs = sim.cStats[spec.component];
  const failed = !ok || sim.queue.fails(q);
  if (!failed) {
    sim.messages.processed++;
    if (sim.measuring) { cs.counts[C_PROCESSED]++; cs.latency.record(sim.now - sim.tStart[m]); }
    sim.release(m);
    return;
  }
  if (sim.tRetries[m] < spec.retries) {
    // Requeued at the tail, as a nack with requeue does.
    sim.tRetries[m]++;
    if (sim.measuring) cs.counts[C_RETRIES]++;
    sim.tDbPhase[m] = 0;
    sim.tPc[m] = spec.entry;
    sim.step(m);
    return;
  }
  sim.messages.deadLettered++;
  if (sim.measuring) cs.counts[C_DEAD]++;
  sim.release(m);
}
