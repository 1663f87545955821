// `headroom load --dashboard` end to end: the real CLI (a child process, as a user runs it) sends
// single-service's load to a local HTTP target (a server answering every request after 20 ms, as
// k6/testing/server.ts does for the runner's tests) with the built-in runner; headless Chromium opens the URL it prints while the load runs. The
// measured points must appear on the latency chart while the banner still says "measuring", the
// final summary's numbers must be the ones the CLI printed, and the server must be gone when the
// command has ended. Screenshots (running, done) go to artifacts/screenshots/.
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildDashboard } from "../server.ts";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { launch, type Browser } from "./browser.ts";

const SHOTS = join(process.cwd(), "artifacts", "screenshots");
const CLI = resolve(import.meta.dirname, "../../bin/headroom.mjs");
/** Long enough to see several measured seconds arrive before the end. */
const DURATION_S = 12;

let tmp: string;
let dist: string;
let target: { server: Server; url: string } | undefined;

/** Answers every request with a small JSON body after `latencyMs`: plenty of concurrency, so no queue here. */
async function startTarget(latencyMs: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'), latencyMs));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
let browser: Browser | undefined;
let child: ChildProcess | undefined;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "headroom-live-e2e-"));
  dist = join(tmp, "dist");
  await mkdir(SHOTS, { recursive: true });
  await buildDashboard(dist, true);
  // 20 ms per answer, as single-service's mean service time
  target = await startTarget(20);
  browser = await launch({ width: 1440, height: 1000 });
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await browser?.close();
  if (target) {
    target.server.closeAllConnections();
    await new Promise<void>((ok) => target!.server.close(() => ok()));
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("load --dashboard: measured seconds appear on the predicted charts while it runs; the summary is the CLI's; the server closes with it", async () => {
  const out = join(tmp, "run");
  const proc = spawn(process.execPath, [CLI, "load", "scenarios/single-service.yaml", "--target", target!.url, "--duration", `${DURATION_S}s`, "--engine", "built-in", "--out", out, "--dashboard"], {
    env: { ...process.env, HEADROOM_DASHBOARD_DIST: dist, K6_BIN: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d) => (stdout += d));
  proc.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number>((ok) => proc.on("exit", (code) => ok(code ?? -1)));

  // the URL, printed before the load starts
  let url = "";
  for (let i = 0; i < 600 && !url; i++) {
    url = /live dashboard: (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(stderr)?.[1] ?? "";
    if (!url) await new Promise((r) => setTimeout(r, 100));
  }
  expect(url, stderr).not.toBe("");
  const origin = new URL(url).origin;
  expect((await fetch(`${origin}/live/events`)).status).toBe(403);

  const page = browser!.page;
  await page.goto(url);
  const banner = page.getByTestId("live-banner");
  await expect.poll(() => banner.getAttribute("data-status"), { timeout: 30_000 }).toBe("running");
  // the banner is a flex row: its parts come out of innerText on lines of their own
  const bannerText = async () => (await banner.innerText()).replace(/\s+/g, " ");
  await expect.poll(bannerText, { timeout: 5_000 }).toMatch(/^live: measuring single-service \(\d+s of \d+s\)/);

  // measured points on the latency chart, at least 3 seconds of them, while the run still goes on
  const dots = page.locator('[data-testid="chart-latency"] circle.measured-dot');
  await expect.poll(() => dots.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(3 * 3);
  expect(await banner.getAttribute("data-status")).toBe("running");
  const seen = /\((\d+)s of (\d+)s\)/.exec(await bannerText());
  expect(seen?.[2]).toBe(String(DURATION_S));
  expect(Number(seen?.[1])).toBeLessThan(DURATION_S);
  // the predicted lines are there too (dashed, named "predicted" in the legend)
  expect(await page.locator('[data-testid="chart-latency"] .recharts-legend-item-text', { hasText: "p95 predicted" }).count()).toBe(1);
  await page.screenshot({ path: join(SHOTS, "live-load-running.png"), fullPage: true });

  const code = await exited;
  expect([0, 99], `${stdout}\n${stderr}`).toContain(code);
  await expect.poll(() => banner.getAttribute("data-status"), { timeout: 10_000 }).toBe("done");

  // the page's summary is the CLI's: http_reqs count, p(95) of http_req_duration, the arrivals line
  const cliReqs = /http_reqs\s*\.+: (\d+) /.exec(stdout)?.[1];
  const cliP95 = /http_req_duration\s*\.+: .*?p\(95\)=([\d.]+)(ms|s|µs)/.exec(stdout);
  const cliArrivals = /arrivals: (\d+ started \+ \d+ dropped of \d+ scheduled)/.exec(stdout)?.[1];
  expect(cliReqs, stdout).toBeDefined();
  expect(await page.getByTestId("live-requests").innerText()).toBe(cliReqs);
  expect(await page.getByTestId("live-arrivals").innerText()).toBe(cliArrivals);
  const pageP95 = Number((await page.getByTestId("live-p95").innerText()).replace(" ms", ""));
  const scale = { ms: 1, s: 1000, µs: 0.001 }[cliP95![2] as "ms" | "s" | "µs"];
  // both print two decimals of the same number (the CLI in its unit)
  expect(Math.abs(pageP95 - Number(cliP95![1]) * scale)).toBeLessThanOrEqual(0.005 * scale + 1e-9);
  // every second of the run was drawn: DURATION_S points per percentile, give or take the first and last partial second
  const n = await dots.count();
  expect(n / 3).toBeGreaterThanOrEqual(DURATION_S - 1);
  expect(n / 3).toBeLessThanOrEqual(DURATION_S + 2);
  await page.screenshot({ path: join(SHOTS, "live-load-done.png"), fullPage: true });

  // the command has ended: so has its server
  await expect(fetch(url)).rejects.toThrow();
  expect(browser!.errors.filter((e) => !/live\/events|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
});
