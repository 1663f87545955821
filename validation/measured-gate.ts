// `headroom check --measure`: the gate's optional real run. Each scenario is started as the
// reference app and driven at its nominal rate for a short window (calibrated first where it has a
// balancer and a service, so the fixed per-hop costs the YAML leaves out do not read as
// disagreement); every row with a target that
// misses becomes a regression finding: the model no longer predicts the system it describes.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Scenario } from "../simulator/index.ts";
import type { Finding } from "../planning/gate.ts";

export interface MeasuredGate {
  findings: Finding[];
  /** a scenario could not be measured (the app did not start, k6 output unreadable) */
  unmeasured: string[];
}

export async function measuredFindings(
  scenarios: ReadonlyArray<{ file: string; scenario: Scenario }>,
  o: { durationS: number; outDir?: string; signal?: AbortSignal; log?: (s: string) => void },
): Promise<MeasuredGate> {
  const { validateScenario } = await import("./run.ts");
  const { nominalRate } = await import("./levels.ts");
  const { calibratable } = await import("./calibrate.ts");
  const { MeasureError } = await import("./measure.ts");
  const dir = o.outDir ?? (await mkdtemp(join(tmpdir(), "headroom-check-measure-")));
  await mkdir(dir, { recursive: true });
  const findings: Finding[] = [];
  const unmeasured: string[] = [];
  try {
    for (const { file, scenario } of scenarios) {
      if (o.signal?.aborted) break;
      let level;
      try {
        const rep = await validateScenario({
          file, scenario, rates: [nominalRate(scenario)], durationS: o.durationS, warmupS: Math.min(5, o.durationS / 4),
          outDir: join(dir, scenario.name), calibrate: calibratable(scenario), signal: o.signal, log: o.log,
        });
        level = rep.levels[0];
        if (o.outDir) {
          const { reportMarkdown } = await import("./report.ts");
          await writeFile(join(dir, `${scenario.name}.json`), JSON.stringify(rep, null, 2) + "\n");
          await writeFile(join(dir, `${scenario.name}.md`), reportMarkdown(rep));
        }
      } catch (e) {
        if (!(e instanceof MeasureError)) throw e; // the calibration's app did not start
        level = { status: "error", error: e.message, rows: [] } as const;
      }
      if (!level || level.status === "error" || level.status === "unreliable") {
        // an unreliable level (the load generator lagged past the bound twice) is never a pass
        const why = level?.status === "unreliable" ? "unreliable: the load generator lagged beyond the bound on both attempts" : (level?.error ?? "interrupted");
        unmeasured.push(`${scenario.name}: ${why}`);
        findings.push({ scenario: scenario.name, metric: "measured", old: null, now: null, change: null, verdict: "regression", message: `${scenario.name}: could not be measured: ${why}` });
        continue;
      }
      const targeted = level.rows.filter((r) => r.target !== null);
      for (const r of targeted.filter((x) => x.verdict === "fail")) {
        const tol = r.errorKind === "relative" ? `${(r.target! * 100).toFixed(0)}%` : String(r.target);
        const e = r.error === null ? "no measurement" : r.errorKind === "relative" ? `${(r.error * 100).toFixed(1)}%` : r.error.toPrecision(3);
        findings.push({
          scenario: scenario.name, metric: `measured.${r.scope}.${r.metric}`, old: r.predicted, now: r.measured, change: r.errorKind === "relative" ? r.error : null, verdict: "regression",
          message: `${scenario.name}: ${r.scope} ${r.metric} predicted ${show(r.predicted)}, measured ${show(r.measured)} at ${level.rate} req/s (error ${e}, target ${tol})`,
        });
      }
      if (!targeted.some((r) => r.verdict === "fail")) {
        findings.push({
          scenario: scenario.name, metric: "measured", old: null, now: null, change: null, verdict: "pass",
          message: targeted.length
            ? `${scenario.name}: measured at ${level.rate} req/s: ${targeted.length} rows within their targets`
            : `${scenario.name}: measured at ${level.rate} req/s, ${(level.predictedUtilization * 100).toFixed(0)}% predicted utilization: above 80%, no target applies`,
        });
      }
    }
  } finally {
    if (!o.outDir) await rm(dir, { recursive: true, force: true });
  }
  return { findings, unmeasured };
}

function show(x: number | null): string {
  return x === null ? "none" : String(Number(x.toPrecision(4)));
}
