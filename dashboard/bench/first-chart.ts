// Benchmark (the first part of npm run bench:dashboard): the time from navigation to the default
// scenario charted, the target of issue 21 (1.5 s on a quiet machine). The production build is
// served from 127.0.0.1 and opened in headless Chromium, a fresh profile per load (nothing cached),
// RUNS times. In the page, from navigation start (performance.now() = 0): the first results
// (the headline), the finished run charted (its headline with a latency line in the same results,
// hand-drawn or recharts'), the latency chart with its lines, and every chart of the run drawn. The load
// average is printed beside the figures: on a busy machine they say more about the neighbours.
//
// Second case (issue 21: one-million-users' first partial chart within 1 s): after the default
// scenario is charted, one-million-users is chosen from the menu; the page asks first (61.5 M
// events, past its budget) and the probe notes, from the click on "run it anyway", when the live
// latency chart first shows a point (the interval in progress's hollow dot, or a line). Also the
// choice in the menu to the question, so "scenario open to first partial chart" is their sum.
// `first-chart.ts [default|million|both]` (both by default); HEADROOM_BENCH_RUNS loads of each.
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, cpus } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDashboard, serveDirectory } from "../server.ts";
import { launch } from "../e2e/browser.ts";

const RUNS = Number(process.env.HEADROOM_BENCH_RUNS ?? 5);
/** The charts of single-service's results; the last to mount ends the measurement. */
const CHARTS = ["chart-latency", "chart-throughput", "chart-utilization", "chart-queue", "chart-errors", "chart-inflight"];

