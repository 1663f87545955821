// bytesRows: the entry balancer's bytes/s rows, their conditioning on the measured requests and the
// band from the size draws (checked against a Monte Carlo of the same draws).
import { describe, expect, it } from "vitest";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { bytesRows, HEAD_BYTES } from "./bytes-rows.ts";
import type { WindowClassStats } from "./k6-window.ts";

const yaml = (sizes: string) => `version: 1
name: bytes-rows
seed: 3
simulation: { duration: 120s, warmup: 10s, replications: 3 }
load:
  model: open
  rate: 40/s
  classes:
    blob:
      weight: 6
      http: { method: GET, path: "/blobs/1" }
      ${sizes}
      flow: [{ call: lb }]
    ping:
      weight: 1
      http: { method: GET, path: "/ping/1" }
      flow: [{ call: lb }]
components:
  lb: { kind: load_balancer, algorithm: round_robin, backends: api }
  api: { kind: service, replicas: 1, concurrency: 64, handlers: { blob: [{ service: 1ms }], ping: [{ service: 1ms }] } }
`;

const cls = (requests: number, throughput: number) => ({ requests, failed: 0, throughput, offeredRate: throughput }) as unknown as WindowClassStats;

describe("bytesRows", () => {
  const s = scenarioOf(yaml("response_size: { dist: lognormal, mean: 50KB, cv: 1 }"));
  const sim = simulate(s);
  const lb = sim.components.lb!.bytes!;
  const tp = { blob: sim.classes.blob!.throughput.mean, ping: sim.classes.ping!.throughput.mean };

  it("no rows without payloads or without the balancer's counters", () => {
    const plain = scenarioOf(yaml(""));
    const m = { balancerName: "lb", balancerBytes: { inPerSecond: 1, outPerSecond: 1 }, classes: { blob: cls(100, 5), ping: cls(10, 1) } };
    expect(bytesRows(plain, simulate(plain), m, true)).toEqual([]);
    expect(bytesRows(s, sim, { ...m, balancerBytes: undefined }, true)).toEqual([]);
  });

  it("predicts the model's bytes scaled by the measured over the model's throughput; the band is 3 SE of the draws on both sides + heads", () => {
    // 20 s of the model's own rates, 10% more requests measured than the model's throughput
    const k = 1.1, win = 20;
    const classes = { blob: cls(Math.round(tp.blob * k * win), tp.blob * k), ping: cls(Math.round(tp.ping * k * win), tp.ping * k) };
    const rows = bytesRows(s, sim, { balancerName: "lb", balancerBytes: { inPerSecond: lb.inPerSecond.mean * k, outPerSecond: lb.outPerSecond.mean * k * 1.2 }, classes }, true);
    expect(rows.map((r) => r.metric)).toEqual(["bytesInPerSecond", "bytesOutPerSecond"]);
    expect(rows[0]!.predicted!).toBeCloseTo(lb.inPerSecond.mean * k, 6);
    expect(rows[0]!.error!).toBeCloseTo(0, 9);
    expect(rows[0]!.verdict).toBe("pass");
    expect(rows[1]!.verdict).toBe("fail"); // 20% over
    // the band by hand: one request's bytes are 0 (ping, 1/7) or a lognormal of mean 50 KB, cv 1 (6/7)
    const nB = classes.blob.requests, nP = classes.ping.requests, n = nB + nP;
    const m = 50_000, mu = (nB * m) / n, ex2 = (nB * 2 * m * m) / n;
    const modelN = sim.classes.blob!.counts.arrived + sim.classes.ping!.counts.arrived;
    const relSe = (Math.sqrt(ex2 - mu * mu) / mu) * Math.sqrt(1 / n + 1 / modelN);
    const band = 3 * relSe + (2 * HEAD_BYTES) / mu;
    expect(rows[0]!.target!).toBeCloseTo(band, 9);
    expect(band).toBeGreaterThan(0.03);
  });

  it("the standard error is the draws' own: a Monte Carlo of 20 s windows of the same mixture (N requests, each a blob with the measured share, else a ping) falls within 3 SE about 99.7% of the time", () => {
    // lognormal mean 50 KB, cv 1: sigma^2 = ln 2; seeded mulberry32 + Box-Muller, no Math.random
    let x = 12345;
    const u = () => {
      x = (x + 0x6d2b79f5) | 0;
      let t = Math.imul(x ^ (x >>> 15), 1 | x);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
    };
    const sigma = Math.sqrt(Math.log(2)), muLog = Math.log(50_000) - (sigma * sigma) / 2;
    const nB = 686, nP = 114, n = nB + nP;
    const rows = bytesRows(s, sim, { balancerName: "lb", balancerBytes: { inPerSecond: 1, outPerSecond: 1 }, classes: { blob: cls(nB, nB / 20), ping: cls(nP, nP / 20) } }, true);
    const mu = (nB * 50_000) / n;
    // the measured side's share of the band's standard error (the model's requests taken out)
    const modelN = sim.classes.blob!.counts.arrived + sim.classes.ping!.counts.arrived;
    const relSe = ((rows[0]!.target! - (2 * HEAD_BYTES) / mu) / 3) * Math.sqrt(1 / n / (1 / n + 1 / modelN));
    let outside = 0;
    const trials = 4000;
    for (let t = 0; t < trials; t++) {
      let total = 0;
      for (let i = 0; i < n; i++) if (u() < nB / n) total += Math.exp(muLog + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
      if (Math.abs(total / n / mu - 1) > 3 * relSe) outside++;
    }
    // lognormal sums are skewed: allow up to 1.5% outside 3 SE (normal theory: 0.27%)
    expect(outside / trials).toBeLessThan(0.015);
    // and the SE is not inflated: at least 4% of windows fall outside 2 SE (normal theory: 4.6%)
    let outside2 = 0;
    x = 999;
    for (let t = 0; t < 2000; t++) {
      let total = 0;
      for (let i = 0; i < n; i++) if (u() < nB / n) total += Math.exp(muLog + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
      if (Math.abs(total / n / mu - 1) > 2 * relSe) outside2++;
    }
    expect(outside2 / 2000).toBeGreaterThan(0.03);
  });
});
