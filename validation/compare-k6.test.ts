// `headroom compare`: k6 results made elsewhere against the model at their measured load.
// Inputs: (1) committed fixtures, a built-in runner run of Headroom's own script against the tiny
// M/D/4 system (validation/fixtures/own-system-builtin.*). They were made on 2 Dec 2026 (load
// average 11.7) by starting startOwnSystem({ servers: 4, serviceMs: 40 }) and the Prometheus
// stand-in from a tsx script, running `headroom validate validation/fixtures/own-system.yaml
// --target <its URL> --prometheus <stand-in> --rates 20 --duration 5s --warmup 1s`, then taking the
// level's k6/k6.ndjson (gzip -9) and k6/summary.json; (2) a run made here of a plain user script, without name tags,
// with a path outside the scenario and a handleSummary, so classes are found by URL; (3) bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Scenario } from "../simulator/index.ts";
import { scenarioOf } from "../simulator/testing.ts";
import { runCli as cli } from "./testing/run-cli.ts";
import { runK6Script } from "../k6/runner/engine.ts";
import { classifier, pathPattern } from "../k6/ingest/classify.ts";
import { windowStats } from "./k6-window.ts";
import { readMeasuredRun, modelAtMeasuredLoad, simulateAtRun, compareRun, CompareError } from "./compare-k6.ts";
import { startOwnSystem, type OwnSystem } from "./testing/own-system.ts";
import type { ValidationReport } from "./report.ts";
import { readValidationReport } from "../dashboard/src/validation-file.ts";

const root = join(import.meta.dirname, "..");
const fixtures = join(root, "validation/fixtures");
const yamlPath = join(fixtures, "own-system.yaml");
const yaml = readFileSync(yamlPath, "utf8");
const ndjsonFixture = join(fixtures, "own-system-builtin.ndjson.gz");
const summaryFixture = join(fixtures, "own-system-builtin-summary.json");

function scenario(text = yaml): Scenario {
  return scenarioOf(text, "own-system.yaml");
}

const rowOf = (rep: ValidationReport, scope: string, metric: string) => rep.levels[0].rows.find((r) => r.scope === scope && r.metric === metric)!;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "headroom-compare-test-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("class matching", () => {
  it("takes a class's name tag first, then its method and path ({key} one segment, a prefix allowed)", () => {
    const c = classifier([{ name: "get_item", method: "GET", path: "/items/{key}" }, { name: "new_order", method: "POST", path: "/orders" }]);
    expect(c({ name: "get_item", url: "http://x/whatever" })).toBe("get_item");
    expect(c({ name: "http://h:1/items/42", url: "http://h:1/items/42", method: "GET" })).toBe("get_item");
    expect(c({ name: "http://h:1/api/v2/items/42?x=1", method: "GET" })).toBe("get_item");
    expect(c({ url: "http://h:1/items/42/reviews", method: "GET" })).toBeUndefined();
    expect(c({ url: "http://h:1/orders", method: "GET" })).toBeUndefined();
    expect(c({ url: "http://h:1/orders", method: "POST" })).toBe("new_order");
    expect(pathPattern("/a.b/{key}").test("/a.b/1")).toBe(true);
    expect(pathPattern("/a.b/{key}").test("/axb/1")).toBe(false);
  });
});

