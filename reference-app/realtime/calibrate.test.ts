// Calibration's reading of the servers' figures: the backbone's fine histogram rebuilt as samples
// whose quantiles are within a bucket (10%) of the observations', only the window's observations
// counted; the per-recipient send cost from two scrapes; the calibrated model keeping everything else.
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../simulator/model/index.ts";
import { backboneBuckets, backboneByInstance, calibratedScenario, oneWaySamples, publishService, sendCost, windowSamples } from "./calibrate.ts";
import { FINE_BOUNDS } from "./server.ts";

/** The Prometheus lines a server would serve after observing `xs` (cumulative buckets). */
function histogramText(xs: readonly number[], instance = "a"): string {
  const lines = FINE_BOUNDS.map((b) => `headroom_rt_backbone_seconds_bucket{instance="${instance}",le="${b}"} ${xs.filter((x) => x <= b).length}`);
  lines.push(`headroom_rt_backbone_seconds_bucket{instance="${instance}",le="+Inf"} ${xs.length}`);
  return lines.join("\n");
}

const quantile = (xs: readonly number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)]!;

describe("realtime calibration", () => {
  it("rebuilds the window's backbone round trips within a bucket's 10%", () => {
    // lognormal-ish round trips around 1 ms, observed before the window and in it (two instances)
    const before = Array.from({ length: 500 }, (_, i) => 0.02 + i * 1e-5);
    const inWindow = Array.from({ length: 2000 }, (_, i) => 0.0003 * Math.exp(3 * ((i + 0.5) / 2000)));
    const a = backboneBuckets([histogramText(before, "a"), histogramText([], "b")]);
    const b = backboneBuckets([histogramText([...before, ...inWindow.slice(0, 1200)], "a"), histogramText(inWindow.slice(1200), "b")]);
    const got = windowSamples(a, b);
    expect(got).toHaveLength(2000);
    for (const q of [0.1, 0.5, 0.9, 0.95]) expect(Math.abs(quantile(got, q) / quantile(inWindow, q) - 1), `q${q}`).toBeLessThan(0.1);
    // at most `max` samples, shares kept
    const few = windowSamples(a, b, 400);
    expect(Math.abs(few.length - 400)).toBeLessThanOrEqual(FINE_BOUNDS.length);
    expect(Math.abs(quantile(few, 0.5) / quantile(inWindow, 0.5) - 1)).toBeLessThan(0.1);
  });

  it("takes the network's one-way samples from the window's copies, ways in and out pooled, in seconds", () => {
    const legs: Array<[number, number, number, number, number, number]> = [[5, 1, 0.1, 2, 0.2, 3], [10, 4, 0.1, 2, 0.2, 6], [20, 7, 0.1, 2, 0.2, 8], [9, -0.001, 0, 0, 0, 0.2]];
    const close = (got: number[], want: number[]) => {
      expect(got).toHaveLength(want.length);
      got.forEach((x, i) => expect(x, `sample ${i}`).toBeCloseTo(want[i]!, 12));
    };
    // a way in runs to the hand-off to the backbone (the instance's own 0.1 ms included)
    close(oneWaySamples(legs, 5, 20), [0.0011, 0.003, 0.0041, 0.006, 0, 0.0002]);
    // a way out less the copy's own send (the model's `send`), never below 0
    close(oneWaySamples(legs, 5, 20, 8000, 0.0005), [0.0011, 0.0025, 0.0041, 0.0055, 0, 0]);
    const many = Array.from({ length: 100 }, (_, i) => [i, i, 0, 0, 0, 1000 + i] as [number, number, number, number, number, number]);
    const few = oneWaySamples(many, 0, 100, 50);
    expect(few).toHaveLength(50);
    // evenly spaced over the pool: as many ways in as out
    expect(few.filter((x) => x >= 1).length).toBe(25);
  });

  it("splits the backbone's round trips by the instance that read them, one per message and instance", () => {
    // [sent, in, instance, backbone, send queue, out] (ms); two messages, a and b publishing
    const legs: Array<[number, number, number, number, number, number]> = [
      [100, 0.1, 0.03, 0.48, 0.01, 0.2], // message 1 at a (its publisher)
      [100, 0.1, 0.03, 0.48, 0.02, 0.2], // a second copy of it at a: the same pmessage, not counted again
      [100, 0.1, 0.03, 0.53, 0.01, 0.2], // message 1 at b
      [200, 0.1, 0.03, 0.50, 0.01, 0.2], // message 2 at b (its publisher)
      [200, 0.1, 0.03, 0.61, 0.01, 0.2], // message 2 at a
      [900, 0.1, 0.03, 9, 0.01, 0.2], // outside the window
    ];
    const at: Array<[string, string]> = [["a", "a"], ["a", "a"], ["a", "b"], ["b", "b"], ["b", "a"], ["a", "b"]];
    const { own, other } = backboneByInstance(legs, at, 0, 500);
    expect(own.map((x) => Number(x.toFixed(9)))).toEqual([0.00048, 0.0005]);
    expect(other.map((x) => Number(x.toFixed(9)))).toEqual([0.00053, 0.00061]);
  });

  it("reads the send cost per copy over the window and puts the three into the model, nothing else", () => {
    const scrape = (copies: number, seconds: number) => `headroom_rt_messages_out_total{instance="a"} ${copies}\nheadroom_rt_send_seconds_total{instance="a"} ${seconds}\n`;
    expect(sendCost([scrape(100, 0.5)], [scrape(1100, 0.53)])).toBeCloseTo(30e-6, 12);
    expect(() => sendCost([scrape(5, 0)], [scrape(5, 0)])).toThrow(/no copies/);
    const r = parseScenario(`
version: 1
name: t
load:
  model: open
  rate: 1/s
  classes: { ping: { http: { method: GET, path: /p }, flow: [{ call: api }] } }
  connections: { chat: { rate: 1/s, lifetime: 10s } }
components:
  api: { kind: service, service: 1ms }
  chat: { kind: realtime, instances: 2, max_connections: 7, backbone: { service: 100us }, network: 5ms }
`, "t.yaml");
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const c = calibratedScenario(r.scenario, "chat", { send: 4e-5, backboneService: 1e-5, backbone: [0.001, 0.002, 0.000005], network: [0.0005] });
    const chat = c.components.chat!;
    expect(chat).toMatchObject({ kind: "realtime", instances: 2, max_connections: 7, send: { dist: "constant", value: 4e-5 }, network: { dist: "empirical", samples: [0.0005] } });
    // the backbone: Redis's service, the rest of each round trip its latency (never below 0)
    if (chat.kind !== "realtime") throw new Error("not realtime");
    expect(chat.backbone!.service).toEqual({ dist: "constant", value: 1e-5 });
    const lat = chat.backbone!.latency!;
    if (lat.dist !== "empirical") throw new Error("latency not empirical");
    expect(lat.samples.map((x) => Number(x.toFixed(9)))).toEqual([0.00099, 0.00199, 0]);
    // without the other instances' round trips there is no remote_latency: every instance as the publisher's
    expect(chat.backbone!.remote_latency).toBeUndefined();
    const c2 = calibratedScenario(r.scenario, "chat", { send: 4e-5, backboneService: 1e-5, backbone: [0.001], backboneOther: [0.003, 0.000001], network: [0.0005] });
    const chat2 = c2.components.chat!;
    if (chat2.kind !== "realtime") throw new Error("not realtime");
    const remote = chat2.backbone!.remote_latency!;
    if (remote.dist !== "empirical") throw new Error("remote_latency not empirical");
    expect(remote.samples.map((x) => Number(x.toFixed(9)))).toEqual([0.00299, 0]);
    expect(c.components.api).toBe(r.scenario.components.api);
    expect(() => calibratedScenario(r.scenario, "api", { send: 1, backboneService: 0, backbone: [1], network: [1] })).toThrow(/not a realtime/);
    // Redis's own time per PUBLISH over a window
    const info = (calls: number, usec: number) => `# Commandstats\r\ncmdstat_ping:calls=3,usec=1,usec_per_call=0.33\r\ncmdstat_publish:calls=${calls},usec=${usec},usec_per_call=1.00,rejected_calls=0,failed_calls=0\r\n`;
    expect(publishService(info(100, 400), info(1100, 12400))).toBeCloseTo(12e-6, 12);
    expect(() => publishService(info(5, 1), info(5, 1))).toThrow(/no PUBLISH/);
  });
});
