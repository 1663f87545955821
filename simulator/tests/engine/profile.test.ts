// Load profiles and reneging against what they must produce: per-interval arrival counts against
// the integral of the rate profile (hold, linear ramp, step spike, diurnal sine), Poisson and
// deterministic; the user count of a ramping closed load over time; a station's `queue_timeout`
// (M/M/1 with deterministic patience) against its closed form; and the constant rate's shortcut
// against the thinning loop it skips (the same times, bit for bit).
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { expectTheory, MAX_BAND, scenarioOf } from "../helpers.ts";
import { RateProfile } from "../../engine/profile.ts";
import { Rng } from "../../engine/rng.ts";
import type { OpenLoad } from "../../model/schema.ts";

// ---------------------------------------------------------------- open load: rate profiles

// The profile as docs/scenario-format.md describes it, written out independently of the engine:
// a linear stage ramps from the previous level to `target`, a step stage jumps to `target` at its
// start, a sine stage is mid + amp cos(2π (t - peak) / period) with t the time into the stage.
type Stage = { duration: number; target?: number; shape?: "linear" | "step" | "sine"; min?: number; max?: number; period?: number; peak?: number };

/** Expected arrivals in (a, b]: the integral of the rate over it, in closed form per stage. */
function integral(startRate: number, stages: Stage[], a: number, b: number): number {
  let level = startRate, s = 0, sum = 0;
  for (const st of stages) {
    const e = s + st.duration;
    const lo = Math.max(a, s), hi = Math.min(b, e);
    if (st.shape === "sine") {
      const mid = (st.min! + st.max!) / 2, amp = (st.max! - st.min!) / 2, P = st.period!, peak = st.peak!;
      const F = (t: number) => mid * t + ((amp * P) / (2 * Math.PI)) * Math.sin((2 * Math.PI * (t - s - peak)) / P);
      if (hi > lo) sum += F(hi) - F(lo);
      level = mid + amp * Math.cos((2 * Math.PI * (st.duration - peak)) / P);
    } else {
      const from = st.shape === "step" ? st.target! : level, to = st.target!;
      const rate = (t: number) => from + ((to - from) * (t - s)) / st.duration;
      if (hi > lo) sum += ((hi - lo) * (rate(lo) + rate(hi))) / 2;
      level = to;
    }
    s = e;
  }
  return sum;
}

const STAGES: Stage[] = [
  { duration: 60, target: 2000 }, // linear ramp from start_rate
  { duration: 60, target: 2000 }, // hold
  { duration: 30, target: 6000, shape: "step" }, // spike
  { duration: 120, shape: "sine", min: 1000, max: 5000, period: 60, peak: 20 }, // two diurnal "days"
  { duration: 30, target: 0 }, // ramp down from where the sine ended (2000/s) to 0
];
const END = STAGES.reduce((a, s) => a + s.duration, 0);

function openScenario(arrivals: "poisson" | "deterministic", startRate: number) {
  return scenarioOf(`
version: 1
name: profile
seed: 17
simulation: { warmup: 0s, replications: 1 }
load:
  model: open
  arrivals: ${arrivals}
  start_rate: ${startRate}/s
  stages:
    - { duration: 60s, target: 2000/s }
    - { duration: 60s, target: 2000/s }
    - { duration: 30s, target: 6000/s, shape: step }
    - { duration: 120s, shape: sine, min: 1000/s, max: 5000/s, period: 60s, peak: 20s }
    - { duration: 30s, target: 0/s }
  classes: { req: { flow: [q] } }
components: { q: { kind: station, servers: 100, service: 1ms } }
`);
}

/** Per stage: where it starts (s), the arrivals counted in it (per-second counts summed). */
function stageCounts(n: readonly number[], stages: ReadonlyArray<{ duration: number }>): Array<{ from: number; to: number; got: number }> {
  let from = 0;
  return stages.map((st) => {
    let got = 0;
    for (let i = from; i < from + st.duration; i++) got += n[i];
    const r = { from, to: from + st.duration, got };
    from += st.duration;
    return r;
  });
}

/** Arrivals per 1 s interval from the first replication's series. */
function counts(r: ReturnType<typeof simulate>): number[] {
  const s = r.series!;
  expect(s.intervalS).toBe(1);
  expect(s.t.length).toBe(END);
  return s.offered.map((x) => Math.round(x * s.intervalS));
}

