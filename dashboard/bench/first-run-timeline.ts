// Profile of the page's first load (issue 21 item 9): where the time from navigation to the
// finished default run's headline goes. The production build is served from 127.0.0.1 and opened in
// headless Chromium (fresh profile per load); a script installed before the page's own notes, from
// navigation start: each simulation worker's creation and the first of each message kind it posts
// (checked, partial, done, with the worker's own elapsedMs of the run), every chunk's fetch (resource
// timing), the page's long tasks, and the milestones of first-chart.ts (first chart, headline,
// recharts' latency chart). `first-run-timeline.ts [loads]` prints one JSON line per load.
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { buildDashboard, serveDirectory } from "../server.ts";
import { launch } from "../e2e/browser.ts";

const PROBE = `(() => {
  const t = (window.__timeline = { workers: [], longtasks: [], marks: {} });
  const W = window.Worker;
  window.Worker = class extends W {
    constructor(url, opts) {
      super(url, opts);
      const w = { url: String(url).split("/").pop(), created: performance.now(), first: {} };
      t.workers.push(w);
      this.addEventListener("message", (e) => {
        const m = e.data || {};
        const k = m.type;
        if (k && w.first[k] === undefined) w.first[k] = Math.round(performance.now());
        if (k === "done" || k === "checked") w[k + "Count"] = (w[k + "Count"] || 0) + 1;
        if (k === "done") { w.elapsedMs = Math.round(m.elapsedMs); w.doneAt = Math.round(performance.now()); }
        if (k === "partial") w.partials = (w.partials || 0) + 1;
      });
    }
  };
  try { new PerformanceObserver((l) => { for (const e of l.getEntries()) t.longtasks.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({ type: "longtask", buffered: true }); } catch {}
  const marks = t.marks;
  const tick = () => {
    const now = performance.now();
    if (marks.root === undefined && document.querySelector("#root > *")) marks.root = now;
    if (marks.headline === undefined && document.querySelector('[data-testid="headline"]')) marks.headline = now;
    if (marks.plain === undefined && [...document.querySelectorAll('[data-testid="chart-latency"] path.plain-line')].some((p) => /M/.test(p.getAttribute("d") || ""))) marks.plain = now;
    if (marks.latency === undefined && document.querySelector('[data-testid="chart-latency"] path.recharts-line-curve')) marks.latency = now;
    if (marks.latency === undefined) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

async function once(url: string): Promise<unknown> {
  const browser = await launch({ width: 1440, height: 900 });
  try {
    const page = browser.page;
    await page.addInitScript(PROBE);
    await page.goto(url);
    await page.waitForFunction("window.__timeline.marks.latency !== undefined", undefined, { timeout: 60_000 });
    return await page.evaluate(`(() => {
      const t = window.__timeline;
      const nav = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByType("resource").map((r) => [r.name.split("/").pop(), Math.round(r.startTime), Math.round(r.responseEnd), Math.round(r.encodedBodySize / 1024)]);
      const marks = Object.fromEntries(Object.entries(t.marks).map(([k, v]) => [k, Math.round(v)]));
      return { domContentLoaded: Math.round(nav.domContentLoadedEventEnd), marks, workers: t.workers.map((w) => ({ ...w, created: Math.round(w.created) })), resources: res, longtasks: t.longtasks };
    })()`);
  } finally {
    await browser.close();
  }
}

const loads = Number(process.argv[2] ?? 3);
const dir = await mkdtemp(join(tmpdir(), "headroom-bench-timeline-"));
try {
  await buildDashboard(dir, true);
  const server = await serveDirectory(dir);
  try {
    await once(server.url); // warm the OS file cache and Chromium's start, not printed
    for (let i = 0; i < loads; i++) console.log(JSON.stringify({ load: loadavg()[0].toFixed(2), ...(await once(server.url) as object) }));
  } finally {
    await server.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
