// `headroom load --dashboard` and `headroom validate --dashboard` end to end: the real CLI (a child process, as a user runs it) sends
// single-service's load to a local HTTP target (a server answering every request after 20 ms, as
// k6/testing/server.ts does for the runner's tests) with the built-in runner; headless Chromium opens the URL it prints while the load runs. The
// measured points must appear on the latency chart while the banner still says "measuring", the
// final summary's numbers must be the ones the CLI printed, and the server must be gone when the
// command has ended. Screenshots (running, done) go to artifacts/screenshots/.
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
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

/** A CLI run with --dashboard, as a user starts it: its output so far, its exit, and the live URL it printed. */
interface LiveCli {
  readonly url: string;
  readonly exited: Promise<number>;
  out(): { stdout: string; stderr: string };
}

async function startLiveCli(args: readonly string[]): Promise<LiveCli> {
  const proc = spawn(process.execPath, [CLI, ...args, "--dashboard"], {
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
  return { url, exited, out: () => ({ stdout, stderr }) };
}

test("load --dashboard: measured seconds appear on the predicted charts while it runs; the summary is the CLI's; the server closes with it", async () => {
  const out = join(tmp, "run");
  const cli = await startLiveCli(["load", "scenarios/single-service.yaml", "--target", target!.url, "--duration", `${DURATION_S}s`, "--engine", "built-in", "--out", out]);
  const { url, exited } = cli;
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
  const { stdout, stderr } = cli.out();
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

test("validate --dashboard: each level is a phase with its measured seconds and the report's verdict; the scenario's verdict and exit code are the CLI's", async () => {
  const out = join(tmp, "validate");
  // your-own-system mode on the loopback target: two explicit levels, no reference app to start
  const rates = [15, 30];
  const cli = await startLiveCli(["validate", "scenarios/single-service.yaml", "--target", target!.url, "--rates", rates.join(","), "--duration", "6s", "--warmup", "1s", "--out", out]);
  const page = browser!.page;
  await page.goto(cli.url);
  const banner = page.getByTestId("live-banner");
  const bannerText = async () => (await banner.innerText()).replace(/\s+/g, " ");
  await expect.poll(bannerText, { timeout: 60_000 }).toMatch(/^live: measuring single-service 15 req\/s \(\d+s of 6s\)/);
  // measured seconds of the first level while it runs
  const dots = page.locator('[data-testid="chart-latency"] circle.measured-dot');
  await expect.poll(() => dots.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2 * 3);
  await page.screenshot({ path: join(SHOTS, "live-validate-running.png"), fullPage: true });

  const code = await cli.exited;
  const { stdout, stderr } = cli.out();
  await expect.poll(() => banner.getAttribute("data-status"), { timeout: 10_000 }).toBe("done");
  // the report the CLI wrote decides: its verdict, exit code and each level's status are the page's.
  // On a loaded machine a level whose generator lagged is measured twice (a phase each) and may
  // end unreliable (exit 3): the expectations follow the report, whichever happened.
  const report = JSON.parse(await readFile(join(out, "single-service.json"), "utf8")) as { pass: boolean; levels: Array<{ rate: number; status: string; generator?: unknown[] }> };
  const untrusted = report.levels.some((l) => l.status === "unreliable" || l.status === "error");
  expect(code, `${stdout}\n${stderr}`).toBe(untrusted ? 3 : report.pass ? 0 : 1);
  expect(stdout).toContain(`single-service: ${report.pass ? "pass" : "FAIL"}`);
  expect(await page.getByTestId("live-verdicts").innerText()).toContain(`single-service: ${report.pass ? "pass" : "FAIL"}`);
  expect(await bannerText()).toContain(`exit code ${code}`);
  expect(report.levels.map((l) => l.rate)).toEqual(rates);
  // one phase per measurement, in the run selector: a lagging level's first ends "re-run"
  const phases = report.levels.flatMap((l) => [...Array(Math.max(1, l.generator?.length ?? 1) - 1).fill({ rate: l.rate, status: "re-run" }), { rate: l.rate, status: l.status }]);
  const options = await page.locator('select[aria-label="run"] option').allInnerTexts();
  expect(options).toEqual(phases.map((p) => `single-service ${p.rate} req/s (${p.status})`));
  const last = phases.length - 1;
  expect(await page.getByTestId(`level-status-${last}`).innerText()).toMatch(new RegExp(`^level verdict: ${phases[last].status}`));
  // the last phase's seconds were all drawn (6 s, give or take the partial first and last)
  const n = (await dots.count()) / 3;
  expect(n).toBeGreaterThanOrEqual(5);
  expect(n).toBeLessThanOrEqual(8);
  await page.selectOption('select[aria-label="run"]', "0");
  expect(await page.getByTestId("level-status-0").innerText()).toMatch(new RegExp(`^level verdict: ${phases[0].status}`));
  await page.screenshot({ path: join(SHOTS, "live-validate-done.png"), fullPage: true });

  await expect(fetch(cli.url)).rejects.toThrow();
  expect(browser!.errors.filter((e) => !/live\/events|ERR_CONNECTION_REFUSED/.test(e))).toEqual([]);
});
