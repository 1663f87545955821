// Benchmark (the first part of npm run bench:dashboard): the time from navigation to the default
// scenario charted, the target of issue 21 (1.5 s on a quiet machine). The production build is
// served from 127.0.0.1 and opened in headless Chromium, a fresh profile per load (nothing cached),
// RUNS times. In the page, from navigation start (performance.now() = 0): the first results
// (the headline), the latency chart with its lines, and every chart of the run drawn. The load
// average is printed beside the figures: on a busy machine they say more about the neighbours.
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
  const tick = () => {
    const now = performance.now();
    if (marks.headline === undefined && document.querySelector('[data-testid="headline"]')) marks.headline = now;
    if (marks.latency === undefined && drawn("chart-latency")) marks.latency = now;
    if (marks.all === undefined && charts.every(drawn)) marks.all = now;
    if (marks.all === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

export interface FirstChart {
  readonly headlineMs: number;
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
    const m = (await page.evaluate("window.__marks")) as { headline: number; latency: number; all: number };
    const headline = await page.getByTestId("headline").innerText();
    const wall = /([\d.]+) s wall/.exec(headline)?.[1];
    if (browser.errors.length) throw new Error(`the page logged errors: ${browser.errors.join("; ")}`);
    return { headlineMs: Math.round(m.headline), latencyChartMs: Math.round(m.latency), allChartsMs: Math.round(m.all), workerRunMs: wall ? Math.round(Number(wall) * 1000) : Number.NaN };
  } finally {
    await browser.close();
  }
}

export async function firstChart(runs = RUNS): Promise<{ runs: FirstChart[]; load: { before: number[]; after: number[] }; cpus: number }> {
  const dir = await mkdtemp(join(tmpdir(), "headroom-bench-first-chart-"));
  try {
    await buildDashboard(dir, true);
    const server = await serveDirectory(dir);
    try {
      await once(server.url); // warm the OS file cache and Chromium's own start once, not counted
      const before = loadavg().map((l) => +l.toFixed(2));
      const out: FirstChart[] = [];
      for (let i = 0; i < runs; i++) out.push(await once(server.url));
      return { runs: out, load: { before, after: loadavg().map((l) => +l.toFixed(2)) }, cpus: cpus().length };
    } finally {
      await server.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("first-chart.ts")) {
  const r = await firstChart();
  const col = (k: keyof FirstChart) => r.runs.map((x) => x[k]);
  console.log(JSON.stringify({
    scenario: "single-service.yaml (the page's default), production build, headless Chromium, fresh profile per load",
    loadAverageBefore: r.load.before, loadAverageAfter: r.load.after, cpus: r.cpus,
    runs: r.runs,
    medianMs: { headline: median(col("headlineMs")), latencyChart: median(col("latencyChartMs")), allCharts: median(col("allChartsMs")), workerRun: median(col("workerRunMs")) },
    targetMs: 1500,
  }, null, 2));
}
