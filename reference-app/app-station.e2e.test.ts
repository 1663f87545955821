// `kind: station` on the reference app: the bundled single-service.yaml (an M/M/8 station) starts
// as one Node process with 8 slots and serves every request; a station with a buffer and a queue
// timeout refuses beyond its buffer and lets a request that waited too long leave (503), as the
// model's station does; both runs leave nothing behind.
import { describe, expect, it } from "vitest";
import { scenarioOf } from "../simulator/testing.ts";
import { startAppPromise } from "./launcher.ts";
import { appPorts, bundled, countBy, drive, get, leftovers, metricSum } from "./testing.ts";

describe("stations on the reference app", () => {
  it("single-service.yaml: one process, 8 slots, every request served", async () => {
    const { app, stop } = await startAppPromise(bundled("single-service"), { file: "scenarios/single-service.yaml" });
    const ports = appPorts(app);
    try {
      expect(app.plan.lb).toBeUndefined();
      expect(app.tiers.api).toHaveLength(1);
      const replies = await drive(Array.from({ length: 120 }, (_, i) => get(`${app.classUrl.get_product}/products/${i % 50}`)), 16);
      expect(countBy(replies, (r) => String(r.status))).toEqual({ 200: 120 });
      expect(await metricSum(app.metricsUrls, "headroom_slots_total")).toBe(8);
      expect(await metricSum(app.metricsUrls, "headroom_http_requests_total", { class: "get_product", status: "200" })).toBe(120);
    } finally {
      await stop();
    }
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  }, 90_000);

  it("a station's buffer and queue timeout: beyond the buffer 503, a request waiting past the timeout leaves with 503", async () => {
    // 1 server, 500 ms per visit, 2 waiting places, 700 ms queue timeout; four requests 50 ms
    // apart: the first served at once; the second waits until 500 ms (450 ms, stays); the third
    // would start at 1000 ms, so it leaves at 800 ms; the fourth finds the buffer full
    const yaml = `
version: 1
name: st
load: { model: open, rate: 1/s, classes: { get: { http: { method: GET, path: "/x" }, flow: [api] } } }
components:
  api: { kind: station, servers: 1, buffer: 2, queue_timeout: 700ms, service: 500ms }
`;
    const { app, stop } = await startAppPromise(scenarioOf(yaml, "st.yaml"), { file: "st.yaml" });
    const ports = appPorts(app);
    try {
      const url = `${app.classUrl.get}/x`;
      const gap = () => new Promise((r) => setTimeout(r, 50));
      const first = get(url)();
      await gap();
      const second = get(url)();
      await gap();
      const third = get(url)();
      await gap();
      const fourth = await get(url)();
      expect(fourth.status).toBe(503);
      expect(await fourth.text()).toContain("accept queue full");
      expect((await first).status).toBe(200);
      expect((await second).status).toBe(200);
      const t = await third;
      expect(t.status).toBe(503);
      expect(await t.text()).toContain("queue timeout");
    } finally {
      await stop();
    }
    expect(await leftovers(app.runDir, ports)).toEqual([]);
  }, 90_000);
});