describe("Poisson arrivals follow the integrated rate profile", () => {
  const startRate = 0; // a ramp from zero: thinning is exact there
  const n = counts(simulate(openScenario("poisson", startRate)));
  const expected = n.map((_, i) => integral(startRate, STAGES, i, i + 1));

  it("each stage's arrivals are within 3.29 Poisson standard deviations (99.9%) of its integral, a band under 3%", () => {
    for (const { from, to, got } of stageCounts(n, STAGES)) {
      const want = integral(startRate, STAGES, from, to);
      const band = 3.29 * Math.sqrt(want);
      expect(band, `stage at ${from} s: a rate 3% wrong must fail`).toBeLessThan(MAX_BAND * want);
      expect(Math.abs(got - want), `stage at ${from} s: ${got} arrivals vs ${want}`).toBeLessThanOrEqual(band);
    }
  });

  it("every 1 s interval is within 4.5 standard deviations of its integral", () => {
    n.forEach((x, i) => expect(Math.abs(x - expected[i]), `interval ${i}: ${x} vs ${expected[i]}`).toBeLessThanOrEqual(4.5 * Math.sqrt(expected[i])));
  });

  // Independent Poisson counts make Σ (n - Λ)² / Λ a χ² with 300 degrees of freedom (mean 300,
  // sd 24.5); a shape error shows as excess: a rate 3% off on a 2000/s stage adds 1.8 per interval.
  it("the counts' dispersion around the profile is Poisson: χ² within 300 ± 4 sd", () => {
    const chi2 = n.reduce((a, x, i) => a + (x - expected[i]) ** 2 / expected[i], 0);
    const sd = Math.sqrt(2 * END);
    expect(Math.abs(chi2 - END), `χ² ${chi2} over ${END} intervals`).toBeLessThanOrEqual(4 * sd);
  });
});

describe.each([0, 500])("deterministic arrivals from %d/s follow the integrated rate profile exactly", (startRate) => {
  // From 0/s the ramp's first gaps are the hardest case (the midpoint rule once put 22 arrivals in
  // the first second where the integral gives 16.7): linear pieces are now inverted exactly.
  const n = counts(simulate(openScenario("deterministic", startRate)));

  it("every 1 s interval holds its integral, ±1 arrival", () => {
    n.forEach((x, i) => {
      const want = integral(startRate, STAGES, i, i + 1);
      expect(Math.abs(x - want), `interval ${i}: ${x} vs ${want}`).toBeLessThanOrEqual(1 + 1e-9);
    });
  });

  it("each stage holds its integral, ±1 arrival", () => {
    for (const { from, to, got } of stageCounts(n, STAGES)) {
      const want = integral(startRate, STAGES, from, to);
      expect(Math.abs(got - want), `stage at ${from} s: ${got} vs ${want}`).toBeLessThanOrEqual(1 + 1e-9);
    }
  });
});

// ---------------------------------------------------------------- closed load: ramping users

// The user count as the docs describe it (k6's ramping-vus): a linear stage changes the count by
// one at k/n of the stage (n = |target - previous|), a step stage at once at its start.
type UserStage = { duration: number; target: number; shape?: "step" };

function userChanges(start: number, stages: UserStage[]): Array<[number, number]> {
  const out: Array<[number, number]> = [[0, start]];
  let level = start, s = 0;
  for (const st of stages) {
    if (st.shape === "step") out.push([s, st.target]);
    else {
      const steps = Math.abs(st.target - level), dir = Math.sign(st.target - level);
      for (let k = 1; k <= steps; k++) out.push([s + (st.duration * k) / steps, level + dir * k]);
    }
    level = st.target;
    s += st.duration;
  }
  return out;
}

/** ∫ users(t) dt over (a, b), and how many users left in it. */
function usersOver(changes: Array<[number, number]>, a: number, b: number): { area: number; left: number } {
  let area = 0, left = 0;
  for (let k = 0; k < changes.length; k++) {
    const [t0, n] = changes[k];
    const t1 = k + 1 < changes.length ? changes[k + 1][0] : Infinity;
    const lo = Math.max(a, t0), hi = Math.min(b, t1);
    if (hi > lo) area += n * (hi - lo);
    // A leaver's last request (at most 10 ms here) may spill from the interval before.
    if (k > 0 && t0 > a - 0.01 && t0 < b && n < changes[k - 1][1]) left += changes[k - 1][1] - n;
  }
  return { area, left };
}