describe("compare on the committed built-in runner NDJSON (name-tagged)", () => {
  it("measures what validation's window stats measure, runs the model at that rate, deterministically", async () => {
    const s = scenario();
    const run = await readMeasuredRun(ndjsonFixture, s, 1);
    expect(run.format).toBe("ndjson");
    expect(run.missing).toEqual([]);
    // the same window stats as a validation level over the same window
    const win = await windowStats(ndjsonFixture, 1, run.windowS + 1);
    expect(run.classes.get_item.requests).toBe(win.classes.get_item.requests);
    expect(run.classes.get_item.latencyMs.p95).toBeCloseTo(win.classes.get_item.latencyMs.p95, 9);
    const model = modelAtMeasuredLoad(s, run);
    expect(model.load.model === "open" && model.load.rate).toBeCloseTo(run.classes.get_item.offeredRate, 9);
    expect(model.simulation.duration).toBeCloseTo(5 + run.windowS, 9);
    const a = compareRun(yamlPath, s, model, run, simulateAtRun(model));
    const b = compareRun(yamlPath, s, model, run, simulateAtRun(model));
    expect(JSON.stringify(a.levels)).toBe(JSON.stringify(b.levels));
    expect(a.schema).toBe("headroom.validation/v1");
    // the model offered the measured rate: its arrivals over 3 replications x ~4 s are Poisson, so
    // within 3 sd of it (sd = sqrt(rate x 3 x window) arrivals)
    const offered = rowOf(a, "get_item", "offered");
    const sd = Math.sqrt(offered.measured! * 3 * run.windowS) / (3 * run.windowS);
    expect(Math.abs(offered.predicted! - offered.measured!)).toBeLessThan(3 * sd);
    // M/D/4 at 18% utilization: the model's mean is the 40 ms service time, plus almost no wait
    expect(rowOf(a, "get_item", "mean").predicted).toBeGreaterThan(40);
    expect(rowOf(a, "get_item", "mean").predicted).toBeLessThan(41);
    expect(rowOf(a, "api", "utilization")).toMatchObject({ measured: null, verdict: "info", note: "not measured (a k6 run has no component figures)" });
  });

  it("the CLI writes the validation report (JSON + Markdown) and exits by the targets", async () => {
    const out = join(dir, "fixture");
    const r = await cli(["compare", yamlPath, "--k6", ndjsonFixture, "--warmup", "1s", "--out", out]);
    const text = readFileSync(join(out, "own-system.json"), "utf8");
    const rep = readValidationReport(text, "own-system.json"); // what the dashboard's validation view reads
    expect(r.code).toBe(rep.levels[0].rows.some((x) => x.verdict === "fail") ? 1 : 0);
    expect(rep.measuredOn).toMatch(/^the k6 run in .*own-system-builtin\.ndjson\.gz \(ndjson; [\d.]+ s compared; no load sent by headroom\)/);
    expect(readFileSync(join(out, "own-system.md"), "utf8")).toMatch(/\| api \| utilization \| 0\.\d+ \| not measured \(a k6 run has no component figures\) \|/);
  });

  it("a summary export: the one class takes the whole run's figures; a percentile it lacks is not measured", async () => {
    const s = scenario();
    const run = await readMeasuredRun(summaryFixture, s, 0);
    expect(run.format).toBe("summary-export");
    const exported = JSON.parse(readFileSync(summaryFixture, "utf8"));
    expect(run.classes.get_item.requests).toBe(exported.metrics.http_reqs.count);
    expect(run.windowS).toBeCloseTo(exported.metrics.http_reqs.count / exported.metrics.http_reqs.rate, 2);
    const noP99 = join(dir, "no-p99.json");
    for (const m of Object.values<Record<string, number>>(exported.metrics)) delete m["p(99)"];
    writeFileSync(noP99, JSON.stringify(exported));
    const run2 = await readMeasuredRun(noP99, s, 0);
    expect(run2.notes.join("\n")).toMatch(/class get_item: the summary has no p99/);
    const model = modelAtMeasuredLoad(s, run2);
    const rep = compareRun(noP99, s, model, run2, simulateAtRun(model));
    expect(rowOf(rep, "get_item", "p99")).toMatchObject({ measured: null, verdict: "info", target: null, note: "not measured (not in the summary-export results)" });
    expect(rowOf(rep, "get_item", "p95").measured).toBe(exported.metrics["http_req_duration{expected_response:true}"]["p(95)"]);
  });
});

