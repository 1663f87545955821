// The cheapest plan, as `headroom plan` finds it, for a scenario with `plan:` bounds: the load to
// plan for (the scenario's own peak by default), then on demand the planner in the worker
// (plan-run.ts): the chosen size of every knob within its bounds, its cost and simulated verdict,
// and the planner's explanation (configurations tried, cheaper ones rejected and why, runner-ups).
// The plan belongs to the text and load it was made for: an edit makes it stale, not wrong.
import { useState } from "react";
import type { Scenario } from "../../simulator/index.ts";
import { nominalLoad } from "../../simulator/analytic/index.ts";
import type { PlanResult } from "../../planning/planner.ts";
import type { Job, SimClient } from "./sim-client.ts";
import { num } from "./format.ts";

interface Props {
  readonly scenario: Scenario | null;
  readonly text: string;
  readonly client: SimClient;
}

const costText = (p: PlanResult, c: number) => (p.costBasis === "instances" ? `${num(c)} billed instance${c === 1 ? "" : "s"} (no prices: the cost counts billed instances)` : `${num(c)}/h in the scenario's price units (${num(c * 730)}/month)`);

export function PlanCard({ scenario, text, client }: Props) {
  const [load, setLoad] = useState<string>("");
  const [made, setMade] = useState<{ plan: PlanResult; text: string; elapsedMs: number } | null>(null);
  const [job, setJob] = useState<Job<unknown> | null>(null);
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  if (!scenario?.plan || Object.keys(scenario.plan).length === 0) return null;
  const unit = scenario.load.model === "open" ? "req/s" : "users";
  const fallback = nominalLoad(scenario);
  const value = load === "" ? fallback : Number(load);
  const validLoad = Number.isFinite(value) && value > 0;

  const start = async () => {
    if (!validLoad) return;
    setError(null);
    setProgress(0);
    const j = client.plan(text, value, setProgress);
    setJob(j);
    try {
      const r = await j.done;
      setMade({ plan: r.plan, text, elapsedMs: r.elapsedMs });
    } catch (e) {
      if ((e as { kind?: string }).kind !== "cancelled") setError((e as Error).message);
    } finally {
      setJob(null);
    }
  };

  const p = made?.plan;
  const stale = made !== null && made.text !== text;
  return (
    <section className="card" data-testid="plan-card">
      <header className="card-head">
        <div>
          <h3>Cheapest plan</h3>
          <div className="card-unit">as headroom plan: every combination of the plan: bounds screened analytically, the cheapest near-passing ones simulated ({"3 × ≤60 s, at most 12"}) until one meets the SLO</div>
        </div>
        <div className="card-tools">
          <label className="muted">load <input className="plan-load" type="number" min={0} step="any" value={load} placeholder={num(fallback)} onChange={(e) => setLoad(e.target.value)} data-testid="plan-load" aria-label={`load to plan for (${unit})`} /> {unit}</label>
          {job ? (
            <button className="btn danger" onClick={() => job.cancel()}>Cancel {(progress * 100).toFixed(0)}%</button>
          ) : (
            <button className="btn-ghost" onClick={() => void start()} disabled={!validLoad} data-testid="plan-find" title="Run the planner in the worker (up to 12 simulations)">Find the cheapest plan</button>
          )}
        </div>
      </header>
      {error && <div className="banner bad pre">{error}</div>}
      {stale && <div className="banner info">This plan was made for an earlier version of the scenario. Find it again to update it.</div>}
      {p ? (
        <div className="pad" data-testid="plan-result">
          <table className="grid">
            <thead><tr><th>knob</th><th className="r">bounds</th><th className="r">chosen</th></tr></thead>
            <tbody>
              {p.knobs.map((k) => (
                <tr key={k.key}><td className="mono">{k.key}</td><td className="r">{num(k.min)} – {num(k.max)}</td><td className="r" data-testid={`plan-chosen-${k.key}`}>{p.chosen ? num(p.chosen.assignment[k.key]) : "–"}</td></tr>
              ))}
            </tbody>
          </table>
          <p className={p.chosen ? "ok" : "bad"} data-testid="plan-verdict">
            {p.chosen ? `At ${num(p.load)} ${p.unit}: cost ${costText(p, p.chosen.cost)}` : `No configuration within the bounds meets the SLO at ${num(p.load)} ${p.unit}`}
            <span className="muted"> · {p.combinations} configurations, {p.simulated} simulated in {(made!.elapsedMs / 1000).toFixed(1)} s</span>
          </p>
          <ul className="plan-why">{p.explanation.map((line, i) => <li key={i}>{line}</li>)}</ul>
        </div>
      ) : !error && <div className="muted pad">The scenario has plan: bounds ({Object.keys(scenario.plan).join(", ")}): find the cheapest sizes within them that meet its SLO at a load.</div>}
    </section>
  );
}