describe("closed ramping users, individually simulated (no think time)", () => {
  // With zero think time each user always has exactly one request in flight, so the series of
  // requests in flight is the user count itself; a user leaving a ramp-down finishes its request
  // first (at most the 10 ms service time, k6's graceful ramp-down).
  const stages: UserStage[] = [
    { duration: 20, target: 50 },
    { duration: 10, target: 50 },
    { duration: 10, target: 80, shape: "step" },
    { duration: 20, target: 10 },
    { duration: 10, target: 10 },
  ];
  const r = simulate(scenarioOf(`
version: 1
name: users
seed: 4
simulation: { warmup: 0s, replications: 1 }
load:
  model: closed
  start_users: 0
  stages:
${stages.map((s) => `    - { duration: ${s.duration}s, target: ${s.target}${s.shape ? ", shape: step" : ""} }`).join("\n")}
  classes: { req: { flow: [q] } }
components: { q: { kind: station, servers: 200, service: 10ms } }
`));
  const changes = userChanges(0, stages);

  it("the time-average of requests in flight per 1 s interval is the user count's, up to the leavers' last requests", () => {
    const s = r.series!;
    expect(s.inFlight.length).toBe(70);
    s.inFlight.forEach((x, i) => {
      const { area, left } = usersOver(changes, i, i + 1);
      expect(x, `interval ${i}`).toBeGreaterThanOrEqual(area - 1e-9);
      expect(x, `interval ${i}: ${left} users left`).toBeLessThanOrEqual(area + 0.01 * left + 1e-9);
    });
  });
});

describe("closed ramping users with exponential think time (the pooled users)", () => {
  // Users think Exp(Z) between requests of constant service S on an infinite-server station: at a
  // user count N they send N / (Z + S) requests per second, and arrivals are Poisson to within the
  // busy users' fluctuation (about 40 of thousands), so counts get Poisson tolerances.
  const Z = 1, S = 0.01;
  const stages: UserStage[] = [
    { duration: 20, target: 4000 },
    { duration: 40, target: 4000 },
    { duration: 20, target: 8000, shape: "step" },
    { duration: 20, target: 2000 },
  ];
  const r = simulate(scenarioOf(`
version: 1
name: pooled-users
seed: 6
simulation: { warmup: 0s, replications: 1 }
load:
  model: closed
  start_users: 0
  stages:
${stages.map((s) => `    - { duration: ${s.duration}s, target: ${s.target}${s.shape ? ", shape: step" : ""} }`).join("\n")}
  think: { dist: exponential, mean: ${Z * 1000}ms }
  classes: { req: { flow: [q] } }
components: { q: { kind: station, servers: 10000, service: ${S * 1000}ms } }
`));
  const changes = userChanges(0, stages);
  const n = r.series!.offered;
  const expected = n.map((_, i) => usersOver(changes, i, i + 1).area / (Z + S));

  it("each stage's requests are within 3.29 Poisson standard deviations of ∫ N(t) dt / (Z + S), a band under 3%", () => {
    for (const { from, to, got } of stageCounts(n, stages)) {
      let want = 0;
      for (let i = from; i < to; i++) want += expected[i];
      const band = 3.29 * Math.sqrt(want);
      expect(band).toBeLessThan(MAX_BAND * want);
      expect(Math.abs(got - want), `stage at ${from} s: ${got} vs ${want}`).toBeLessThanOrEqual(band);
    }
  });

  it("per 1 s interval the counts follow the user count: χ² within 100 ± 4 sd", () => {
    const chi2 = n.reduce((a, x, i) => a + (x - expected[i]) ** 2 / expected[i], 0);
    expect(Math.abs(chi2 - n.length), `χ² ${chi2}`).toBeLessThanOrEqual(4 * Math.sqrt(2 * n.length));
  });
});

// ---------------------------------------------------------------- reneging: station queue_timeout

