// Headroom in the headline: the highest sustainable rate at the SLO, found by the capacity sweep
// (the capacity tab's, the rule of `headroom capacity`: every SLO limit met, no queue over 97% busy)
// and set against the scenario's own peak rate. On demand (a sweep is 15 runs of the scenario), and
// only for the text it was swept from.
import { peakRate, type Scenario, type SimResult } from "../../simulator/index.ts";
import { knee, kneeBracket } from "./sweep.ts";
import type { CapacitySweep } from "./Capacity.tsx";
import { num, pct } from "./format.ts";

interface Props {
  readonly result: SimResult;
  readonly scenario: Scenario | null;
  readonly text: string;
  readonly sweep: CapacitySweep;
  /** Opens the capacity tab (the curve behind the figure). */
  readonly onShow: () => void;
}

export function HeadroomStat({ result, scenario, text, sweep, onShow }: Props) {
  if (!scenario || scenario.name !== result.scenario.name) return null;
  const peak = peakRate(scenario);
  if (peak === undefined) return null; // a closed load has no arrival rate to sweep
  const fresh = sweep.text === text && sweep.rows.length > 0;
  const k = fresh ? knee(sweep.rows) : undefined;
  const bracket = fresh ? kneeBracket(sweep.rows) : undefined;
  let value: React.ReactNode;
  let sub: React.ReactNode;
  if (sweep.job) {
    value = `${(sweep.progress * 100).toFixed(0)}%`;
    sub = "sweeping rates for the knee…";
  } else if (k !== undefined) {
    value = `${num(k)} req/s`;
    sub = k >= peak ? `+${pct(k / peak - 1)} over the scenario's ${num(peak)} req/s` : `the scenario's ${num(peak)} req/s is ${pct(1 - k / peak)} past it`;
  } else if (fresh && bracket) {
    value = bracket.above !== undefined ? `< ${num(bracket.above)} req/s` : `> ${num(bracket.below ?? 0)} req/s`;
    sub = "outside the swept rates";
  } else {
    value = "?";
    sub = sweep.error ?? "the highest rate within the SLO, as headroom capacity (15 runs)";
  }
  const ok = k !== undefined ? k >= peak : undefined;
  return (
    <div className={`stat ${ok === undefined ? "" : ok ? "ok" : "bad"}`} data-testid="headroom">
      <div className="stat-label">Headroom (sustainable rate)</div>
      <div className="stat-value" data-testid="headroom-value">{value}</div>
      <div className="stat-sub">
        {sub}{" "}
        {!sweep.job && !fresh && <button className="btn-ghost" onClick={sweep.start} data-testid="headroom-find" title="Sweep 12 rates and bisect the knee, as the capacity tab">Find</button>}
        {fresh && !sweep.job && <button className="btn-ghost" onClick={onShow} title="The capacity curve behind this figure">curve</button>}
      </div>
    </div>
  );
}
