// The runner against k6 v0.48's own rules, each checked on a local server: a target that never answers
// (interrupted iterations counted and written, thresholds on metrics without samples kept and judged
// as k6 judges them), the `vus` gauge under arrival-rate executors, the `url` and `error_code` tags,
// `res.error_code` for HTTP errors and the default user agent. Sources: k6 v0.48.0's
// metrics/engine/engine.go, metrics/thresholds.go, lib/netext/httpext/transport.go, lib/executor/
// helpers.go, execution/scheduler.go and cmd/options.go.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { startTestServer, type TestServer } from "../testing/server.ts";
import { runScript } from "../testing/run-script.ts";
import { INTERRUPTED_ITERATIONS_METRIC } from "./metrics.ts";
import { DEFAULT_USER_AGENT } from "./options.ts";
import { runStatsLine } from "./output/summary.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer({ latencyMs: 2 });
});
afterAll(async () => {
  await srv.close();
});

function sink(): { stream: Writable; text: () => string } {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

describe("a target that accepts and never answers", () => {
  // 20/s for 2 s = 40 arrivals; the 4 VUs get stuck on their first request, so 4 iterations run
  // until gracefulStop cuts them and the other 36 arrivals find no free VU
  const script = (thresholds: string) => `import http from "k6/http";
import { check } from "k6";
export const options = {
  scenarios: { open: { executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", duration: "2s", preAllocatedVUs: 4, maxVUs: 4, gracefulStop: "500ms" } },
  thresholds: ${thresholds},
};
export default function () { const res = http.get(__ENV.T + "/hang", { tags: { name: "browse" } }); check(res, { ok: (r) => r.status === 200 }); }`;

  it("counts the cut iterations (stdout, NDJSON, summary export) and keeps every threshold, judged as k6 judges an empty sink", async () => {
    const out = sink();
    const r = await runScript(
      script(`{ http_req_duration: ["p(95)<150"], "http_req_duration{name:browse}": ["p(99)<300", "avg<100"], http_req_failed: ["rate<0.01"], checks: ["rate>0.9"] }`),
      { env: { T: srv.url }, stdout: out.stream },
    );
    // k6 v0.48 at the end: trends without samples aggregate to 0 (p(95)<150 passes), a Rate without
    // samples has no rate and passes; so k6 itself exits 0 here (headroom load turns it into 3)
    expect(r.exitCode).toBe(0);
    expect(r.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok}`).sort()).toEqual([
      "checks rate>0.9 true",
      "http_req_duration p(95)<150 true",
      "http_req_duration{name:browse} avg<100 true",
      "http_req_duration{name:browse} p(99)<300 true",
      "http_req_failed rate<0.01 true",
    ]);
    // no threshold vanishes from the summary: each metric with thresholds is there, values zero
    const m = r.summary.metrics;
    expect(m.http_req_duration.thresholds).toEqual({ "p(95)<150": { ok: true } });
    expect(m.http_req_duration.values["p(95)"]).toBe(0);
    expect(m["http_req_duration{name:browse}"].thresholds).toEqual({ "p(99)<300": { ok: true }, "avg<100": { ok: true } });
    expect(m.http_req_failed.values).toEqual({ rate: 0, passes: 0, fails: 0 });
    expect(m.checks.thresholds).toEqual({ "rate>0.9": { ok: true } });
    // a submetric nobody asked about and that got no sample is not listed, as in k6
    expect(m["http_req_duration{expected_response:true}"]).toBeUndefined();
    // the summary export (read back by the ingestion) has the same thresholds, none failed
    expect(r.exported.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok}`).sort()).toEqual(
      r.thresholds.map((t) => `${t.metric} ${t.threshold} ${t.ok}`).sort(),
    );

    // every scheduled arrival is accounted for: 0 complete + 4 interrupted + 36 dropped = 40
    expect(m.iterations).toBeUndefined();
    expect(m[INTERRUPTED_ITERATIONS_METRIC].values.count).toBe(4);
    expect(m.dropped_iterations.values.count).toBe(36);
    expect(r.exported.metrics[INTERRUPTED_ITERATIONS_METRIC].values.count).toBe(4);
    // NDJSON: one interrupted-iteration point per cut iteration, tagged with its scenario; like k6's
    // GetTrail, each cut iteration still reports the bytes it sent, and no iteration_duration
    const cut = r.points.filter((p) => p.metric === INTERRUPTED_ITERATIONS_METRIC);
    expect(cut.length).toBe(4);
    expect(cut.every((p) => p.value === 1 && p.tags?.scenario === "open")).toBe(true);
    const sent = r.points.filter((p) => p.metric === "data_sent");
    expect(sent.length).toBe(4);
    expect(sent.every((p) => p.value > 50)).toBe(true);
    expect(r.points.some((p) => p.metric === "iteration_duration" || p.metric === "http_reqs")).toBe(false);
    // stdout: k6's last progress line before the summary
    expect(out.text()).toMatch(/^running \(2\.\ds\), 0\/4 VUs, 0 complete and 4 interrupted iterations$/m);
    expect(out.text()).toMatch(/✓ http_req_duration \.+: avg=0\.00µs/);
  }, 30_000);

  it("a threshold that an empty sink crosses fails, as in k6 (http_reqs count>0 is 0 > 0)", async () => {
    const r = await runScript(script(`{ http_reqs: ["count>0"], http_req_duration: ["p(95)<150"] }`), { env: { T: srv.url } });
    expect(r.exitCode).toBe(99);
    expect(r.thresholds.find((t) => t.metric === "http_reqs")!.ok).toBe(false);
    expect(r.summary.metrics.http_reqs.values.count).toBe(0);
  }, 30_000);
});