// M/M/1+D: Poisson arrivals λ, exponential service μ, and every request leaves the queue when it
// has waited D without starting service (deterministic patience; in service it stays). With FIFO
// service a request is served iff the work ahead of it, V, is under D; a reneging one adds no work.
// Level crossing on the virtual waiting time V (Brill and Posner 1977; the M/G/1+D case is in
// Baccelli, Boyer and Hébuterne, "Single-server queues with impatient customers", Adv. Appl.
// Prob. 16, 1984): with density v and π0 = P(V = 0),
//   v(x) = λ π0 e^{-μx} + λ ∫_0^{min(x,D)} v(y) e^{-μ(x-y)} dy,
// so v(x) = λ π0 e^{-(μ-λ)x} for x < D and v(D) e^{-μ(x-D)} beyond. Normalizing, with ρ = λ/μ and
// E = e^{-(μ-λ)D}:  π0 = (1 - ρ) / (1 - ρ² E),  and by PASTA
//   P(renege) = P(V ≥ D) = ρ E π0 = (1 - ρ) ρ E / (1 - ρ² E),
//   P(waited | served) = P(0 < V < D) / P(V < D) = π0 ρ (1 - E) / (1 - ρ) / (1 - P(renege)),
//   E[wait | served] = λ π0 (1 - E (1 + (μ-λ) D)) / (μ-λ)² / (1 - P(renege)).
// Valid for any ρ (patience keeps the queue stable), so an overloaded station is checked too.
function mm1d(lambda: number, mu: number, D: number) {
  const rho = lambda / mu, th = mu - lambda, E = Math.exp(-th * D);
  const pi0 = (1 - rho) / (1 - rho * rho * E);
  const renege = rho * E * pi0;
  return {
    renege,
    waitedServed: (pi0 * rho * (1 - E)) / (1 - rho) / (1 - renege),
    waitServed: (lambda * pi0 * (1 - E * (1 + th * D))) / (th * th) / (1 - renege),
  };
}

describe.each([
  { lambda: 90, mu: 100, patienceMs: 20, seed: 7 },
  { lambda: 150, mu: 100, patienceMs: 20, seed: 8 }, // overloaded: 39.85% renege
])("M/M/1 with queue_timeout $patienceMs ms at λ = $lambda/s, μ = $mu/s (M/M/1+D)", ({ lambda, mu, patienceMs, seed }) => {
  const r = simulate(scenarioOf(`
version: 1
name: mm1d
seed: ${seed}
simulation: { duration: 1000s, warmup: 20s, replications: 10 }
load: { model: open, rate: ${lambda}/s, classes: { req: { flow: [q] } } }
components: { q: { kind: station, service: { dist: exponential, mean: ${1000 / mu}ms }, queue_timeout: ${patienceMs}ms } }
`));
  const th = mm1d(lambda, mu, patienceMs / 1000);
  it("the share of requests that renege is (1-ρ) ρ E / (1 - ρ² E)", () => {
    expectTheory(r.classes.req.errorRate, th.renege, { label: "P(renege)" });
    expect(Object.keys(r.classes.req.counts.byReason)).toEqual(["queue_timeout"]);
    expect(r.components.q.drops.queue_timeout).toBe(r.classes.req.counts.failed);
  });
  it("throughput is λ (1 - P(renege))", () => expectTheory(r.classes.req.throughput, lambda * (1 - th.renege), { label: "X" }));
  it("the served requests' share that waited and their mean wait match the V density", () => {
    expectTheory(r.components.q.waitProbability, th.waitedServed, { label: "P(waited | served)" });
    expectTheory(r.components.q.waitMs.mean, 1000 * th.waitServed, { label: "E[W | served]" });
  });
});

// ---------------------------------------------------------------- open load: the constant-rate shortcut

describe("a constant rate's shortcut (RateProfile.constantRate)", () => {
  it("draws the same arrival times, bit for bit, as thinning over a stage of the same rate", () => {
    const constant = new RateProfile({ model: "open", rate: 250 } as unknown as OpenLoad);
    // a stage has an end, so this profile takes the thinning loop (which accepts every candidate)
    const held = new RateProfile({ model: "open", start_rate: 250, stages: [{ duration: 1e9, target: 250, shape: "step" }] } as unknown as OpenLoad);
    expect(constant.constantRate).toBe(250);
    expect(held.constantRate).toBe(0);
    const a = new Rng(7, 0, "load:arrivals"), b = new Rng(7, 0, "load:arrivals");
    const n = 100_000;
    let ta = 0, tb = 0, differ = 0;
    for (let i = 0; i < n; i++) {
      ta = constant.nextPoisson(ta, a);
      tb = held.nextPoisson(tb, b);
      if (ta !== tb) differ++;
    }
    expect(differ).toBe(0);
    // and the gaps are exponential at 250/s: n gaps sum to n / 250 s, sd sqrt(n) / 250 = 1.26 s; 4 sd
    expect(Math.abs(ta - n / 250)).toBeLessThan((4 * Math.sqrt(n)) / 250);
  });
});
