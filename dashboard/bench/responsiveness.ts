// Benchmark (npm run bench:dashboard): how fast the simulator runs in the page's Web Worker compared
// with Node on the same scenario, and how responsive the page stays meanwhile (main-thread long
// tasks and animation-frame gaps while a multi-million-event run is in progress). Ratios, not
// absolute times, are what to compare across machines.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseScenario, simulate } from "../../simulator/index.ts";
import { buildDashboard, serveDirectory } from "../server.ts";
import { launch } from "../e2e/browser.ts";
import { percentile } from "../../simulator/percentile.ts";

const DURATION = process.argv[2] ?? "1h";
const text = (await readFile(new URL("../../scenarios/single-service.yaml", import.meta.url), "utf8")).replace("duration: 2m", `duration: ${DURATION}`);


const dir = await mkdtemp(join(tmpdir(), "headroom-bench-dashboard-"));
const server = await (async () => { await buildDashboard(dir, true); return serveDirectory(dir); })();
const browser = await launch();
try {
  const page = browser.page;
  await page.goto(server.url);
  await page.getByTestId("headline").waitFor({ timeout: 60_000 });
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
  await page.waitForFunction(() => document.querySelector('[data-testid="status"]')?.textContent === "valid scenario");

  // Plain JS strings: tsx would wrap inline functions with helpers the page does not have.
  await page.evaluate(`(() => {
    window.__long = []; window.__frames = []; window.__stop = false;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); }).observe({ type: "longtask", buffered: false });
    const tick = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  const t0 = Date.now();
  const clickAt = (await page.evaluate("performance.now()")) as number;
  await page.getByTestId("run").click();
  await page.getByTestId("cancel").waitFor({ timeout: 10_000 }).catch(() => {});
  await page.getByTestId("run").waitFor({ timeout: 600_000 });
  const pageWallS = (Date.now() - t0) / 1000;
  const doneAt = (await page.evaluate("performance.now()")) as number;
  const m = (await page.evaluate(`(() => { window.__stop = true; return { long: window.__long, frames: window.__frames }; })()`)) as { long: Array<[number, number]>; frames: number[] };
  const runText = await page.getByTestId("headline").innerText();
  const workerWall = Number(/([\d.]+) s wall/.exec(runText)?.[1]);
  const gaps = m.frames.slice(1).map((t, i) => t - m.frames[i]);

  const parsed = parseScenario(text, "bench.yaml");
  if (!parsed.ok) throw new Error("bench scenario does not parse");
  const n0 = performance.now();
  const r = simulate(parsed.scenario);
  const nodeWall = (performance.now() - n0) / 1000;

  const out = {
    scenario: `single-service, duration ${DURATION}, ${r.run.replications} replications`,
    events: r.run.events,
    nodeEventsPerS: Math.round(r.run.events / nodeWall),
    workerEventsPerS: Math.round(r.run.events / workerWall),
    workerOverNode: +(nodeWall / workerWall).toFixed(2),
    pageWallS: +pageWallS.toFixed(1),
    // Long tasks while the worker runs (between the click and the last 1.5 s before the results
    // render) and the result rendering at the end, which is main-thread work by nature.
    longTasksDuringRun: m.long.filter(([t]) => t > clickAt && t < doneAt - 1500).map(([t, d]) => `${Math.round(t - clickAt)}ms:+${Math.round(d)}`),
    longTasksAtEnd: m.long.filter(([t]) => t >= doneAt - 1500).map(([t, d]) => `${Math.round(t - clickAt)}ms:+${Math.round(d)}`),
    frameGapP50Ms: +percentile(Float64Array.from(gaps).sort(), 50).toFixed(1),
    frameGapP95Ms: +percentile(Float64Array.from(gaps).sort(), 95).toFixed(1),
    frameGapMaxMs: +Math.max(0, ...gaps).toFixed(1),
    frames: gaps.length,
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
