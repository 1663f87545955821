// `npm run validate`: the validation suite. Runs `headroom validate`'s engine on every scenario in
// scenarios/validation/ at short bounded levels (0.3 and 0.6 of predicted saturation, 25 s each),
// writes the reports under results/validation-suite/<mode>/ and regenerates VALIDATION.md from the
// reports of both modes (plain: the YAML at its word; calibrated: --calibrate), each dated.
// Each scenario also gets the --saturation level (1.3x predicted saturation) unless --no-saturation.
// With --knee each scenario's knee is also measured by bisection (validation/knee-search.ts) and
// VALIDATION.md shows predicted and measured knees as numbers (about 6 extra runs per scenario).
// (--only takes a comma-separated list of parts of file names; --knee skips scenarios without an slo.)
//   node bin/run-ts.mjs validation/suite.ts [--calibrate] [--levels 0.3,0.6] [--duration 25] [--only NAME[,NAME]] [--no-saturation] [--knee] [--write-only]
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadScenarioFile } from "../shared/load-scenario.ts";
import { validateScenario, SATURATION_FACTOR } from "./run.ts";
import { reportMarkdown, type ValidationReport } from "./report.ts";
import { findKnee } from "./knee.ts";
import { hasSlo } from "./knee-search.ts";
import { fmt, kneeTable, summary, table } from "./suite-tables.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const DIR = join(ROOT, "scenarios/validation");
const OUT = join(ROOT, "results/validation-suite");

async function readMode(mode: string): Promise<ValidationReport[]> {
  const dir = join(OUT, mode);
  let files: string[] = [];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  } catch {
    return [];
  }
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), "utf8")) as ValidationReport));
}