describe("compare on a run made by real k6 (v0.48.0, built from source; validation/fixtures/own-system-k6.*)", () => {
  // Made on 2 Dec 2026 (load average 20.7) as the built-in fixture above, with K6_BIN set to a k6
  // v0.48.0 built from its source (shared/k6-from-source.md): `headroom validate` sent the level with
  // k6 itself; its --out json and --summary-export files are committed unchanged (the NDJSON gzipped).
  const k6Ndjson = join(fixtures, "own-system-k6.ndjson.gz");
  const k6Summary = join(fixtures, "own-system-k6-summary.json");
  it("k6's own NDJSON: the class found by its name tag, every request of the run counted, the model run at its rate", async () => {
    const s = scenario();
    const exported = JSON.parse(readFileSync(k6Summary, "utf8"));
    const whole = await readMeasuredRun(k6Ndjson, s, 0);
    expect(whole.format).toBe("ndjson");
    expect(whole.missing).toEqual([]);
    // the whole run (no warm-up cut): the summary's own count of requests, 94
    expect(whole.classes.get_item.requests).toBe(exported.metrics.http_reqs.count);
    const run = await readMeasuredRun(k6Ndjson, s, 1);
    const win = await windowStats(k6Ndjson, 1, run.windowS + 1);
    expect(run.classes.get_item.requests).toBe(win.classes.get_item.requests);
    // M/D/4 with 40 ms timers: k6 measured about 40 ms plus the timer's lag
    expect(run.classes.get_item.latencyMs.mean).toBeGreaterThan(40);
    expect(run.classes.get_item.latencyMs.mean).toBeLessThan(50);
    const model = modelAtMeasuredLoad(s, run);
    const rep = compareRun(k6Ndjson, s, model, run, simulateAtRun(model));
    expect(rowOf(rep, "get_item", "throughput").measured).toBeCloseTo(run.classes.get_item.requests / run.windowS, 9);
    expect(rowOf(rep, "get_item", "errorRate").measured).toBe(0);
  });

  it("k6's own summary export: the same count, its percentiles taken as they are", async () => {
    const s = scenario();
    const exported = JSON.parse(readFileSync(k6Summary, "utf8"));
    const run = await readMeasuredRun(k6Summary, s, 0);
    expect(run.format).toBe("summary-export");
    expect(run.classes.get_item.requests).toBe(exported.metrics.http_reqs.count);
    expect(run.windowS).toBeCloseTo(exported.metrics.http_reqs.count / exported.metrics.http_reqs.rate, 2);
    expect(run.classes.get_item.latencyMs.p95).toBe(exported.metrics["http_req_duration{expected_response:true}"]["p(95)"]);
  });
});

describe("compare on a user's own k6 script (no name tags, an extra path, handleSummary)", () => {
  let sys: OwnSystem;
  let ndjson: string;
  let handled: string;
  beforeAll(async () => {
    sys = await startOwnSystem({ servers: 4, serviceMs: 40 });
    ndjson = join(dir, "user.ndjson");
    handled = join(dir, "handled.json");
    const item = `${sys.url}/items/7`;
    const health = `${sys.url}/health`;
    const script = join(dir, "user.js");
    // a user's script: 20 arrivals/s for 3 s, each a GET of one item, every 4th also a /health
    // (404 on this system: not a class); thresholds name the per-URL submetrics so the summary has them
    writeFileSync(script, `import http from "k6/http";
export const options = {
  scenarios: { s: { executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", duration: "3s", preAllocatedVUs: 10 } },
  thresholds: {
    "http_reqs{name:${item}}": ["count>0"], "http_req_duration{name:${item}}": ["p(95)<5000"], "http_req_failed{name:${item}}": ["rate<1"],
    "http_reqs{name:${health}}": ["count>0"],
  },
};
export default function () {
  http.get("${item}");
  if (__ITER % 4 === 0) http.get("${health}");
}
export function handleSummary(data) { return { ${JSON.stringify(handled)}: JSON.stringify(data) }; }
`);
    const r = await runK6Script({ script, jsonOut: ndjson, maxRunMs: 60_000, allowedOrigins: [sys.url] });
    expect(r.exitCode).toBe(0);
  });
  afterAll(async () => {
    await sys?.close();
  });

  it("NDJSON: requests found by URL, the rest named and left out", async () => {
    const run = await readMeasuredRun(ndjson, scenario(), 0);
    expect(run.classes.get_item.requests).toBeGreaterThanOrEqual(55);
    expect(run.classes.get_item.requests).toBeLessThanOrEqual(61);
    expect(run.unmatched[`${sys.url}/health`]).toBeGreaterThanOrEqual(13);
    expect(run.notes.join("\n")).toMatch(new RegExp(`requests fit no class and are not compared: ${sys.url}/health x\\d+`));
    // an arrival-rate executor: 20 arrivals/s, so the offered rate is about 20/s (+-1 arrival at the edges)
    expect(run.classes.get_item.offeredRate).toBeGreaterThan(17);
    expect(run.classes.get_item.offeredRate).toBeLessThan(22);
    // 40 ms of service, unloaded system: a real loopback answer takes a little longer, never less
    expect(run.classes.get_item.latencyMs.p50).toBeGreaterThanOrEqual(40);
  });

  it("handleSummary JSON: per-class figures from the submetrics the thresholds named, same counts as the NDJSON", async () => {
    const s = scenario();
    const fromSummary = await readMeasuredRun(handled, s, 0);
    const fromNdjson = await readMeasuredRun(ndjson, s, 0);
    expect(fromSummary.format).toBe("handle-summary");
    expect(fromSummary.classes.get_item.requests).toBe(fromNdjson.classes.get_item.requests);
    expect(fromSummary.unmatched[`${sys.url}/health`]).toBe(fromNdjson.unmatched[`${sys.url}/health`]);
    expect(fromSummary.classes.get_item.latencyMs.p50).toBeGreaterThanOrEqual(40);
    const model = modelAtMeasuredLoad(s, fromSummary);
    const rep = compareRun(handled, s, model, fromSummary, simulateAtRun(model));
    expect(rep.levels[0].requestsMeasured).toBe(fromNdjson.classes.get_item.requests);
  });
});