describe("the vus gauge", () => {
  it("counts an arrival-rate executor's VUs while they run an iteration, sampled once a second, never at 0 s or at the end", async () => {
    // 10/s against a 2 ms target with 20 preallocated VUs: about 0.02 VU is busy on average. The
    // old gauge (every preallocated VU active) read 20 throughout.
    const r = await runScript(
      `import http from "k6/http";
export const options = { scenarios: { open: { executor: "constant-arrival-rate", rate: 10, timeUnit: "1s", duration: "2500ms", preAllocatedVUs: 20, maxVUs: 20 } } };
export default function () { http.get(__ENV.T + "/ok"); }`,
      { env: { T: srv.url } },
    );
    const vus = r.points.filter((p) => p.metric === "vus");
    const max = r.points.filter((p) => p.metric === "vus_max");
    expect(vus.length).toBeGreaterThanOrEqual(2);
    expect(vus.length).toBeLessThanOrEqual(3);
    expect(Math.max(...vus.map((p) => p.value))).toBeLessThanOrEqual(2);
    expect(max.every((p) => p.value === 20)).toBe(true);
    // the first sample is the 1 s tick, after the arrivals at 0, 0.1 ... 0.9 s (10; 7 allows for a
    // lagging machine), and none is written at the end, after the arrivals at 2.1 ... 2.4 s
    const t = (p: { time: string }) => Date.parse(p.time);
    const reqTimes = r.points.filter((p) => p.metric === "http_reqs").map(t);
    const first = Math.min(...vus.map(t));
    const last = Math.max(...vus.map(t));
    expect(reqTimes.filter((x) => x < first).length).toBeGreaterThanOrEqual(7);
    expect(reqTimes.filter((x) => x > last).length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it("counts a looping executor's VUs from activation: 3 constant VUs read 3", async () => {
    const r = await runScript(
      `import http from "k6/http";
import { sleep } from "k6";
export const options = { vus: 3, duration: "1500ms" };
export default function () { http.get(__ENV.T + "/ok"); sleep(0.1); }`,
      { env: { T: srv.url } },
    );
    const vus = r.points.filter((p) => p.metric === "vus");
    expect(vus.length).toBe(1);
    expect(vus[0].value).toBe(3);
  }, 30_000);
});

describe("HTTP tags, error codes and user agent", () => {
  it("copies a name tag into url, tags 4xx/5xx with error_code 1000 + status, and sets res.error_code", async () => {
    const r = await runScript(
      `import http from "k6/http";
export const options = { vus: 1, iterations: 1 };
export default function () {
  const named = http.get(__ENV.T + "/ok?id=7", { tags: { name: "product" } });
  const tmpl = http.get(http.url\`\${__ENV.T}/ok?id=\${8}\`);
  http.get(__ENV.T + "/ok?id=9");
  const nf = http.get(__ENV.T + "/status/404");
  const un = http.get(__ENV.T + "/status/503");
  const codes = [named.error_code, nf.error_code, un.error_code, JSON.stringify(nf.error), JSON.stringify(un.error), nf.body === "" ? "empty" : String(nf.body)].join(",");
  if (codes !== '0,1404,1503,"","",empty') throw new Error("codes: " + codes);
}`,
      { env: { T: srv.url } },
    );
    expect(r.stderr).not.toMatch(/codes:/);
    expect(r.summary.metrics.iterations.values.count).toBe(1);
    const reqs = r.points.filter((p) => p.metric === "http_reqs").map((p) => p.tags!);
    expect(reqs.map((t) => [t.name, t.url])).toEqual([
      ["product", "product"],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: k6 names a templated URL with literal ${} placeholders
      ["${}/ok?id=${}", "${}/ok?id=${}"],
      [`${srv.url}/ok?id=9`, `${srv.url}/ok?id=9`],
      [`${srv.url}/status/404`, `${srv.url}/status/404`],
      [`${srv.url}/status/503`, `${srv.url}/status/503`],
    ]);
    expect(reqs.map((t) => t.error_code ?? "-")).toEqual(["-", "-", "-", "1404", "1503"]);
    // an HTTP error is not a transport error: no `error` tag, status kept
    expect(reqs.map((t) => t.error ?? "-")).toEqual(["-", "-", "-", "-", "-"]);
    expect(reqs[3].status).toBe("404");
  }, 30_000);

  it(`sends k6's user agent (${DEFAULT_USER_AGENT}) unless options.userAgent says otherwise ("" sends none)`, async () => {
    const run = async (opt: string) => {
      await runScript(
        `import http from "k6/http";
export const options = { vus: 1, iterations: 1${opt} };
export default function () { http.get(__ENV.T + "/ok"); }`,
        { env: { T: srv.url } },
      );
      return srv.lastUserAgent;
    };
    expect(await run("")).toBe("k6/0.48.0 (https://k6.io/)");
    expect(await run(`, userAgent: "probe/1.0"`)).toBe("probe/1.0");
    expect(await run(`, userAgent: ""`)).toBe("");
  }, 30_000);
});

describe("runStatsLine", () => {
  it("prints k6's progress line: duration at its own length, VUs zero-padded", () => {
    expect(runStatsLine(15_000, 0, 50, 0, 30)).toBe("running (15.0s), 00/50 VUs, 0 complete and 30 interrupted iterations\n");
    expect(runStatsLine(9_460, 2, 4, 120, 1)).toBe("running (9.5s), 2/4 VUs, 120 complete and 1 interrupted iterations\n");
    expect(runStatsLine(65_000, 0, 100, 7, 0)).toBe("running (1m05.0s), 000/100 VUs, 7 complete and 0 interrupted iterations\n");
  });
});

describe("console", () => {
  it("writes k6's logrus lines to stderr (objects as JSON, debug hidden) and nothing to stdout", async () => {
    let out = "";
    const stdout = new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) });
    const r = await runScript(
      `export const options = { vus: 1, iterations: 1 };
console.log("init");
export default function () { console.log("a", { b: 1 }, [2], 3); console.warn("careful"); console.error("bad thing"); console.debug("hidden"); }`,
      { stdout, env: {} },
    );
    const lines = r.stderr.split("\n").filter((l) => l.endsWith("source=console"));
    // the init context runs once to read options and once per VU, so its line comes twice, as in k6
    expect(lines.map((l) => l.replace(/^time="[^"]+" /, ""))).toEqual([
      "level=info msg=init source=console",
      "level=info msg=init source=console",
      'level=info msg="a {\\"b\\":1} [2] 3" source=console',
      "level=warning msg=careful source=console",
      'level=error msg="bad thing" source=console',
    ]);
    expect(lines[0]).toMatch(/^time="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)" /);
    expect(out).not.toMatch(/init|careful|hidden/);
  });
});
