// The dashboard end to end: the built app served from 127.0.0.1, driven in headless Chromium like a
// user would (typing in the editor, clicking Run). Screenshots go to artifacts/screenshots/.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { buildDashboard, serveDirectory, type RunningServer } from "../server.ts";
import { decodeScenario, encodeScenario } from "../src/url-state.ts";
import { withCi } from "../src/format.ts";
import { launch, type Browser } from "./browser.ts";
import { planHere } from "../src/plan-run.ts";
import { scenarioOf } from "../../simulator/testing.ts";

const SHOTS = join(process.cwd(), "artifacts", "screenshots");
/** A real report of headroom validate (see fixtures/README.md). */
const REPORT = join(process.cwd(), "dashboard", "e2e", "fixtures", "v-single-pool.validation.json");

let outDir: string;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "headroom-dashboard-"));
  await mkdir(SHOTS, { recursive: true });
  await buildDashboard(outDir, true);
  server = await serveDirectory(outDir);
  browser = await launch();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** A full-page screenshot from the top (scrolled, the sticky top bar would be drawn mid-page). */
async function shot(name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** The editor's text as rendered (the documents here are short enough to be rendered whole);
 * an empty line renders as a <br>, so blank lines are normalized away at the end. */
async function editorText(p: Page = page): Promise<string> {
  // on first load the editor (CodeMirror) mounts once the first chart is drawn
  await p.locator(".editor-panel .cm-content").waitFor({ timeout: 30_000 });
  return (await p.locator(".editor-panel .cm-content .cm-line").allInnerTexts()).map((l) => l.replace(/\n$/, "")).join("\n").trimEnd();
}

async function replaceEditorText(text: string): Promise<void> {
  await page.locator(".editor-panel .cm-content").click();
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}

/** Clicks Run and waits until the Run button is back (a short run may finish before the progress
 * bar is ever seen); callers then poll for the numbers they expect. */
async function runAndWait(): Promise<void> {
  await page.getByTestId("run").click();
  await page.getByTestId("run").waitFor({ state: "visible", timeout: 60_000 });
}

function cellNumber(text: string): number {
  return Number(text.trim().split(/\s/)[0].replace("%", ""));
}

describe("dashboard in headless Chromium", () => {
  let original = "";
  beforeAll(async () => {
    original = await readFile(join(process.cwd(), "scenarios", "single-service.yaml"), "utf8");
  });

  test("opens on the bundled single-service scenario, already simulated", async () => {
    await page.goto(server!.url);
    await page.getByTestId("headline").waitFor({ timeout: 30_000 });
    expect(await editorText()).toBe(original.trimEnd());
    expect(await page.getByTestId("bottleneck").innerText()).toContain("api");
    // 300/s on 8 servers of 20 ms: utilization 300 * 0.02 / 8 = 75%.
    const util = cellNumber(await page.getByTestId("component-table").locator("tbody tr td").nth(3).innerText());
    expect(util).toBeGreaterThan(72);
    expect(util).toBeLessThan(78);
    // Charts drew lines with data: one path per series, each with one point per interval (120 s).
    // They mount one after another; the last one is there once all are.
    await page.getByTestId("chart-inflight").locator("path.recharts-line-curve").first().waitFor({ timeout: 15_000 });
    for (const id of ["chart-latency", "chart-throughput", "chart-utilization", "chart-queue", "chart-errors", "chart-inflight"]) {
      const curves = page.getByTestId(id).locator("path.recharts-line-curve");
      expect(await curves.count(), id).toBeGreaterThan(0);
      const d = (await curves.first().getAttribute("d")) ?? "";
      expect((d.match(/[LC]/g) ?? []).length, `${id} points`).toBeGreaterThan(100);
    }
    expect(await page.getByTestId("chart-latency").locator("path.recharts-line-curve").count()).toBe(3);
    // 5 replications: each line is their mean with its 95% band shaded (bands.ts), one per line
    expect(await page.getByTestId("chart-latency").locator(".ci-band path.recharts-area-area").count()).toBe(3);
    expect(await page.getByTestId("chart-throughput").locator(".ci-band path.recharts-area-area").count()).toBe(1);
    expect(await page.getByTestId("chart-latency").getByTestId("band-note").innerText()).toContain("mean of 5 replications");
    await page.getByTestId("chart-latency").screenshot({ path: join(SHOTS, "01b-latency-bands.png") });
    expect(await page.getByTestId("chart-latency").innerText()).toContain("SLO p95 100 ms");
    expect(await page.getByTestId("chart-latency").locator(".recharts-reference-line").count()).toBe(2);
    await expect.poll(() => page.getByTestId("topology").locator(".topo-node").count()).toBe(2);
    await shot("01-opened");
    expect(browser!.errors).toEqual([]);
  });

  test("PNG and SVG of the real chart at its size; the HTML report carries every chart and table", async () => {
    const card = page.getByTestId("chart-latency");
    const surface = card.locator(".recharts-wrapper > svg.recharts-surface");
    const box = (await surface.boundingBox())!;
    expect(box.width).toBeGreaterThan(300); // the chart, not a 28x28 legend swatch
    const saved = async (testId: string) => {
      const [d] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
      return { name: d.suggestedFilename(), bytes: await readFile((await d.path())!) };
    };
    const png = await saved("chart-latency-png");
    expect(png.name).toBe("latency.png");
    // PNG header: width and height as big-endian 32-bit integers at bytes 16 and 20 (device scale 1)
    expect([png.bytes.readUInt32BE(16), png.bytes.readUInt32BE(20)]).toEqual([Math.round(box.width), Math.round(box.height)]);
    const svg = (await saved("chart-latency-svg")).bytes.toString("utf8");
    expect(svg).toMatch(new RegExp(`^<svg[^>]* width="${Math.round(box.width)}" height="${Math.round(box.height)}"`));
    expect(svg).toContain(">p95<"); // the legend is drawn into it
    const html = (await saved("export-html")).bytes.toString("utf8");
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6);
    for (const title of ["Request classes", "Components", "Accounting", "Latency percentiles", "Scenario"]) expect(html).toContain(`<h2>${title}</h2>`);
    expect(html).toContain("# single-service:");
    expect(html).not.toMatch(/<script|<link|<img/i);
  });

  test("a broken field is reported inline at its line, and Run is disabled", async () => {
    const broken = original.replace("servers: 8", "servers: eight");
    const line = broken.slice(0, broken.indexOf("servers: eight")).split("\n").length;
    await replaceEditorText(broken);
    await expect.poll(() => page.getByTestId("problems").innerText()).toContain(`line ${line}`);
    const problems = await page.getByTestId("problems").innerText();
    expect(problems).toContain("components.api.servers");
    // The underline sits on that editor line.
    const marked = page.locator(".cm-line", { has: page.locator(".cm-lintRange-error") });
    await expect.poll(() => marked.count()).toBe(1);
    expect(await marked.innerText()).toContain("servers: eight");
    expect(await page.getByTestId("run").isDisabled()).toBe(true);
    // the last valid graph stays, greyed, with the error over it
    expect(await page.getByTestId("topology").locator(".topo-node").count()).toBe(2);
    expect(await page.getByTestId("topology-error").innerText()).toContain("components.api.servers");
    await shot("02-error-inline");
  });

  test("a YAML syntax error is reported at its line too", async () => {
    const broken = original.replace("  rate: 300/s", "  rate: [300/s");
    await replaceEditorText(broken);
    const line = broken.slice(0, broken.indexOf("[300/s")).split("\n").length;
    await expect.poll(() => page.getByTestId("problems").innerText()).toContain("YAML syntax");
    expect(await page.getByTestId("problems").innerText()).toMatch(new RegExp(`line (${line}|${line + 1})`));
  });

  test("fixed and run again: 10 servers give 60% utilization", async () => {
    await replaceEditorText(original.replace("servers: 8", "servers: 10"));
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await runAndWait();
    // 300/s * 20 ms / 10 servers = 0.60; wait for the new run (the old one showed 75%).
    const tableUtil = async () => cellNumber(await page.getByTestId("component-table").locator("tbody tr td").nth(3).innerText());
    await expect.poll(tableUtil, { timeout: 30_000 }).toBeLessThan(63);
    expect(await tableUtil()).toBeGreaterThan(57);
    const nodeUtil = Number((await page.getByTestId("node-api").innerText()).match(/([\d.]+)%/)![1]);
    expect(nodeUtil).toBeGreaterThan(57);
    expect(nodeUtil).toBeLessThan(63);
    await shot("03-rerun");
  });

  test("the URL carries the scenario: a fresh page restores it", async () => {
    await expect.poll(() => page.url()).toContain("#s=");
    const url = page.url();
    const typed = original.replace("servers: 8", "servers: 10");
    // The fragment decodes to exactly the text typed, byte for byte...
    expect(await decodeScenario(new URL(url).hash)).toBe(typed);
    const other = await browser!.context.newPage();
    try {
      // ...and a fresh page opened on the link shows it and simulates it.
      await other.goto(url);
      await other.getByTestId("headline").waitFor({ timeout: 30_000 });
      expect(await editorText(other)).toBe(typed.trimEnd());
      expect(await other.getByTestId("component-table").locator("tbody tr td").nth(2).innerText()).toBe("10");
    } finally {
      await other.close();
    }
  });

  test("a damaged link says so and falls back to the default scenario", async () => {
    const other = await browser!.context.newPage();
    try {
      await other.goto(server!.url + "#s=AAAA");
      await other.getByText("could not be read").waitFor({ timeout: 10_000 });
      expect(await editorText(other)).toContain("name: single-service");
    } finally {
      await other.close();
    }
  });

  test("a long run shows progress, keeps the page responsive, and cancels", async () => {
    // 300/s for 4 h x 5 replications: about 22M requests, 60M events, ~40 s of work here (past the
    // 40M budget, so it asks first). 2 h ended before Cancel in 2 of 4 runs of the file at load 10-13
    // (17:00, 3 Dec): the screenshot and the node form took longer than the run had left.
    await replaceEditorText(original.replace("duration: 2m", "duration: 4h"));
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await page.getByTestId("run").click();
    await page.getByTestId("confirm").getByText("run it anyway").click();
    const progress = page.getByTestId("progress");
    await expect.poll(async () => Number(await progress.getAttribute("aria-valuenow")), { timeout: 30_000 }).toBeGreaterThan(0);
    // replication 1's intervals stream in while it runs: a partial banner and a latency line growing
    const banner = page.getByTestId("partial-banner");
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.innerText()).toMatch(/Partial result:\s*replication 1 of 5 simulated up to [\d,.]+ s of 14\.4k s/);
    const live = page.getByTestId("live-results").getByTestId("chart-latency").locator("path.recharts-line-curve");
    await live.first().waitFor({ timeout: 15_000 });
    // the first post may be the interval in progress alone (one point, its hollow dot): a line
    // once a second point is in
    await expect.poll(async () => ((await live.first().getAttribute("d")) ?? "").match(/[LC]/g)?.length ?? 0, { timeout: 15_000 }).toBeGreaterThan(0);
    // (that the partials grow is replications.test.ts's: waiting for it here let the run end before Cancel)
    await page.screenshot({ path: join(SHOTS, "04-running.png") });
    // The main thread still answers while the worker runs: a node click opens the form.
    await page.getByTestId("node-api").click();
    await page.getByTestId("node-form").waitFor({ timeout: 2_000 });
    expect(await page.getByTestId("progress").count()).toBe(1);
    await page.getByTestId("cancel").click();
    await page.getByTestId("run").waitFor({ timeout: 5_000 });
    expect(await page.getByTestId("run-error").count()).toBe(0);
    expect(await page.getByTestId("cancelled").innerText()).toMatch(/Cancelled\s+at \d+%/);
    expect(await page.getByTestId("eta").count()).toBe(0);
  });

  test("the node form writes a parameter back into the YAML", async () => {
    const field = page.getByTestId("field-components.api.servers");
    await field.fill("12");
    await field.press("Enter");
    await expect.poll(() => editorText()).toContain("servers: 12");
    expect(await editorText()).toContain("# single-service:"); // comments survive the edit
    // every field of the kind, as the loader reads it: the others under "Every field of the kind"
    const more = page.getByTestId("more-fields");
    await more.locator("summary").click();
    await page.getByTestId("field-components.api.region").waitFor({ timeout: 5_000 });
    expect(await page.getByTestId("nested-routing").innerText()).toMatch(/not set/);
    await page.getByTestId("node-form").screenshot({ path: join(SHOTS, "09b-node-form-every-field.png") });
    // a map field edited whole as a YAML block: a broken block is refused with where, a good one written
    const cost = page.getByTestId("block-components.api.cost");
    await cost.fill("instance_hour: [0.5");
    await cost.press("Control+Enter");
    await expect.poll(() => page.getByTestId("block-error-components.api.cost").innerText().catch(() => "")).toMatch(/^line \d+, column \d+: /);
    expect(await editorText()).not.toContain("instance_hour");
    await cost.fill("instance_hour: 0.5  # list price");
    await cost.press("Control+Enter");
    await expect.poll(() => editorText()).toContain("    cost:\n      instance_hour: 0.5  # list price");
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await page.getByTestId("node-form").screenshot({ path: join(SHOTS, "09d-node-form-map-block.png") });
    // a typo in a field's name: the loader's message, with its guess, in the editor and in the form
    const typo = (await editorText()).replace("servers: 12", "servrs: 12");
    await replaceEditorText(typo);
    await expect.poll(() => page.getByTestId("problems").innerText()).toContain("components.api.servrs: unknown field (did you mean servers?");
    await expect.poll(() => page.getByTestId("node-problems").innerText().catch(() => "")).toContain("did you mean servers?");
    await page.getByTestId("node-form").screenshot({ path: join(SHOTS, "09c-node-form-did-you-mean.png") });
    await replaceEditorText(typo.replace("servrs: 12", "servers: 12"));
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
  });

  test("the capacity curve sweeps rates in the worker and marks the knee", async () => {
    await replaceEditorText(original);
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await runAndWait();
    await page.getByTestId("tab-capacity").click();
    await page.getByTestId("sweep").click();
    const table = page.getByTestId("capacity-table");
    await table.waitFor({ timeout: 60_000 });
    // the grid, then up to 3 runs bisecting the knee's bracket
    await page.getByTestId("sweep").waitFor({ timeout: 60_000 });
    const n = await table.locator("tbody tr").count();
    expect(n).toBeGreaterThan(12);
    expect(n).toBeLessThanOrEqual(15);
    // M/M/8 with 20 ms service saturates at 400 req/s: the sweep reaches 110% of it (440/s),
    // and below saturation throughput equals the offered rate within 5%.
    const cells = async (row: number) => (await table.locator("tbody tr").nth(row).locator("td").allInnerTexts()).map((t) => Number(t.replace(/[%k]/g, "")));
    const first = await cells(0);
    expect(first[1] / first[0]).toBeGreaterThan(0.95);
    expect(first[1] / first[0]).toBeLessThan(1.05);
    const last = await cells(n - 1);
    expect(last[0]).toBeGreaterThan(400);
    expect(last[4]).toBeGreaterThan(95); // bottleneck utilization in %, saturated
    // the knee is the highest rate meeting the SLO (p99 200 ms), as headroom capacity's rule: before
    // the 400 req/s saturation (the runs past the grid refine it)
    const kneeRate = cellNumber(await page.getByTestId("knee").innerText());
    expect(kneeRate).toBeGreaterThan(300);
    expect(kneeRate).toBeLessThan(400);
    expect(await page.getByTestId("chart-capacity-latency").locator("path.recharts-line-curve").count()).toBe(2);
    await shot("07-capacity");
  });

  test("what-if runs A and B with the same seed and shows the differences", async () => {
    await page.getByTestId("tab-whatif").click();
    const b = page.getByTestId("whatif").locator(".cm-content");
    await b.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.insertText(original.replace("servers: 8", "servers: 12"));
    await page.getByTestId("run-ab").click();
    const table = page.getByTestId("ab-table");
    await table.waitFor({ timeout: 60_000 });
    const row = async (metric: string) => (await table.locator("tr", { hasText: metric }).first().locator("td").allInnerTexts());
    // Same seed, so the same arrivals: the throughputs agree to the digits shown.
    const tp = await row("get_product throughput");
    expect(tp[1]).toBe(tp[2]);
    // 8 -> 12 servers: utilization 75% -> 50%.
    const util = await row("api utilization");
    expect(Number(util[1].replace("%", ""))).toBeCloseTo(75, 0);
    expect(Number(util[2].replace("%", ""))).toBeCloseTo(50, 0);
    const p99 = await row("get_product p99");
    expect(p99[3].startsWith("-")).toBe(true);
    // Δ with its paired 95% interval: 5 paired replications; the utilization's fall of a third is
    // far outside its interval, so the row is marked significant
    expect(util[3]).toMatch(/^-[\d.]+% ± [\d.]+%$/);
    const [du, ci] = util[3].split(" ± ").map((x) => Math.abs(Number(x.replace("%", ""))));
    expect(du).toBeGreaterThan(10 * ci);
    expect(await table.locator("tr", { hasText: "api utilization" }).first().getAttribute("data-significant")).toBe("true");
    expect(util[5]).toBe("●");
    expect(await page.getByTestId("whatif").innerText()).toContain("paired differences");
    // A and B over time: two lines in each overlay chart.
    expect(await page.getByTestId("chart-ab-get_product-p95-latency").locator("path.recharts-line-curve").count()).toBe(2);
    expect(await page.getByTestId("chart-ab-api-utilization").locator("path.recharts-line-curve").count()).toBe(2);
    await shot("08-whatif");
    await page.getByTestId("tab-run").click();
  });

  test("a result written by the CLI opens unchanged, with its own scenario; a v1 file with a notice; a wrong schema version is refused", async () => {
    // another model in the editor first: opening the result must replace it (one context)
    await replaceEditorText((await readFile(join(process.cwd(), "scenarios", "cache-aside.yaml"), "utf8")));
    await expect.poll(() => editorText()).toContain("name: cache-aside");
    const file = join(outDir, "cli-result.json");
    await promisify(execFile)(process.execPath, ["bin/headroom.mjs", "simulate", "scenarios/single-service.yaml", "--seed", "9", "--replications", "2", "--duration", "30s", "--json", file], { timeout: 60_000 });
    const written = JSON.parse(await readFile(file, "utf8"));
    await page.getByTestId("open-result").setInputFiles(file);
    await page.getByTestId("file-banner").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("file-banner").innerText()).toContain("seed 9");
    // The table shows the file's numbers, not a run's.
    const p99 = await page.getByTestId("class-table").locator("tbody tr td").nth(5).innerText();
    expect(p99).toBe(withCi(written.classes.get_product.latencyMs.p99));
    // editor, graph and numbers are the same model: the file's
    await expect.poll(() => editorText()).toBe(original.trimEnd());
    await expect.poll(() => page.getByTestId("topology").locator(".topo-node").count()).toBe(2);
    expect(await page.getByTestId("file-banner").innerText()).toContain("with the scenario it embeds");
    expect(await page.getByTestId("results").innerText()).not.toContain("earlier version of the scenario");
    await shot("09-opened-file");

    // a v1 file (no scenario inside) opens too, saying so; the editor keeps its text
    const v1 = join(outDir, "v1-result.json");
    const { yaml: _, ...v1Scenario } = written.scenario;
    await writeFile(v1, JSON.stringify({ ...written, schema: "headroom.result/v1", scenario: v1Scenario }));
    await page.getByTestId("open-result").setInputFiles(v1);
    await page.getByTestId("file-notice").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("file-notice").innerText()).toContain("does not carry its scenario");
    await page.getByTestId("open-result").setInputFiles(file);
    await expect.poll(() => page.getByTestId("file-notice").count()).toBe(0);

    const wrong = join(outDir, "old-result.json");
    await writeFile(wrong, JSON.stringify({ ...written, schema: "headroom.result/v0" }));
    await page.getByTestId("open-result").setInputFiles(wrong);
    await page.getByTestId("file-error").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("file-error").innerText()).toContain('expected a Headroom result with schema "headroom.result/v3"');
    expect(await page.getByTestId("file-banner").innerText()).toContain("cli-result.json"); // the good one stays
  });

  test("cache-aside, chosen from the menu, is simulated without a click: all nodes colored, hit ratio shown", async () => {
    await page.getByTestId("preset").selectOption("scenario:cache-aside");
    await expect.poll(() => page.getByTestId("topology").locator(".topo-node").count()).toBe(5);
    // no Run click: the menu's scenario is simulated as on first load, and its results come first
    await page.getByTestId("hit-ratio").waitFor({ timeout: 30_000 });
    await expect.poll(() => page.evaluate(() => document.querySelector("[data-testid=results]")!.getBoundingClientRect().top), { timeout: 5_000 }).toBeLessThan(200);
    const hit = Number((await page.getByTestId("hit-ratio").locator(".stat-value").innerText()).replace("%", ""));
    expect(hit).toBeGreaterThan(0);
    expect(hit).toBeLessThan(100);
    // Every component node carries its utilization bar after the run.
    await expect.poll(() => page.getByTestId("topology").locator(".topo-util").count()).toBe(4);
    expect(await page.getByTestId("component-table").locator("tbody tr").count()).toBe(4);
    expect(await page.getByTestId("component-table").innerText()).toContain(`hit ${hit.toFixed(1)}%`);
    // every edge is labelled with its requests per second: 200/s from the clients into lb (the
    // scenario's rate; Poisson over the window, well within 5%), and a legend says what it all means
    const topo = page.getByTestId("topology");
    // (SVG text: textContent, it has no innerText)
    const label = async (id: string) => (await topo.getByTestId(`rf__edge-${id}`).locator(".react-flow__edge-text").textContent()) ?? "";
    await expect.poll(() => topo.locator(".react-flow__edge-text").allTextContents()).toHaveLength(4);
    for (const t of await topo.locator(".react-flow__edge-text").allTextContents()) expect(t).toMatch(/^[\d.]+k? req\/s$/);
    const rate = async (id: string) => Number((await label(id)).replace(/^.* · /, "").replace(" req/s", "").replace(/k$/, "e3"));
    const intoLb = await rate("clients->lb");
    expect(Math.abs(intoLb - 200) / 200).toBeLessThan(0.05);
    // the balancer passes on what it takes (the same count, to the label's 3 figures); the cache
    // gets a get per request and a set per miss: more than api's own 180/s of reads
    expect(await rate("lb->api")).toBe(intoLb);
    expect(await rate("api->cache")).toBeGreaterThan(180);
    const legend = await page.getByTestId("topology-legend").innerText();
    expect(legend).toMatch(/busy < 60%[\s\S]*60-85%[\s\S]*≥ 85%[\s\S]*bottleneck[\s\S]*edge label: requests per second sent over it/);
    await topo.screenshot({ path: join(SHOTS, "05b-edge-rates-legend.png") });
    await shot("05-cache-aside");
    // a component reached two ways (the tandem template: api from the clients and back from db by
    // its routing, p 0.1) has a count on each: db -> api is about a tenth of api -> db
    await page.getByTestId("preset").selectOption("template:tandem");
    await expect.poll(() => topo.locator(".react-flow__edge-text").allTextContents(), { timeout: 30_000 }).toHaveLength(3);
    await expect.poll(async () => (await label("db->api")).includes("req/s"), { timeout: 30_000 }).toBe(true);
    expect(await label("db->api")).toMatch(/^p 0\.1 · [\d.]+ req\/s$/);
    const back = await rate("db->api"), out = await rate("api->db");
    // 80/s for 50 s x 5 replications: api -> db about 89/s, db -> api about 8.9/s (Poisson: sd under 2%)
    expect(Math.abs(back / out - 0.1)).toBeLessThan(0.01);
    // the back edge's label is drawn below (edge-path.ts), not on top of the forward edge's
    const labelBox = async (id: string) => (await topo.getByTestId(`rf__edge-${id}`).locator(".react-flow__edge-textbg").boundingBox())!;
    const fwdBox = await labelBox("api->db"), backBox = await labelBox("db->api");
    expect(fwdBox.width * backBox.width).toBeGreaterThan(0);
    const overlap = fwdBox.x < backBox.x + backBox.width && backBox.x < fwdBox.x + fwdBox.width && fwdBox.y < backBox.y + backBox.height && backBox.y < fwdBox.y + fwdBox.height;
    expect(overlap, `api->db label ${JSON.stringify(fwdBox)}, db->api label ${JSON.stringify(backBox)}`).toBe(false);
    await topo.screenshot({ path: join(SHOTS, "05c-edge-rates-two-ways.png") });
    expect(browser!.errors).toEqual([]);
  });

  test("cache-aside with prices and auto-scaling: hit ratio and cost over time", async () => {
    const base = await readFile(join(process.cwd(), "scenarios", "cache-aside.yaml"), "utf8");
    // Prices added to the bundled scenario (it has none), and an autoscaler that finds the 2 API
    // replicas 2.5% busy at its first evaluation (t = 15 s) and scales in to 1: the cost falls from
    // 2 x 0.096 + 0.05 = 0.242 to 0.146 per hour; over the window (10-60 s) the pool averages
    // (5 x 2 + 45 x 1) / 50 = 1.1 instances, a bill of 1.1 x 0.096 + 0.05 = 0.1556 per hour.
    const priced = base
      .replace("    timeout: 5s\n", "    timeout: 5s\n    cost: { instance_hour: 0.096 }\n    autoscaling: { min: 1, max: 4, metric: utilization, target: 0.5, interval: 15s, cooldown_in: 30s, boot: 10s }\n")
      .replace("    value_size: 1KB\n", "    value_size: 1KB\n    cost: { instance_hour: 0.05 }\n");
    expect(priced.match(/cost:/g)).toHaveLength(2);
    const other = await browser!.context.newPage();
    try {
      await other.goto(`${server!.url}#${await encodeScenario(priced)}`);
      await other.getByTestId("headline").waitFor({ timeout: 30_000 });
      expect(await other.getByTestId("cost").locator(".stat-value").innerText()).toBe("0.156 /h");
      await other.getByTestId("chart-instances").waitFor({ timeout: 15_000 });
      const hr = other.getByTestId("chart-hit-ratio");
      await hr.locator("path.recharts-line-curve").first().waitFor({ timeout: 15_000 });
      // 60 s at 1 s intervals: one line with a point per interval, and the window's value marked
      const d = (await hr.locator("path.recharts-line-curve").first().getAttribute("d")) ?? "";
      expect((d.match(/[LC]/g) ?? []).length).toBeGreaterThan(50);
      const hit = (await other.getByTestId("hit-ratio").locator(".stat-value").innerText()).replace("%", "");
      expect(await hr.innerText()).toContain(`cache ${Number(hit).toPrecision(3).replace(/\.?0+$/, "")}% over the statistics window`);
      // the window's value; the scale-in is an event line apart
    expect(await hr.locator(".recharts-reference-line:not(.event-mark)").count()).toBe(1);
    expect(await hr.locator(".recharts-reference-line.event-mark").count()).toBe(1);
      const cost = other.getByTestId("chart-cost");
      await cost.locator("path.recharts-line-curve").first().waitFor({ timeout: 15_000 });
      expect(await cost.innerText()).toContain("window average 0.156/h");
      // the cost line steps down once, from 0.242 to 0.146; the window average lies between
      const ys = [...((await cost.locator("path.recharts-line-curve").getAttribute("d")) ?? "").matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
      const levels = [...new Set(ys.map((y) => y.toFixed(1)))].map(Number);
      expect(levels).toHaveLength(2);
      const refY = Number(await cost.locator(".recharts-reference-line:not(.event-mark) line").getAttribute("y1"));
      expect(ys[0]).toBeLessThan(refY); // svg y grows downwards: higher cost first
      expect(ys.at(-1)).toBeGreaterThan(refY);
      // 0.156 sits at (0.1556 - 0.146) / (0.242 - 0.146) = 10% of the way up from the final level
      expect((ys.at(-1)! - refY) / (ys.at(-1)! - ys[0])).toBeCloseTo(0.1, 1);
      await other.evaluate(() => window.scrollTo(0, 0));
      await other.screenshot({ path: join(SHOTS, "11-cache-aside-cost.png"), fullPage: true });
    } finally {
      await other.close();
    }
  });

  test("slow-dependency: the circuit breaker's share open per interval, the window's share marked", async () => {
    const yaml = await readFile(join(process.cwd(), "scenarios", "validation", "dynamic", "slow-dependency.yaml"), "utf8");
    const other = await browser!.context.newPage();
    try {
      await other.goto(`${server!.url}#${await encodeScenario(yaml)}`);
      await other.getByTestId("headline").waitFor({ timeout: 30_000 });
      const chart = other.getByTestId("chart-breaker");
      await chart.locator("path.recharts-line-curve").first().waitFor({ timeout: 20_000 });
      // one service with a breaker: one line, 60 intervals of 1 s, and the window's share as a dashed line
      expect(await chart.locator("path.recharts-line-curve").count()).toBe(1);
      const d = (await chart.locator("path.recharts-line-curve").getAttribute("d")) ?? "";
      expect((d.match(/[LC]/g) ?? []).length).toBeGreaterThan(50);
      expect(await chart.locator(".recharts-reference-line:not(.event-mark)").count()).toBe(1);
      // the load steps to 100/s at 20 s and back at 40 s: both marked on its time axis
      expect(await chart.locator(".event-mark").count()).toBeGreaterThanOrEqual(2);
      const unit = await chart.locator(".card-unit").innerText();
      expect(unit).toContain("% of each interval the breaker was open");
      // the subtitle's share is the component table's, and it lies between 0 and 100%
      const share = unit.match(/api open ([\d.]+)%/)![1];
      expect(await other.getByTestId("component-table").innerText()).toContain(`breaker open ${share}%`);
      expect(Number(share)).toBeGreaterThan(0);
      expect(Number(share)).toBeLessThan(100);
      expect(await chart.locator(".recharts-wrapper").textContent()).toContain("open (% of interval)");
      // over half the requests fail here, yet the hop bars are the completed requests' mean: no note
      expect(await other.getByTestId("hops-mismatch").count()).toBe(0);
      await chart.scrollIntoViewIfNeeded();
      await chart.screenshot({ path: join(SHOTS, "11b-breaker-chart.png") });
      await other.evaluate(() => window.scrollTo(0, 0));
      await other.screenshot({ path: join(SHOTS, "11b-slow-dependency.png"), fullPage: true });
      expect(browser!.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test("plan: bounds give a cheapest-plan panel; the planner in the worker finds what it finds in Node", async () => {
    const yaml = `${original.trimEnd()}\nplan:\n  api.servers: [4, 16]\n`;
    const expected = (await planHere(scenarioOf(yaml, "planned.yaml"), 300)).chosen!.assignment["api.servers"];
    expect(expected).toBeGreaterThan(6); // 300 x 20 ms keeps 6 servers fully busy
    const other = await browser!.context.newPage();
    try {
      await other.goto(`${server!.url}#${await encodeScenario(yaml)}`);
      const card = other.getByTestId("plan-card");
      await card.waitFor({ timeout: 30_000 });
      expect(await card.getByTestId("plan-load").getAttribute("placeholder")).toBe("300");
      await card.getByTestId("plan-find").click();
      await card.getByTestId("plan-result").waitFor({ timeout: 60_000 });
      expect(await card.getByTestId("plan-chosen-api.servers").innerText()).toBe(String(expected));
      // no prices: the cost is billed instances, and a station is one whatever its servers
      expect(await card.getByTestId("plan-verdict").innerText()).toContain("At 300 req/s: cost 1 billed instance");
      expect(await card.innerText()).toContain(`Chosen: api.servers=${expected}`);
      await card.scrollIntoViewIfNeeded();
      await card.screenshot({ path: join(SHOTS, "11c-plan.png") });
      expect(browser!.errors).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test("a validation report opens through the file input: predicted and measured overlaid, errors colored", async () => {
    const report = JSON.parse(await readFile(REPORT, "utf8"));
    await page.getByTestId("open-validation").setInputFiles(REPORT);
    const view = page.getByTestId("validation");
    await view.waitFor({ timeout: 10_000 });
    await view.getByTestId("chart-val-throughput").locator("path.recharts-line-curve").first().waitFor({ timeout: 10_000 });
    // throughput: offered diagonal, predicted (solid) and measured (dashed), two levels each
    const tp = view.getByTestId("chart-val-throughput").locator("path.recharts-line-curve");
    expect(await tp.count()).toBe(3);
    const dashes = await tp.evaluateAll((ps) => ps.map((p) => p.getAttribute("stroke-dasharray")));
    expect(dashes).toEqual(["4 3", null, "6 4"].map((x) => x ?? dashes[1]));
    expect(dashes[1]).not.toBe("6 4");
    // latency: mean, p50, p95, p99, each predicted and measured
    expect(await view.getByTestId("chart-val-latency-get_item").locator("path.recharts-line-curve").count()).toBe(8);
    expect(await view.getByTestId("chart-val-utilization").locator("path.recharts-line-curve").count()).toBe(2);
    // the knee brackets (both "above 122": one band) and the predicted saturation are marked
    expect(await view.getByTestId("chart-val-throughput").locator(".recharts-reference-area").count()).toBe(1);
    expect(await view.getByTestId("chart-val-throughput").innerText()).toContain("knee (predicted and measured)");
    expect(await view.getByTestId("chart-val-throughput").innerText()).toContain("saturation 203 (predicted)");
    expect(await view.getByTestId("val-machine").innerText()).toContain("vm · 2 CPUs");
    // error table: every row of the report, colored by its verdict
    const rows = view.getByTestId("val-table").locator("tbody tr");
    expect(await rows.count()).toBe(report.levels[0].rows.length + report.levels[1].rows.length);
    const color = (sel: string) => view.getByTestId("val-table").locator(sel).first().locator("td").first().evaluate((td) => getComputedStyle(td).borderLeftColor);
    expect(await color("tr.v-fail")).toBe("rgb(248, 81, 73)");
    expect(await color("tr.v-pass")).toBe("rgb(63, 185, 80)");
    expect(await view.getByTestId("val-table").locator("tr.v-fail td").allInnerTexts()).toEqual(["get_item", "throughput", "59.9 req/s", "56.5 req/s", "-5.7%", "±3%", "FAIL"]);
    expect(await view.getByTestId("val-table").locator("tr.v-info").count()).toBe(6);
    // the report's part of the page, from a page scrolled to the top (the sticky bar would cover it otherwise)
    await page.evaluate(() => window.scrollTo(0, 0));
    const box = (await view.boundingBox())!;
    const top = Math.max(0, box.y - 60);
    await page.screenshot({ path: join(SHOTS, "10-validation.png"), fullPage: true, clip: { x: box.x, y: top, width: box.width, height: box.height + box.y - top } });
    // its own view: the workbench and the last run's results are not stacked under it
    expect(await page.getByTestId("workbench-view").isHidden()).toBe(true);
    // the HTML report of the validation: every chart of the view as SVG, every row, no script
    const [dl] = await Promise.all([page.waitForEvent("download"), view.getByTestId("val-export-html").click()]);
    expect(dl.suggestedFilename()).toBe("v-single-pool.validation.html");
    const html = (await readFile((await dl.path())!)).toString("utf8");
    const charts = await view.locator("section.card[data-testid^='chart-val-']").count();
    expect(charts).toBeGreaterThanOrEqual(4);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(charts); // a legend may add its own
    expect((html.match(/<section><h2>/g) ?? []).length).toBeGreaterThanOrEqual(charts + report.levels.length);
    expect((html.match(/<tr class="v-(pass|fail|info)"/g) ?? []).length).toBe(report.levels[0].rows.length + report.levels[1].rows.length);
    expect(html).toContain("<p>Validation: FAIL");
    expect(html).not.toMatch(/<script|<link|<img/i);
    // opened on its own (no server, no stylesheet of the page): charts and tables are there
    const alone = await browser!.context.newPage();
    try {
      await alone.setContent(html);
      expect(await alone.locator(".charts svg.recharts-surface, .charts > section > svg").count()).toBeGreaterThanOrEqual(charts);
      await alone.screenshot({ path: join(SHOTS, "10b-validation-report.png"), fullPage: true });
    } finally {
      await alone.close();
    }
    expect(browser!.errors).toEqual([]);
  });

  test("a report of the wrong version or not JSON is refused in the page; a dropped report opens", async () => {
    const report = JSON.parse(await readFile(REPORT, "utf8"));
    const wrong = join(outDir, "future.validation.json");
    await writeFile(wrong, JSON.stringify({ ...report, schema: "headroom.validation/v2" }));
    await page.getByTestId("val-close").click();
    await page.getByTestId("open-validation").setInputFiles(wrong);
    await page.getByTestId("file-error").waitFor({ timeout: 10_000 });
    expect((await page.getByTestId("file-error").innerText()).replace(/\s+/g, " ")).toContain('Cannot open the validation report: future.validation.json: expected a validation report with schema "headroom.validation/v1" (headroom validate --out DIR writes one), got schema "headroom.validation/v2"');
    expect(await page.getByTestId("validation").count()).toBe(0);
    expect(await page.getByTestId("headline").count()).toBe(1); // the page is still there
    await shot("12-validation-wrong-version");

    // drag and drop: a file that is not JSON, then the good report
    const drag = (type: "dragenter" | "drop", name: string, content: string) => page.evaluate(([t, n, c]) => {
      const dt = new DataTransfer();
      dt.items.add(new File([c], n, { type: "application/json" }));
      window.dispatchEvent(new DragEvent(t, { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, [type, name, content] as const);
    const drop = (name: string, content: string) => drag("drop", name, content);
    // while a file is over the page, an overlay says what dropping it does
    await drag("dragenter", "cut.json", "{");
    await page.getByTestId("drop-overlay").waitFor({ timeout: 5_000 });
    expect(await page.getByTestId("drop-overlay").innerText()).toContain("validation report");
    await page.screenshot({ path: join(SHOTS, "13-drop-overlay.png") });
    await drop("cut.json", JSON.stringify(report).slice(0, 300));
    expect(await page.getByTestId("drop-overlay").count()).toBe(0);
    await expect.poll(async () => (await page.getByTestId("file-error").innerText()).replace(/\s+/g, " ")).toContain("Cannot open the file: cut.json: not JSON");
    await drop("dropped.json", JSON.stringify(report));
    await page.getByTestId("validation").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("validation").innerText()).toContain("opened from dropped.json");
    expect(await page.getByTestId("file-error").count()).toBe(0);
    expect(browser!.errors).toEqual([]);
  });

  test("a sweep written by headroom sweep --json opens through Open result…: heatmap, cheapest per load, small multiples", async () => {
    await page.getByTestId("open-result").setInputFiles(join(process.cwd(), "dashboard", "e2e", "fixtures", "lb-replicas.sweep.json"));
    const view = page.getByTestId("sweep-result");
    await view.waitFor({ timeout: 10_000 });
    expect(await view.getByTestId("heat-cell").count()).toBe(25);
    expect(await view.locator(".heat-cell.miss").count()).toBe(6);
    expect(await view.getByTestId("heat-star").count()).toBe(1);
    expect(await view.getByTestId("sweep-per-load").locator("tbody tr").count()).toBe(5);
    await view.getByTestId("chart-sweep-p95").locator(".recharts-scatter-symbol").first().waitFor({ timeout: 10_000 });
    expect(await view.getByTestId("chart-sweep-p95").locator(".recharts-scatter-symbol").count()).toBe(25);
    expect(await page.getByTestId("workbench-view").isHidden()).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, "14-sweep.png"), fullPage: true });
    await view.getByTestId("sweep-close").click();
    expect(await page.getByTestId("workbench-view").isHidden()).toBe(false);
    expect(browser!.errors).toEqual([]);
  });

  test("a dynamic validation (validate:dynamics --out) opens through Open validation…: rows, the model's and the app's series overlaid, faults marked", async () => {
    await page.getByTestId("open-validation").setInputFiles(join(process.cwd(), "dashboard", "e2e", "fixtures", "v-cache-loss.dynamics.json"));
    const view = page.getByTestId("dynamics");
    await view.waitFor({ timeout: 10_000 });
    expect(await view.getByTestId("dyn-verdict").innerText()).toContain("PASS");
    expect(await view.getByTestId("dyn-rows").locator("tbody tr").count()).toBe(11);
    const chart = view.getByTestId("dyn-series-0");
    await chart.locator(".recharts-line").first().waitFor({ timeout: 10_000 });
    // two curves (model, app) and the three restarts of Redis as reference lines
    expect(await chart.locator(".recharts-line").count()).toBe(2);
    expect(await chart.locator(".recharts-reference-line").count()).toBe(3);
    expect(await page.getByTestId("workbench-view").isHidden()).toBe(true);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, "14b-dynamics.png"), fullPage: true });
    await view.getByTestId("dyn-close").click();
    expect(await page.getByTestId("workbench-view").isHidden()).toBe(false);
    expect(browser!.errors).toEqual([]);
  });

  test("keyboard: ? lists the shortcuts, Esc closes the list, o asks for a file, r runs", async () => {
    await page.locator("body").click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press("?");
    const help = page.getByTestId("shortcuts");
    await help.waitFor({ timeout: 5_000 });
    expect(await help.innerText()).toContain("run the simulation");
    await shot("15-shortcuts");
    await page.keyboard.press("Escape");
    expect(await help.count()).toBe(0);
    // o clicks the hidden "Open result…" input (counted here, its dialog prevented: a file chooser
    // event is not reliable once earlier tests have set files on that input)
    await page.evaluate(() => {
      const w = window as unknown as { openClicks: number };
      w.openClicks = 0;
      document.querySelector("[data-testid=open-result]")!.addEventListener("click", (e) => { w.openClicks++; e.preventDefault(); });
    });
    await page.keyboard.press("o");
    await expect.poll(() => page.evaluate(() => (window as unknown as { openClicks: number }).openClicks)).toBe(1);
    await page.keyboard.press("r");
    await expect.poll(async () => (await page.getByTestId("cancel").count()) + (await page.getByTestId("headline").count()), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(browser!.errors).toEqual([]);
  });

  test("see why: the bottleneck card proposes a one-field change and tries it as a what-if run", async () => {
    await page.getByTestId("preset").selectOption("scenario:single-service");
    await expect.poll(() => editorText()).toContain("name: single-service");
    await runAndWait();
    const why = page.getByTestId("why");
    await why.waitFor({ timeout: 30_000 });
    expect(await why.innerText()).toContain("api at");
    await why.getByTestId("why-try").click();
    await why.getByTestId("why-outcome").waitFor({ timeout: 60_000 });
    // M/M/8 at 75% busy; with 9 servers 300 x 20 ms / 9 = 66.7%
    expect(await why.getByTestId("why-outcome").innerText()).toMatch(/^\+1 server on api: worst p95 [\d.]+ → [\d.]+ ms, api 7[45]\.\d% → 6[67]\.\d% busy/);
    await why.screenshot({ path: join(SHOTS, "16-why.png") });
    expect(browser!.errors).toEqual([]);
  });

  test("a model the simulator cannot run yet is drawn and explained, not blank", async () => {
    await page.getByTestId("preset").selectOption("scenario:queue-offload");
    await expect.poll(() => editorText()).toContain("name: queue-offload");
    // A queue consumer calling a service is specified but not simulated yet.
    await replaceEditorText((await readFile(join(process.cwd(), "scenarios", "queue-offload.yaml"), "utf8")).replace("handler: [{ call: db, op: write }]", "handler: [{ call: api }]"));
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await page.getByTestId("run").click();
    await page.getByTestId("run-error").waitFor({ timeout: 10_000 });
    expect(await page.getByTestId("run-error").innerText()).toMatch(/not simulated yet.*calls to services are not modeled yet/is);
    expect(await page.getByTestId("topology").locator(".topo-node").count()).toBe(5);
    await shot("06-unsupported");
    expect(browser!.errors).toEqual([]);
  });

  test("regions, cost, accounting and events: every section the CLI prints, events on the time axis", async () => {
    const yaml = await readFile(join(process.cwd(), "dashboard", "e2e", "fixtures", "two-regions.yaml"), "utf8");
    await replaceEditorText(yaml);
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await runAndWait();
    const regions = page.getByTestId("region-table");
    await regions.waitFor({ timeout: 30_000 });
    expect(await regions.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["east", "west"]);
    // the topology draws each region as a labelled group around its components
    for (const [region, member] of [["east", "api_east"], ["west", "api_west"]]) {
      const group = page.getByTestId(`region-${region}`);
      expect(await group.innerText()).toBe(`region ${region}`);
      const g = (await group.boundingBox())!, n = (await page.getByTestId(`node-${member}`).boundingBox())!;
      expect(n.x >= g.x && n.y >= g.y && n.x + n.width <= g.x + g.width + 0.5 && n.y + n.height <= g.y + g.height + 0.5, `${member} inside region ${region}`).toBe(true);
    }
    await page.getByTestId("topology").screenshot({ path: join(SHOTS, "14b-region-groups.png") });
    // west's users are failed over to east during its outage
    expect(cellNumber((await regions.locator("tbody tr").nth(1).locator("td").allInnerTexts())[8].replace(/,/g, ""))).toBeGreaterThan(0);
    expect(await page.getByTestId("cost-table").innerText()).toMatch(/total\s+0\.4\s+292/);
    expect(await page.getByTestId("accounting").innerText()).toMatch(/arrived = .* completed \+ .* dropped \+ .* failed \+ .* in flight/);
    const events = await page.getByTestId("events").innerText();
    expect(events).toContain("west down");
    expect(events).toContain("spike to 400/s");
    // the outage is a band and the step a line on every time chart
    const errors = page.getByTestId("chart-errors");
    // a flat line at zero has no height: attached, not "visible"
    await errors.locator("path.recharts-line-curve").first().waitFor({ state: "attached", timeout: 10_000 });
    expect(await errors.innerText()).toContain("west down");
    expect(await errors.locator(".event-mark").count()).toBeGreaterThanOrEqual(2);
    await shot("14-regions-events");
    expect(browser!.errors).toEqual([]);
  });

  test("a run estimated far too large asks before starting", async () => {
    await page.getByTestId("preset").selectOption("scenario:single-service");
    await expect.poll(() => editorText()).toContain("name: single-service");
    await replaceEditorText(original.replace("duration: 2m", "duration: 100h"));
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    await page.getByTestId("run").click();
    await page.getByTestId("confirm").waitFor({ timeout: 5_000 });
    expect(await page.getByTestId("confirm").innerText()).toMatch(/estimated at about/);
    expect(await page.getByTestId("progress").count()).toBe(0);
  });
  test("see why: each class's latency by hop adds up to its mean; the light theme", async () => {
    await page.getByTestId("preset").selectOption("scenario:cache-aside");
    await page.getByTestId("chart-hops").waitFor({ timeout: 30_000 });
    // the subtitle gives per class the mean and what its hops add up to
    const unit = await page.getByTestId("chart-hops").locator(".card-unit").innerText();
    const pairs = [...unit.matchAll(/(\w+) mean ([\d.,]+) \(hops add to ([\d.,]+)\)/g)].map((m) => [m[1], Number(m[2].replace(/,/g, "")), Number(m[3].replace(/,/g, ""))] as const);
    expect(pairs.map((p) => p[0]).sort()).toEqual(["create_order", "get_product"]);
    for (const [, mean, sum] of pairs) expect(Math.abs(sum - mean) / mean).toBeLessThan(0.02);
    expect(await page.getByTestId("chart-hops").locator(".recharts-bar-rectangle").count()).toBeGreaterThanOrEqual(6);
    expect(await page.getByTestId("hops-mismatch").count()).toBe(0);
    // the light theme follows the system: page, editor and charts
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(255, 255, 255)");
    await expect.poll(() => page.getByTestId("chart-latency").locator("path.recharts-line-curve").first().getAttribute("stroke"), { timeout: 10_000 }).toBe("#0072b2");
    await page.getByTestId("chart-hops").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, "16-see-why-light.png"), fullPage: false });
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(13, 17, 23)");
    expect(browser!.errors).toEqual([]);
  });

  test("build by hand: lb -> service -> database from the empty canvas by drag and drop, then run", async () => {
    await page.getByTestId("preset").selectOption("template:empty");
    const topo = page.getByTestId("topology");
    const nodes = topo.locator(".topo-node");
    await page.getByTestId("topology-draft").waitFor({ timeout: 10_000 });
    await expect.poll(() => nodes.count()).toBe(1);
    const canvas = (await topo.boundingBox())!;
    // Each kind is dropped right of and below every node so far (a staircase: no two nodes' handles
    // meet); the view refits after every new node, so the places are read again each time.
    const place = async (kind: string, name: string) => {
      const boxes = await Promise.all((await nodes.all()).map((n) => n.boundingBox()));
      const right = Math.max(...boxes.map((b) => b!.x + b!.width));
      const bottom = Math.max(...boxes.map((b) => b!.y + b!.height));
      const x = Math.min(right + 110, canvas.x + canvas.width - 12) - canvas.x;
      const y = Math.min(bottom + 45, canvas.y + canvas.height - 12) - canvas.y;
      await page.getByTestId(`palette-${kind}`).dragTo(topo, { targetPosition: { x, y } });
      await page.getByTestId(`node-${name}`).waitFor({ timeout: 5_000 });
    };
    await place("load_balancer", "lb");
    await place("service", "api");
    await place("database", "db");
    await place("cache", "cache");
    expect(await nodes.count()).toBe(5);
    // Delete removes the selected node, and the YAML loses it
    await page.getByTestId("node-cache").click();
    await page.keyboard.press("Delete");
    await expect.poll(() => nodes.count()).toBe(4);
    await expect.poll(() => editorText()).not.toContain("kind: cache");
    await page.getByTestId("topology-draft").waitFor({ timeout: 5_000 }); // three unconnected nodes: a draft
    expect(await page.getByTestId("topology-draft").innerText()).toContain("2 problems"); // no flow yet, lb without backends
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, "15a-draft.png"), fullPage: false });
    // connect by dragging from a node's right handle to the next one's left handle
    const link = async (from: string, to: string) => {
      const a = (await page.getByTestId(`out-${from}`).boundingBox())!;
      const b = (await page.getByTestId(`in-${to}`).boundingBox())!;
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2 + 10, { steps: 5 });
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
      await page.mouse.up();
    };
    await link("clients", "lb");
    await expect.poll(() => editorText()).toContain("flow: [ { call: lb } ]");
    await link("lb", "api");
    await expect.poll(() => editorText()).toContain("backends: api");
    await link("api", "db");
    await expect.poll(() => editorText()).toContain("{ call: db, op: read }");
    await expect.poll(() => page.getByTestId("status").innerText()).toBe("valid scenario");
    expect(await topo.locator(".react-flow__edge").count()).toBe(3);
    // moving a node writes its place into layout:
    const layoutOf = async (name: string) => (await editorText()).match(new RegExp(`\\n  ${name}: \\[ (-?\\d+), (-?\\d+) \\]`))?.slice(1).map(Number);
    const before = (await layoutOf("db"))!;
    const db = (await page.getByTestId("node-db").boundingBox())!;
    await page.mouse.move(db.x + 40, db.y + 10);
    await page.mouse.down();
    await page.mouse.move(db.x + 40, db.y + 90, { steps: 6 });
    await page.mouse.up();
    await expect.poll(async () => (await layoutOf("db"))![1]).toBeGreaterThan(before[1] + 30);
    // the model built by hand runs: 100/s through lb, api and db
    await runAndWait();
    await page.getByTestId("headline").waitFor({ timeout: 30_000 });
    await expect.poll(async () => cellNumber(await page.getByTestId("class-table").locator("tbody tr td").nth(1).innerText()), { timeout: 30_000 }).toBeGreaterThan(90);
    expect(cellNumber(await page.getByTestId("class-table").locator("tbody tr td").nth(1).innerText())).toBeLessThan(110);
    await expect.poll(() => topo.locator(".topo-util").count()).toBe(3);
    await page.evaluate(() => window.scrollTo(0, 0));
    await topo.locator(".react-flow__controls-fitview").click(); // the moved node back in view
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, "15-built-by-hand.png"), fullPage: false });
    // headroom in the headline: the capacity sweep on demand; the scenario's 100/s meets its SLO
    await page.getByTestId("headroom-find").click();
    await expect.poll(() => page.getByTestId("headroom-value").innerText(), { timeout: 60_000 }).toMatch(/req\/s$/);
    const knee = Number((await page.getByTestId("headroom-value").innerText()).replace(/[^\d.]/g, ""));
    expect(knee).toBeGreaterThan(100);
    expect(await page.getByTestId("headroom").getAttribute("class")).toContain("ok");
    expect(browser!.errors).toEqual([]);
  });

  test("first load: the first charts are drawn by hand before recharts is loaded, then recharts replaces them", async () => {
    // A browser of its own, where every script that carries recharts' code is held back until the
    // hand-drawn charts (PlainCharts.tsx) have been looked at: they must stand alone.
    const own = await launch({ width: 1440, height: 900 });
    try {
      const held: Array<() => Promise<void>> = [];
      let release = false;
      await own.page.route("**/assets/*.js", async (route) => {
        const response = await route.fetch();
        const body = await response.text();
        const send = () => route.fulfill({ response, body });
        if (!release && body.includes("recharts-cartesian-grid")) held.push(send);
        else await send();
      });
      await own.page.goto(server!.url);
      const latency = own.page.getByTestId("chart-latency");
      await latency.locator("path.plain-line").first().waitFor({ timeout: 30_000 });
      expect(await latency.locator("path.recharts-line-curve").count()).toBe(0);
      // recharts is asked for after the first chart; the run ends meanwhile (about a second), and
      // its latency and throughput stay hand-drawn while recharts is held
      await expect.poll(() => held.length, { timeout: 15_000 }).toBeGreaterThan(0);
      await own.page.getByTestId("results-loading").waitFor({ timeout: 30_000 });
      // the run's headline is there already (300/s on 8 servers of 20 ms: api the bottleneck at 75%)
      expect(await own.page.getByTestId("results-loading").getByTestId("bottleneck").innerText()).toMatch(/api\s+utilization 7\d(\.\d)?%/);
      // p50, p95 and p99 through every interval; the throughput beside it
      const lines = latency.locator("path.plain-line");
      expect(await lines.count()).toBe(3);
      for (const d of await lines.evaluateAll((ps) => ps.map((p) => p.getAttribute("d") ?? ""))) expect((d.match(/L/g) ?? []).length).toBeGreaterThan(100);
      expect(await latency.locator("svg[role=img]").getAttribute("aria-label")).toContain("p50, p95, p99");
      expect(await own.page.getByTestId("chart-throughput").locator("path.plain-line").count()).toBeGreaterThan(1);
      await latency.screenshot({ path: join(SHOTS, "00-first-chart-hand-drawn.png") });
      release = true;
      for (const send of held.splice(0)) await send();
      // recharts' charts take their place: the results with all their lines, nothing hand-drawn left
      await own.page.getByTestId("chart-inflight").locator("path.recharts-line-curve").first().waitFor({ timeout: 30_000 });
      expect(await own.page.getByTestId("chart-latency").locator("path.recharts-line-curve").count()).toBe(3);
      expect(await own.page.locator("path.plain-line").count()).toBe(0);
      await own.page.getByTestId("chart-latency").screenshot({ path: join(SHOTS, "00-first-chart-recharts.png") });
      expect(own.errors).toEqual([]);
    } finally {
      await own.close();
    }
  });
});