describe("compare on k6's own documented NDJSON (k6/ingest/fixtures/k6-docs.ndjson)", () => {
  it("no name tag, times with a zone offset: requests found by URL", async () => {
    const s = scenario(yaml.replace('path: "/items/{key}"', 'path: "/get"'));
    const run = await readMeasuredRun(join(root, "k6/ingest/fixtures/k6-docs.ndjson"), s, 0);
    expect(run.classes.get_item.requests).toBe(2);
    expect(run.classes.get_item.latencyMs.mean).toBeCloseTo((459.865729 + 1540.134271) / 2, 6);
    expect(run.unmatched).toEqual({});
  });
});

describe("bad k6 results exit 2 with the place", () => {
  it("a malformed NDJSON line is named by file and line", async () => {
    const lines = gunzipSync(readFileSync(ndjsonFixture)).toString("utf8").split("\n").slice(0, 40);
    lines[20] = lines[20].slice(0, 30); // cut mid-object, as a killed k6 leaves it
    const bad = join(dir, "bad.ndjson");
    writeFileSync(bad, lines.join("\n"));
    const r = await cli(["compare", yamlPath, "--k6", bad, "--out", join(dir, "bad")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`${bad.replace(/[.]/g, "\\.")}:21: not a JSON line`));
    await expect(readMeasuredRun(bad, scenario(), 0)).rejects.toBeInstanceOf(CompareError);
  });

  it("no request matching any class: exit 2 naming the classes and what the results hold", async () => {
    const other = yaml.replace("get_item:", "list_orders:").replace('path: "/items/{key}"', 'path: "/orders"');
    const file = join(dir, "other.yaml");
    writeFileSync(file, other);
    const r = await cli(["compare", file, "--k6", ndjsonFixture, "--out", join(dir, "other")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no request matches any class of scenario 'own-system' \(name tag 'list_orders' or GET …\/orders\); the results hold \d+ requests named get_item/);
  });

  it("a class without samples is named and left out; the others are compared", async () => {
    const two = yaml.replace("components:", "") // keep the rest; add a second class before components
      .replace("      flow: [api]\n", '      flow: [api]\n    list_orders:\n      http: { method: GET, path: "/orders" }\n      flow: [api]\ncomponents:\n');
    const file = join(dir, "two.yaml");
    writeFileSync(file, two);
    const r = await cli(["compare", file, "--k6", ndjsonFixture, "--out", join(dir, "two")]);
    expect(r.err).toMatch(/class list_orders: no request in the results matched \(name tag 'list_orders' or GET …\/orders\); left out of the model/);
    const rep = JSON.parse(readFileSync(join(dir, "two", "own-system.json"), "utf8")) as ValidationReport;
    expect(rep.levels[0].rows.some((x) => x.scope === "get_item")).toBe(true);
    expect(rep.levels[0].rows.some((x) => x.scope === "list_orders")).toBe(false);
  });

  it("an empty file and a missing one", async () => {
    const empty = join(dir, "empty.ndjson");
    writeFileSync(empty, "");
    expect((await cli(["compare", yamlPath, "--k6", empty])).err).toMatch(/empty file; expected k6's --out json NDJSON or a summary JSON/);
    const r = await cli(["compare", yamlPath, "--k6", join(dir, "nope.ndjson")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read the k6 results \(ENOENT\)/);
  });
});
