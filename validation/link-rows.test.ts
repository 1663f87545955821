// linkRows: each link's bytes/s and busy share against the model's link, their conditioning on the
// requests measured, and the band from the window's own message sizes (checked against a Monte
// Carlo of the same mixture, the standard error estimated from each window's own sums as the relay
// gives them).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { simulate } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { linkRelSe, linkRows } from "./link-rows.ts";
import type { WindowClassStats } from "./k6-window.ts";
import { linkWindows, type LinkWindow } from "./measure.ts";
import type { LinkReport } from "../reference-app/parts/link-relay.ts";

const FILE = "scenarios/validation/bandwidth-link.yaml";
const scenario = scenarioOf(readFileSync(new URL(`../${FILE}`, import.meta.url), "utf8"), FILE);
const cls = (requests: number, throughput: number) => ({ requests, failed: 0, throughput, offeredRate: throughput }) as unknown as WindowClassStats;

/** Seeded mulberry32, no Math.random. */
function uniform(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x + 0x6d2b79f5) | 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** A window of n messages: with probability p a lognormal body of mean 50 KB and cv 1 (the YAML's blob), else an empty one. */
function drawWindow(u: () => number, n: number, p: number): Pick<LinkWindow, "messages" | "bodyBytes" | "bodySquares"> {
  const sigma = Math.sqrt(Math.log(2)), muLog = Math.log(50_000) - (sigma * sigma) / 2;
  let sum = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    if (u() >= p) continue;
    const x = Math.exp(muLog + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
    sum += x;
    sq += x * x;
  }
  return { messages: n, bodyBytes: sum, bodySquares: sq };
}

describe("linkRows", () => {
  const W = 25; // the window judged, s
  const sim = simulate(scenario, { duration: 30, warmup: 5 });
  const link = sim.components.lb!.link!;
  const modelBytes = link.throughputBitsPerSecond.mean / 8;
  const tp = { blob: sim.classes.blob!.throughput.mean, ping: sim.classes.ping!.throughput.mean };

  it("the model has the link the YAML gives (40 Mbit/s, about 40% busy)", () => {
    expect(link.bandwidthBitsPerSecond).toBe(40e6);
    // 47/s x 6/7 blobs of 50 KB = 2.01 MB/s of 5 MB/s
    expect(modelBytes).toBeGreaterThan(2.01e6 * 0.9);
    expect(modelBytes).toBeLessThan(2.01e6 * 1.1);
    expect(link.utilization.mean).toBeCloseTo(modelBytes / 5e6, 2);
  });

  it("no rows without the relay's figures; a link it did not report is shown, not judged", () => {
    const classes = { blob: cls(1000, tp.blob), ping: cls(160, tp.ping) };
    expect(linkRows(sim, { classes }, true)).toEqual([]);
    const rows = linkRows(sim, { classes, links: {} }, true);
    expect(rows.map((r) => [r.scope, r.metric, r.verdict, r.measured])).toEqual([["lb", "linkBytesPerSecond", "info", null], ["lb", "linkUtilization", "info", null]]);
    expect(rows[0]!.note).toMatch(/not measured/);
  });

  it("predicts the model's link scaled by the measured over the model's throughput; 3 SE of the window's sizes when wider than 3%, plus the heads on the busy share", () => {
    const k = 1.05;
    const nB = Math.round(tp.blob * k * W), nP = Math.round(tp.ping * k * W);
    const classes = { blob: cls(nB, tp.blob * k), ping: cls(nP, tp.ping * k) };
    // the lb link carries the blobs' and pings' answers and their requests to the api (empty bodies)
    const n = 2 * (nB + nP), m = 50_000;
    const w: LinkWindow = { seconds: W, messages: n, bodyBytes: modelBytes * k * W, bodySquares: nB * 2 * m * m, headBytes: n * 150, busySeconds: link.utilization.mean * k * W, lateSeconds: n * 0.0002, transfers: n, transferSeconds: link.transfersInFlight.mean * k * W, behind: 0, behindSeconds: 0 };
    const rows = linkRows(sim, { classes, links: { lb: w } }, true);
    expect(rows.map((r) => r.metric)).toEqual(["linkBytesPerSecond", "linkUtilization"]);
    expect(rows[0]!.predicted!).toBeCloseTo(modelBytes * k, 3);
    expect(rows[0]!.error!).toBeCloseTo(0, 9);
    expect(rows[1]!.predicted!).toBeCloseTo(link.utilization.mean * k, 9);
    expect(rows.every((r) => r.verdict === "pass")).toBe(true);
    // the band by hand: the window's mean and sd of one message's body, over its n messages and the model's
    const mean = w.bodyBytes / n, sd = Math.sqrt(w.bodySquares / n - mean * mean);
    const modelN = (n * 25 * sim.run.replications) / W / k;
    const relSe = (sd / mean) * Math.sqrt(1 / n + 1 / modelN);
    expect(linkRelSe(w, modelN)).toBeCloseTo(relSe, 12);
    expect(rows[0]!.target!).toBeCloseTo(Math.max(0.03, 3 * relSe), 9);
    expect(rows[1]!.target!).toBeCloseTo(Math.max(0.03, 3 * relSe) + w.headBytes / w.bodyBytes + w.lateSeconds / W / (link.utilization.mean * k), 9);
    // a 25 s window of these blobs is far from 3% at 3 SE: the band is widened
    expect(rows[0]!.target!).toBeGreaterThan(0.09);
    expect(rows[0]!.target!).toBeLessThan(0.2);
    // the messages taken as one mixture count the empty requests beside the answers as random:
    // never narrower than the requests' own framing (each request a blob with its share, one body
    // each), here at most sqrt(1.5) wider (cv 1)
    const N = nB + nP, q = nB / N, byRequest = Math.sqrt((2 / q - 1) / N);
    const msgOnly = linkRelSe(w, 0);
    expect(msgOnly).toBeGreaterThanOrEqual(byRequest * 0.999);
    expect(msgOnly).toBeLessThan(byRequest * Math.sqrt(1.5));
    // off by 25%, past the band: fails both
    const off = linkRows(sim, { classes, links: { lb: { ...w, bodyBytes: w.bodyBytes * 1.25, busySeconds: w.busySeconds * 1.25 } } }, true);
    expect(off.map((r) => r.verdict)).toEqual(["fail", "fail"]);
    // above the targets' utilization: shown, not judged
    expect(linkRows(sim, { classes, links: { lb: w } }, false).map((r) => r.verdict)).toEqual(["info", "info"]);
  });

  it("the standard error from the window's own sums covers the draws: 3 SE hold about 99.7% of windows, 2 SE not much more than 95%", () => {
    // 25 s at 47/s: 1175 requests, 2 messages each on the link, 6/14 of them a blob's answer
    const u = uniform(4242);
    const n = 2350, p = 3 / 7, mu = p * 50_000;
    let out3 = 0, out2 = 0;
    const trials = 3000;
    for (let t = 0; t < trials; t++) {
      const w = drawWindow(u, n, p);
      const se = linkRelSe(w, 0); // the measured side alone
      const err = Math.abs(w.bodyBytes / n / mu - 1);
      if (err > 3 * se) out3++;
      if (err > 2 * se) out2++;
    }
    // lognormal sums are skewed: up to 1.5% outside 3 SE (normal theory 0.27%); 2 SE: 4.6% in theory
    expect(out3 / trials).toBeLessThan(0.015);
    expect(out2 / trials).toBeGreaterThan(0.03);
    expect(out2 / trials).toBeLessThan(0.08);
  });

  it("a window of one message or no bytes has no standard error (the 3% target stays)", () => {
    expect(linkRelSe({ messages: 1, bodyBytes: 10, bodySquares: 100 }, 100)).toBe(0);
    expect(linkRelSe({ messages: 50, bodyBytes: 0, bodySquares: 0 }, 100)).toBe(0);
  });

  it("a window is the difference of two of the relay's cumulative reports, by link name", () => {
    const rep = (name: string, t: number, k: number): LinkReport => ({ name, bytesPerSecond: 5e6, seconds: t, transfers: 10 * k, bytes: 1e5 * k, utilization: 0, inFlight: 0, meanTransferMs: 10 + k, meanLateMs: 0, busySeconds: 0.4 * t, messages: 10 * k, bodyBytes: 9e4 * k, bodySquares: 1e9 * k, headBytes: 1e4 * k, behind: 0, behindSeconds: 0 });
    const w = linkWindows([rep("lb", 5, 1), rep("api", 5, 2)], [rep("lb", 30, 7), rep("api", 30, 4)]);
    expect(Object.keys(w)).toEqual(["lb", "api"]);
    // the transfers' times summed: a running mean times its count, differenced (17 ms x 70 - 11 ms x 10)
    expect(w.lb).toEqual({ seconds: 25, busySeconds: 10, messages: 60, bodyBytes: 5.4e5, bodySquares: 6e9, headBytes: 6e4, lateSeconds: 0, transfers: 60, transferSeconds: expect.closeTo(1.08, 12), behind: 0, behindSeconds: 0 });
    expect(w.api!.messages).toBe(20);
  });
});
