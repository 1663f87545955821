// A realtime component run for real by `app up` and compared with the simulator. The launcher starts
// two WebSocket servers behind their HAProxy front with a private Redis backbone (and the service
// that publishes notifications to them); the load driver plays the YAML's load.connections (80
// sessions/s, exponential 2 s lifetimes, 15 messages/min each, 20 channels) and POSTs the
// notifications class, for 12 s of warm-up and a 30 s window. Calibrated from the same window: only
// what the YAML states but the app does not inject (realtime/calibrate.ts: the per-recipient send
// cost, the backbone's round trip to the publishing instance and to the other one, the client <-> instance network: the copies' measured ways in and
// out, from their stage stamps). Printed beside: each leg's p50/p95 and the p50 of the legs drawn
// independently (the model's assumption on the measured legs). Then measured against predicted:
// - connections held: the servers' own time integral over the window against the simulator (and
//   Little's law, lambda x E[L] = 160), and against what the driver itself held (1% + 1);
// - messages out per second (copies sent: the fan-out) against the simulator;
// - delivery latency p50 and p95 (client publish -> client receive, on one clock) at light load.
// Tolerances: the sampling error of one 30 s window, read from the simulator itself: R = 30
// single-replication runs of the calibrated model with the same warm-up and window, each with its
// own bootstrap resample of the calibration's samples, give each figure's spread s across windows
// (the window's and the calibration's sampling error); a measured window must fall within
// mean +- 3 s sqrt(1 + 1/R) (a prediction interval at about 99.7%). The delivery rows are judged
// only on a quiet machine (1-minute load average <= cores, the driver's event-loop lag p99 <= 20
// ms), else printed. Also: no refusals (1000 slots per instance), every part on 127.0.0.1, HAProxy
// really holding the upgraded tunnels, and nothing left after stop.
import { describe, expect, it } from "vitest";
import { availableParallelism, loadavg } from "node:os";
import { writeFileSync } from "node:fs";
import { parseScenario, simulate, type Scenario } from "../../simulator/index.ts";
import { startAppPromise } from "../launcher.ts";
import { sumMetrics } from "../prom.ts";
import { streamFor } from "../sampler.ts";
import { appPorts, leftovers, listenAddresses } from "../testing.ts";
import { haproxyCommand, parseStat } from "../parts/haproxy.ts";
import { WS_BACKEND } from "../parts/haproxy-ws.ts";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Redis } from "ioredis";
import { backboneBuckets, backboneByInstance, calibratedScenario, oneWaySamples, publishService, sendCost, windowSamples, type RealtimeCalibration } from "./calibrate.ts";
import { RealtimeDriver } from "./driver.ts";
import { nowMs } from "./server.ts";

const WARMUP = 12, WINDOW = 30, R = 30, Z = 3;
/** validate's default --max-lag: past it a load generator's timings are not the system's. */
const MAX_LAG_MS = 20;

const YAML = `
version: 1
name: realtime-validation
seed: 11
simulation: { duration: ${WARMUP + WINDOW}s, warmup: ${WARMUP}s, interval: 1s, replications: 1 }
load:
  model: open
  rate: 0.5/s
  classes:
    notify:
      http: { method: POST, path: /notifications }
      flow: [{ call: api }]
  connections:
    chat: { rate: 80/s, lifetime: { dist: exponential, mean: 2s }, messages: 15/m }
components:
  api:
    kind: service
    replicas: 1
    concurrency: 4
    handlers:
      notify: [{ service: 1ms }, { call: chat }]
  chat:
    kind: realtime
    instances: 2
    max_connections: 1000
    balance: least_connections
    channels: { count: 20 }
    send: 20us
    backbone: { service: 100us }
`;

function scenario(): Scenario {
  const r = parseScenario(YAML, "realtime-validation.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.scenario;
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - nowMs())));
const scrape = (urls: readonly string[]) => Promise.all(urls.map(async (u) => (await fetch(u)).text()));
const total = (texts: readonly string[], k: string) => texts.reduce((a, t) => a + (sumMetrics(t).get(k) ?? 0), 0);
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * Mean and spread over single-replication runs of the calibrated model: what one measured window
 * should show. Each run takes its own bootstrap resample of the calibration's samples, so the
 * spread holds the calibration's sampling error as well as the window's.
 */