export async function writeValidationMd(): Promise<void> {
  const parts: string[] = [
    "# VALIDATION: predicted versus measured",
    "",
    "Written by `npm run validate` (plain: the YAML at its word) and `npm run validate -- --calibrate` (per-hop costs",
    "measured on a run at 0.35 of predicted saturation and fed to the simulator). Each scenario of `scenarios/validation/` at",
    "fractions of its predicted saturation rate; reference app on 127.0.0.1 driven by the k6 script. Targets (below 80%",
    "predicted utilization of the bottleneck): throughput 3%, mean and p50 10%, p95 15%, p99 25%, cache hit ratio",
    "3 points; other rows are informative. Errors: relative for latencies and throughput, absolute for ratios,",
    "utilization, queue lengths and milliseconds of pool wait / lag. Never tuned to pass: see docs/validation.md for why",
    "targets are missed.",
    "",
  ];
  for (const mode of ["plain", "calibrated"]) {
    const reps = await readMode(mode);
    if (!reps.length) continue;
    const m = reps[0].machine;
    parts.push(`## ${mode}`, "", `Run ${reps[0].createdAt.slice(0, 16).replace("T", " ")} UTC on ${m.host} (${m.cpus} CPUs, Node ${m.node}, load average at the start ${m.loadAverage.map((x) => x.toFixed(1)).join(" ")}), ${reps[0].durationS}s per level, first ${reps[0].warmupS}s discarded.`, "", summary(reps), "");
    for (const r of reps) if (r.calibration) parts.push(`- ${r.scenario.name}: ${r.calibration.map((c) => `\`${c.parameter}\` = ${fmt(c.valueMs)} ms`).join(", ")}`);
    if (reps.some((r) => r.calibration)) parts.push("");
    const knees = reps.filter((r) => r.kneeSearch);
    if (knees.length) {
      parts.push("", "Knee: the highest rate meeting the SLO (the capacity search's rule), predicted by `headroom capacity` and measured by bisection on the reference app (target 10%):", "");
      parts.push(kneeTable(knees));
    }
    parts.push("", "Saturation knee bracketed by the levels run (same rule on both sides; — = not within the levels):", "");
    for (const r of reps) {
      const sc = await loadScenarioFile(join(ROOT, r.scenario.file));
      const k = findKnee(r.levels, { p99: sc.slo?.latency?.p99 !== undefined ? sc.slo.latency.p99 * 1000 : undefined, errorRate: sc.slo?.error_rate }, r.durationS - r.warmupS);
      const b = (x: { below: number | null; above: number | null }) => `${fmt(x.below)}–${fmt(x.above)}`;
      parts.push(`- ${r.scenario.name}: predicted ${b(k.predicted)} req/s, measured ${b(k.measured)} req/s (${k.rule})`);
    }
    const sats = reps.filter((r) => r.saturation.throughput);
    if (sats.length) {
      parts.push("", "Saturation throughput: successful requests per second with 1.3x the predicted saturation rate offered (target 10%):", "");
      for (const r of sats) {
        const st = r.saturation.throughput!;
        parts.push(`- ${r.scenario.name}: ${fmt(st.offeredRate)} req/s offered, predicted ${fmt(st.predicted)}, measured ${fmt(st.measured)}, error ${st.error === null ? "—" : (st.error * 100).toFixed(1) + "%"} — ${st.verdict === "fail" ? "**fail**" : st.verdict}`);
      }
    }
    parts.push("", table(reps), "");
  }
  await writeFile(join(ROOT, "VALIDATION.md"), parts.join("\n") + "\n");
}

async function main(): Promise<number> {
  const { values: v } = parseArgs({ options: { calibrate: { type: "boolean" }, levels: { type: "string" }, duration: { type: "string" }, only: { type: "string" }, "write-only": { type: "boolean" }, "no-saturation": { type: "boolean" }, knee: { type: "boolean" } } });
  if (v["write-only"]) {
    // regenerate VALIDATION.md from the reports already in results/validation-suite/
    await writeValidationMd();
    return 0;
  }
  const mode = v.calibrate ? "calibrated" : "plain";
  const levels = (v.levels ?? "0.3,0.6").split(",").map(Number);
  const durationS = Number(v.duration ?? 25);
  const out = join(OUT, mode);
  await mkdir(out, { recursive: true });
  const ac = new AbortController();
  process.once("SIGINT", () => ac.abort());
  process.once("SIGTERM", () => ac.abort());
  const only = v.only?.split(",").filter(Boolean);
  const files = (await readdir(DIR)).filter((f) => f.endsWith(".yaml") && (!only || only.some((o) => f.includes(o)))).sort();
  for (const f of files) {
    if (ac.signal.aborted) break;
    const file = join("scenarios/validation", f);
    const scenario = await loadScenarioFile(join(ROOT, file));
    // the knee is the highest rate meeting the SLO: a scenario without one has none to search for
    const knee = !!v.knee && hasSlo(scenario);
    if (v.knee && !knee) process.stderr.write(`${scenario.name}: no slo (latency limits or error_rate), so no knee to search for\n`);
    const rep = await validateScenario({ file, scenario, levels, durationS, warmupS: 5, outDir: join(out, "runs", scenario.name), calibrate: !!v.calibrate, saturation: v["no-saturation"] ? undefined : SATURATION_FACTOR, knee, signal: ac.signal, log: (s) => process.stderr.write(s + "\n") });
    await writeFile(join(out, `${scenario.name}.json`), JSON.stringify(rep, null, 2) + "\n");
    await writeFile(join(out, `${scenario.name}.md`), reportMarkdown(rep));
    process.stdout.write(`${scenario.name}: ${rep.pass ? "pass" : "FAIL"} ${rep.levels.map((l) => `${l.level}:${l.status}`).join(" ")}${rep.kneeSearch ? ` knee:${rep.kneeSearch.verdict}` : ""}\n`);
  }
  await writeValidationMd();
  process.stdout.write("wrote VALIDATION.md\n");
  return ac.signal.aborted ? 130 : 0;
}

main().then((c) => process.exit(c), (e) => { process.stderr.write(`validate suite: ${e instanceof Error ? e.message : e}\n`); process.exit(1); });
