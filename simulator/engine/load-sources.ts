// Where requests come from: the open load's next arrival from the load plan's rate profile, and the
// closed load's users (each its own think time, or one pooled wake-up stream for exponential think
// times, per origin region) with their count schedule. Plain functions over the replication's state
// (engine/simulation.ts): an arrival reads `now` from its field rather than taking a double, so
// nothing is boxed or allocated per arrival.
import type { Replication } from "./simulation.ts";
import { EV_ARRIVAL, EV_USER, EV_WAKE } from "./codes.ts";
import { POOLED_USER } from "./task-table.ts";

/**
 * Schedules the open load's next arrival after now. It reads the time from the field rather than
 * taking it as an argument: a double passed to a call V8 did not inline is boxed (a heap number
 * per arrival, the whole of mmc's garbage).
 */
export function scheduleArrival(sim: Replication): void {
  const from = sim.now;
  const prof = sim.profile!;
  if (prof.constantRate > 0 && !sim.deterministic) {
    // One piece for ever: no piece to find (nextPoisson takes one exponential gap).
    sim.cal.pushTime = prof.nextPoisson(from, sim.arrivalRng); sim.cal.pushAt(EV_ARRIVAL, 0);
    return;
  }
  let t = from;
  for (;;) {
    if (t >= prof.end) return;
    const piece = (sim.piece = prof.pieceAt(t, sim.piece));
    const max = prof.maxRate[piece];
    const pieceEnd = prof.ends[piece];
    if (max <= 0) { t = pieceEnd; continue; }
    if (sim.deterministic) {
      // Next arrival when the rate has integrated to one more (the remainder of a piece is lost
      // at its end: at most one arrival per stage).
      const next = prof.nextDeterministic(piece, t);
      if (next === Infinity) { t = pieceEnd; continue; }
      sim.cal.pushTime = next; sim.cal.pushAt(EV_ARRIVAL, 0);
      return;
    }
    // Poisson by thinning (profile.ts: the one implementation drivers share).
    const next = prof.nextPoisson(t, sim.arrivalRng);
    if (next !== Infinity) { sim.cal.pushTime = next; sim.cal.pushAt(EV_ARRIVAL, 0); }
    return;
  }
}

// With regions the pool is one per origin (users split by the shares, largest remainder); the
// totals drive the wake-ups and a woken user is from origin o with probability thinking_o / thinking.
export function setPooledUsers(sim: Replication, target: number): void {
  const n = sim.p.origins;
  let left = target;
  for (let o = 0; o < n; o++) {
    const share = o === n - 1 ? left : Math.round(target * (o === 0 ? sim.p.originCum[0] : sim.p.originCum[o] - sim.p.originCum[o - 1]));
    const want = Math.min(left, share);
    left -= want;
    const delta = want - sim.oTarget[o];
    sim.oTarget[o] = want;
    // Users leave from those thinking first; busy ones leave when their request ends.
    sim.oThinking[o] = delta > 0 ? sim.oThinking[o] + delta : Math.max(0, sim.oThinking[o] + delta);
  }
  sim.usersTarget = target;
  sim.usersThinking = 0;
  for (let o = 0; o < n; o++) sim.usersThinking += sim.oThinking[o];
  scheduleWake(sim);
}

export function scheduleWake(sim: Replication): void {
  sim.wakeGen++;
  if (sim.usersTarget > 0) { sim.cal.pushTime = sim.now + (sim.thinkMean / sim.usersTarget) * -Math.log(sim.thinkRng.next()); sim.cal.pushAt(EV_WAKE, sim.wakeGen); }
}

export function wake(sim: Replication): void {
  // Thinning: a candidate wake-up at the bound rate target / Z is real with probability thinking / target.
  if (sim.wakeRng.next() * sim.usersTarget < sim.usersThinking) {
    let o = 0;
    if (sim.p.origins > 1) {
      let x = sim.wakeOriginRng.next() * sim.usersThinking;
      while (o < sim.p.origins - 1 && x >= sim.oThinking[o]) x -= sim.oThinking[o++];
    }
    sim.oThinking[o]--;
    sim.oBusy[o]++;
    sim.usersThinking--;
    sim.newRequest(POOLED_USER, o);
  }
  sim.cal.pushTime = sim.now + (sim.thinkMean / sim.usersTarget) * -Math.log(sim.thinkRng.next()); sim.cal.pushAt(EV_WAKE, sim.wakeGen);
}

export function pooledUserDone(sim: Replication, o: number): void {
  sim.oBusy[o]--;
  if (sim.oBusy[o] + sim.oThinking[o] < sim.oTarget[o]) { sim.oThinking[o]++; sim.usersThinking++; }
}

/** The region of individual user u (assigned when the user is first created, see setUsers). */
export function userOrigin(sim: Replication, u: number): number {
  return sim.p.origins === 1 ? 0 : sim.userRegion[u];
}

export function userDone(sim: Replication, u: number): void {
  if (!sim.userActive[u]) return;
  sim.cal.pushTime = sim.now + sim.think!.sample(sim.thinkRng); sim.cal.pushAt(u * 32 + EV_USER, sim.userGen[u]);
}

// Active users are always the prefix [0, activeUsers): ramps add at the end and remove from the
// end, so each change is O(1) even for a million users.
export function setUsers(sim: Replication, target: number): void {
  if (target > sim.userActive.length) {
    const n = Math.max(target, sim.userActive.length * 2);
    const a = new Uint8Array(n); a.set(sim.userActive); sim.userActive = a;
    const g = new Int32Array(n); g.set(sim.userGen); sim.userGen = g;
    const r = new Int32Array(n); r.set(sim.userRegion); sim.userRegion = r;
    // Regions by smooth weighted round robin over the shares: every prefix of users (ramps add
    // and remove at the end) is split as the shares say, within about a user per region.
    const shares = sim.p.originCum.map((c, o) => (o === sim.p.origins - 1 ? 1 : c) - (o === 0 ? 0 : sim.p.originCum[o - 1]));
    for (let i = sim.regionsAssigned; i < n; i++) {
      let best = 0;
      for (let o = 0; o < shares.length; o++) {
        sim.regionCredit[o] += shares[o];
        if (sim.regionCredit[o] > sim.regionCredit[best]) best = o;
      }
      sim.regionCredit[best] -= 1;
      r[i] = best;
    }
    sim.regionsAssigned = n;
  }
  while (sim.activeUsers < target) {
    const u = sim.activeUsers++;
    sim.userActive[u] = 1;
    sim.userGen[u]++;
    sim.cal.pushTime = sim.now + sim.think!.sample(sim.thinkRng); sim.cal.pushAt(u * 32 + EV_USER, sim.userGen[u]);
  }
  // Ramp down: the highest-numbered users leave after their request in flight, if any.
  while (sim.activeUsers > target) {
    const u = --sim.activeUsers;
    sim.userActive[u] = 0;
    sim.userGen[u]++;
  }
}