// Plain JS (tsx would wrap inline functions with helpers the page does not have): a frame loop,
// installed before the page's own scripts, that notes when each milestone is first on screen.
const PROBE = `(() => {
  const marks = (window.__marks = {});
  const charts = ${JSON.stringify(CHARTS)};
  const drawn = (id) => !!document.querySelector('[data-testid="' + id + '"] path.recharts-line-curve');
  // the page's first charts are drawn by hand (PlainCharts.tsx) until recharts is loaded
  const plain = () => [...document.querySelectorAll('[data-testid="chart-latency"] path.plain-line')].some((p) => /M/.test(p.getAttribute("d") || ""));
  // the finished run charted: its headline with a latency line in the same results (hand-drawn or recharts')
  const finished = () => { const h = document.querySelector('[data-testid="headline"]'); const r = h && h.closest("section.results"); return !!r && [...r.querySelectorAll('[data-testid="chart-latency"] path.plain-line, [data-testid="chart-latency"] path.recharts-line-curve')].some((p) => /M/.test(p.getAttribute("d") || "")); };
  const tick = () => {
    const now = performance.now();
    if (marks.headline === undefined && document.querySelector('[data-testid="headline"]')) marks.headline = now;
    if (marks.finished === undefined && finished()) marks.finished = now;
    if (marks.first === undefined && (plain() || drawn("chart-latency"))) marks.first = now;
    if (marks.latency === undefined && drawn("chart-latency")) marks.latency = now;
    if (marks.all === undefined && charts.every(drawn)) marks.all = now;
    if (marks.all === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

// From the click on "run it anyway" (capturing, the event's own time) to the first frame where the
// live latency chart shows a point.
const MILLION_PROBE = `(() => {
  const m = (window.__million = {});
  document.addEventListener("click", (e) => {
    if (m.click === undefined && e.target.closest && e.target.closest('[data-testid="confirm"] button.btn')) {
      m.click = e.timeStamp;
      const chart = () => document.querySelector('[data-testid="live-results"] [data-testid="chart-latency"]');
      const drawn = () => { const c = chart(); return !!c && (!!c.querySelector("circle.partial-dot") || [...c.querySelectorAll("path.recharts-line-curve")].some((p) => /[LC]/.test(p.getAttribute("d") || ""))); };
      const tick = () => {
        const now = performance.now();
        if (m.mounted === undefined && chart()) m.mounted = now;
        if (drawn()) { m.drawn = now; m.dot = !!chart().querySelector("circle.partial-dot"); return; }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    }
  }, true);
})()`;

export interface MillionFirstPartial {
  /** from the choice in the menu to the page's question (the run's size estimated in the worker) */
  readonly openToConfirmMs: number;
  /** from the click on "run it anyway" to the live charts mounted, and to their first point */
  readonly clickToMountMs: number;
  readonly clickToFirstPointMs: number;
  /** the first point was the interval in progress (a dot), not a line of whole intervals */
  readonly dot: boolean;
}

/** One navigation: the default scenario charted, then one-million-users opened and its run confirmed. */
async function millionOnce(url: string): Promise<MillionFirstPartial> {
  const browser = await launch({ width: 1440, height: 900 });
  try {
    const page = browser.page;
    await page.addInitScript(PROBE);
    await page.addInitScript(MILLION_PROBE);
    await page.goto(url);
    await page.waitForFunction("window.__marks && window.__marks.all !== undefined", undefined, { timeout: 60_000 });
    const opened = (await page.evaluate("performance.now()")) as number;
    await page.getByTestId("preset").selectOption("scenario:one-million-users");
    const confirm = page.getByTestId("confirm");
    await confirm.waitFor({ timeout: 60_000 });
    const asked = (await page.evaluate("performance.now()")) as number;
    await confirm.getByText("run it anyway").click();
    await page.waitForFunction("window.__million && window.__million.drawn !== undefined", undefined, { timeout: 60_000 });
    const m = (await page.evaluate("window.__million")) as { click: number; mounted: number; drawn: number; dot: boolean };
    if (browser.errors.length) throw new Error(`the page logged errors: ${browser.errors.join("; ")}`);
    return { openToConfirmMs: Math.round(asked - opened), clickToMountMs: Math.round(m.mounted - m.click), clickToFirstPointMs: Math.round(m.drawn - m.click), dot: m.dot };
  } finally {
    await browser.close();
  }
}

export interface FirstChart {
  /** the first latency chart on screen with its lines: hand-drawn (PlainCharts) or recharts' */
  readonly firstChartMs: number;
  readonly headlineMs: number;
  /** the finished run's headline with its latency chart's line (hand-drawn or recharts') */
  readonly finishedChartMs: number;
  /** recharts' latency chart with its lines (after the hand-drawn one, or the first) */
  readonly latencyChartMs: number;
  readonly allChartsMs: number;
  /** the run's wall time as the worker reports it in the headline */
  readonly workerRunMs: number;
}

/** One navigation in a fresh browser: the milestones in ms from navigation start. */
async function once(url: string): Promise<FirstChart> {
  const browser = await launch({ width: 1440, height: 900 });
  try {
    const page = browser.page;
    await page.addInitScript(PROBE);
    await page.goto(url);
    await page.waitForFunction("window.__marks && window.__marks.all !== undefined", undefined, { timeout: 60_000 });
    const m = (await page.evaluate("window.__marks")) as { first: number; headline: number; finished: number; latency: number; all: number };
    const headline = await page.getByTestId("headline").innerText();
    const wall = /([\d.]+) s wall/.exec(headline)?.[1];
    if (browser.errors.length) throw new Error(`the page logged errors: ${browser.errors.join("; ")}`);
    return { firstChartMs: Math.round(m.first), headlineMs: Math.round(m.headline), finishedChartMs: Math.round(m.finished), latencyChartMs: Math.round(m.latency), allChartsMs: Math.round(m.all), workerRunMs: wall ? Math.round(Number(wall) * 1000) : Number.NaN };
  } finally {
    await browser.close();
  }
}

/** The production build served while `body` runs; the build and server removed after, also on failure. */
async function served<T>(body: (url: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "headroom-bench-first-chart-"));
  try {
    await buildDashboard(dir, true);
    const server = await serveDirectory(dir);
    try {
      return await body(server.url);
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const load = () => loadavg().map((l) => +l.toFixed(2));

export async function firstChart(runs = RUNS): Promise<{ runs: FirstChart[]; load: { before: number[]; after: number[] }; cpus: number }> {
  return served(async (url) => {
    await once(url); // warm the OS file cache and Chromium's own start once, not counted
    const before = load();
    const out: FirstChart[] = [];
    for (let i = 0; i < runs; i++) out.push(await once(url));
    return { runs: out, load: { before, after: load() }, cpus: cpus().length };
  });
}

export async function millionFirstPartial(runs = RUNS): Promise<{ runs: MillionFirstPartial[]; load: { before: number[]; after: number[] } }> {
  return served(async (url) => {
    const before = load();
    const out: MillionFirstPartial[] = [];
    for (let i = 0; i < runs; i++) out.push(await millionOnce(url));
    return { runs: out, load: { before, after: load() } };
  });
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("first-chart.ts")) {
  const which = process.argv[2] ?? "both";
  if (!["default", "million", "both"].includes(which)) {
    console.error(`usage: first-chart.ts [default|million|both] (got ${which})`);
    process.exit(2);
  }
  if (which !== "million") {
    const r = await firstChart();
    const col = (k: keyof FirstChart) => r.runs.map((x) => x[k]);
    console.log(JSON.stringify({
      scenario: "single-service.yaml (the page's default), production build, headless Chromium, fresh profile per load",
      loadAverageBefore: r.load.before, loadAverageAfter: r.load.after, cpus: r.cpus,
      runs: r.runs,
      medianMs: { firstChart: median(col("firstChartMs")), headline: median(col("headlineMs")), finishedChart: median(col("finishedChartMs")), latencyChart: median(col("latencyChartMs")), allCharts: median(col("allChartsMs")), workerRun: median(col("workerRunMs")) },
      targetMs: 1500,
    }, null, 2));
  }
  if (which !== "default") {
    const r = await millionFirstPartial();
    const col = (k: "openToConfirmMs" | "clickToMountMs" | "clickToFirstPointMs") => r.runs.map((x) => x[k]);
    console.log(JSON.stringify({
      scenario: "one-million-users.yaml chosen from the menu after the default is charted, then \"run it anyway\"",
      loadAverageBefore: r.load.before, loadAverageAfter: r.load.after,
      runs: r.runs,
      medianMs: { openToConfirm: median(col("openToConfirmMs")), clickToMount: median(col("clickToMountMs")), clickToFirstPoint: median(col("clickToFirstPointMs")) },
      targetMs: 1000,
    }, null, 2));
  }
}