function predicted(s: Scenario, cal: RealtimeCalibration, pick: (r: ReturnType<typeof simulate>) => number[]): Array<{ mean: number; sd: number }> {
  const rng = streamFor(11, "test:bootstrap");
  const resample = (xs: readonly number[]) => xs.map(() => xs[Math.floor(rng.next() * xs.length)]!);
  const runs = Array.from({ length: R }, (_, k) => {
    const model = calibratedScenario(s, "chat", { send: cal.send, backboneService: cal.backboneService, backbone: resample(cal.backbone), backboneOther: resample(cal.backboneOther ?? []), network: resample(cal.network) });
    return pick(simulate(model, { seed: 1000 + k, replications: 1 }));
  });
  return runs[0]!.map((_, j) => {
    const xs = runs.map((r) => r[j]!);
    const mean = xs.reduce((a, b) => a + b, 0) / R;
    return { mean, sd: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (R - 1)) };
  });
}

describe("realtime component under app up, against the simulator", () => {
  it("holds, fans out and delivers as the calibrated model predicts", async () => {
    const s = scenario();
    const { app, stop } = await startAppPromise(s, { file: "realtime-validation.yaml" });
    const ports = appPorts(app);
    let m: { connections: number; driverConnections: number; out: number; refused: number; p50: number; p95: number; copies: number; messages: number; sessions: number };
    let cal: RealtimeCalibration;
    // the window's copies split at the servers' stamps (ms, sorted): way in, instance, backbone, send queue, way out
    let legs: number[][] = [];
    let independentP50 = 0, pingP50 = 0;
    let legCorrelations: number[] = [];
    // the load driver's own event-loop lag over the window: past MAX_LAG_MS its clock is not the latency's
    const lag = monitorEventLoopDelay({ resolution: 1 });
    let loadAtEnd = 0;
    let histBackbone: number[] = [];
    let dump: Record<string, unknown> = {};
    // the backbone Redis itself, for its own time per PUBLISH (INFO commandstats)
    let backboneRedis: Redis | undefined;
    try {
      const rt = app.realtime!;
      backboneRedis = new Redis({ host: "127.0.0.1", port: rt.backbonePort, password: rt.backbonePassword, lazyConnect: true, maxRetriesPerRequest: 1 });
      backboneRedis.on("error", () => {});
      await backboneRedis.connect();
      for (const p of ports) expect(listenAddresses(p), `port ${p}`).toEqual(["127.0.0.1"]);
      const driver = new RealtimeDriver({ url: rt.url, plan: app.plan.realtime!, seed: 11, duration: WARMUP + WINDOW + 1, pingEveryMs: 20 });
      const t0 = nowMs();
      driver.start();
      // the notifications class, Poisson at the load's rate (a server-side publish each)
      const notifyRng = streamFor(11, "test:notify");
      let notifyAt = t0;
      const notifies: Promise<unknown>[] = [];
      const notifyTimer = setInterval(() => {
        while (notifyAt < nowMs() && notifyAt < t0 + (WARMUP + WINDOW) * 1000) {
          notifyAt += (-Math.log(notifyRng.next()) / 0.5) * 1000;
          notifies.push(fetch(`${app.classUrl.notify}/notifications`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } }).then((r) => r.status));
        }
      }, 50);
      await sleepUntil(t0 + WARMUP * 1000);
      const tA = nowMs();
      lag.enable();
      const [a, areaA] = [await scrape(rt.metricsUrls), driver.heldArea()];
      const statsA = await backboneRedis.info("commandstats");
      const lbSessions = parseStat(await haproxyCommand(rt.haproxyStatsSocket, "show stat"), WS_BACKEND).find((x) => x.name === "BACKEND")?.scur ?? 0;
      const driverNow = driver.connections;
      await sleepUntil(t0 + (WARMUP + WINDOW) * 1000);
      const tB = nowMs();
      lag.disable();
      loadAtEnd = loadavg()[0]!;
      const [b, areaB] = [await scrape(rt.metricsUrls), driver.heldArea()];
      const statsB = await backboneRedis.info("commandstats");
      clearInterval(notifyTimer);
      // HAProxy holds the upgraded tunnels: its sessions to the instances are the driver's connections
      expect(Math.abs(lbSessions - driverNow)).toBeLessThanOrEqual(Math.max(3, 0.03 * driverNow));
      await new Promise((r) => setTimeout(r, 500)); // copies of the window's last messages land
      await driver.stop();
      expect(new Set(await Promise.all(notifies))).toEqual(new Set([201]));
      const w = (tB - tA) / 1000;
      const d = driver.record;
      const lat = d.deliveries.filter(([t]) => t >= tA && t < tB).map(([, l]) => l).sort((x, y) => x - y);
      m = {
        connections: (total(b, "headroom_rt_connection_seconds_total") - total(a, "headroom_rt_connection_seconds_total")) / w,
        driverConnections: (areaB - areaA) / (tB - tA),
        out: (total(b, "headroom_rt_messages_out_total") - total(a, "headroom_rt_messages_out_total")) / w,
        refused: total(b, "headroom_rt_refused_total") + d.refused,
        p50: quantile(lat, 0.5),
        p95: quantile(lat, 0.95),
        copies: lat.length,
        messages: d.published.filter((t) => t >= tA && t < tB).length,
        sessions: d.sessions,
      };
      const inWindow = d.legs.filter(([t]) => t >= tA && t < tB);
      legs = [1, 2, 3, 4, 5].map((j) => inWindow.map((l) => l[j]!).sort((x, y) => x - y));
      // the model's assumption, on the measured legs themselves: each leg drawn on its own
      const rng = streamFor(11, "test:legs");
      const pick = (xs: readonly number[]) => xs[Math.floor(rng.next() * xs.length)]!;
      const mean = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
      const corr = (i: number, j: number) => {
        const x = inWindow.map((l) => l[i]!), y = inWindow.map((l) => l[j]!), mx = mean(x), my = mean(y);
        let sxy = 0, sxx = 0, syy = 0;
        for (let k = 0; k < x.length; k++) { sxy += (x[k]! - mx) * (y[k]! - my); sxx += (x[k]! - mx) ** 2; syy += (y[k]! - my) ** 2; }
        return sxy / Math.sqrt(sxx * syy);
      };
      legCorrelations = [corr(1, 5), corr(1, 3), corr(3, 5)];
      independentP50 = quantile(Array.from({ length: 20000 }, () => legs.reduce((sum, leg) => sum + pick(leg), 0)).sort((x, y) => x - y), 0.5);
      pingP50 = quantile(d.pings.filter(([t]) => t >= tA && t < tB).map(([, r]) => r).sort((x, y) => x - y), 0.5);
      dump = { tA, tB, legs: d.legs, legInstances: d.legInstances, deliveries: d.deliveries, pings: d.pings, published: d.published, connects: d.connectTimes };
      const send = sendCost(a, b);
      // the backbone per receiving instance, both from the copies' legs (one clock, exact): the
      // publisher's own pmessage and the other instance's; the fine histogram (the publisher's, 10%
      // buckets) is printed beside as a check
      const byInstance = backboneByInstance(d.legs, d.legInstances, tA, tB);
      histBackbone = windowSamples(backboneBuckets(a), backboneBuckets(b));
      cal = { send, backboneService: publishService(statsA, statsB), backbone: byInstance.own.length > 0 ? byInstance.own : histBackbone, backboneOther: byInstance.other, network: oneWaySamples(d.legs, tA, tB, 8000, send) };
    } finally {
      backboneRedis?.disconnect();
      await stop();
    }
    expect(await leftovers(app.runDir, ports)).toEqual([]);

    const [conn, out, p50, p95] = predicted(s, cal, (r) => {
      const x = r.components.chat!.realtime!;
      return [x.connections.mean, x.messagesOutPerSecond.mean, x.deliveryMs.p50.mean, x.deliveryMs.p95.mean];
    });
    // HEADROOM_RT_DUMP=<file>: the window's raw copies and the calibration, for a look at the stages
    if (process.env.HEADROOM_RT_DUMP) writeFileSync(process.env.HEADROOM_RT_DUMP, JSON.stringify({ ...dump, cal, predicted: { conn, out, p50, p95 }, measured: m, loadAtEnd }));
    const band = (p: { sd: number }) => Z * p.sd * Math.sqrt(1 + 1 / R);
    const sorted = (xs: readonly number[]) => [...xs].sort((x, y) => x - y);
    const net = sorted(cal.network), bb = sorted(cal.backbone), bbOther = sorted(cal.backboneOther ?? []), bbHist = sorted(histBackbone);
    const rows = [
      ["connections", conn!, m.connections],
      ["messages out/s", out!, m.out],
      ["delivery p50 ms", p50!, m.p50],
      ["delivery p95 ms", p95!, m.p95],
    ] as const;
    console.log(
      `realtime app vs simulator (window ${WINDOW} s, ${m.sessions} sessions, ${m.messages} messages, ${m.copies} copies timed):\n` +
        `  calibrated: send ${(cal.send * 1e6).toFixed(1)} us/recipient; backbone service (Redis per PUBLISH) ${(cal.backboneService * 1e6).toFixed(1)} us, round trip to the publisher p50 ${(quantile(bb, 0.5) * 1e3).toFixed(3)} ms p95 ${(quantile(bb, 0.95) * 1e3).toFixed(3)} ms (${bb.length}; its histogram p50 ${(quantile(bbHist, 0.5) * 1e3).toFixed(3)}), ` +
        `to the other instance p50 ${(quantile(bbOther, 0.5) * 1e3).toFixed(3)} ms p95 ${(quantile(bbOther, 0.95) * 1e3).toFixed(3)} ms (${bbOther.length}); ` +
        `network one-way p50 ${(quantile(net, 0.5) * 1e3).toFixed(3)} ms p95 ${(quantile(net, 0.95) * 1e3).toFixed(3)} ms (${net.length} ways in and out; half a ping's round trip p50 ${(pingP50 / 2).toFixed(3)} ms)\n` +
        `  measured legs (ms): ${["way in", "instance", "backbone", "send queue", "way out"].map((n, j) => `${n} p50 ${quantile(legs[j]!, 0.5).toFixed(3)} p95 ${quantile(legs[j]!, 0.95).toFixed(3)}`).join("; ")}; drawn independently their sum's p50 is ${independentP50.toFixed(3)}; ` +
        `correlation of the legs: in/out ${legCorrelations[0]!.toFixed(2)}, in/backbone ${legCorrelations[1]!.toFixed(2)}, backbone/out ${legCorrelations[2]!.toFixed(2)}\n` +
        `  Little's law lambda E[L] = 160; the driver held ${m.driverConnections.toFixed(1)}; its event-loop lag p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms; load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n` +
        rows.map(([k, p, v]) => `  ${k.padEnd(16)} predicted ${p.mean.toFixed(3)} +- ${band(p).toFixed(3)} (sd ${p.sd.toFixed(3)})  measured ${v.toFixed(3)}  (${(((v - p.mean) / p.mean) * 100).toFixed(1)}%)`).join("\n"),
    );
    expect(m.refused).toBe(0);
    // the servers held what the driver held (connect/close handshakes apart)
    expect(Math.abs(m.connections - m.driverConnections)).toBeLessThanOrEqual(0.01 * m.driverConnections + 1);
    // the simulator's M/G/inf: lambda E[L] = 160 within its own sampling error
    expect(Math.abs(conn!.mean - 160)).toBeLessThanOrEqual(Z * conn!.sd / Math.sqrt(R) + 1);
    expect(Math.abs(m.connections - conn!.mean), "connections").toBeLessThanOrEqual(band(conn!));
    expect(Math.abs(m.out - out!.mean), "messages out/s").toBeLessThanOrEqual(band(out!));
    // Latencies only on a quiet machine whose driver kept its clock (validation's --max-lag rule):
    // under load, one stall delays a message's every leg together, which the model's independent
    // draws per leg cannot hold (at load 11-18 the measured p50 was 12-14% under that of its own
    // legs drawn independently: docs/reference-app.md, Realtime components).
    const lagP99 = lag.percentile(99) / 1e6;
    if (lagP99 <= MAX_LAG_MS && loadAtEnd <= availableParallelism()) {
      expect(Math.abs(m.p50 - p50!.mean), "delivery p50").toBeLessThanOrEqual(band(p50!));
      expect(Math.abs(m.p95 - p95!.mean), "delivery p95").toBeLessThanOrEqual(band(p95!));
    } else console.log(`  delivery rows not judged: load average ${loadAtEnd.toFixed(1)} (${availableParallelism()} cores), driver lag p99 ${lagP99.toFixed(1)} ms (limit ${MAX_LAG_MS})`);
  }, 120_000);
});
