// The bottleneck and what would move it: the proposed one-field change (bottleneck-move.ts), tried
// on demand as a what-if run of the scenario's text with the same seed, then the p95 and the
// component's utilization before and after, and where the bottleneck goes next.
import { useState } from "react";
import type { Scenario, SimResult } from "../../simulator/index.ts";
import type { SimClient, RunFailed } from "./sim-client.ts";
import { applyMove, outcome, proposeMove, type MoveOutcome } from "./bottleneck-move.ts";
import { num, pct } from "./format.ts";

type State = { phase: "idle" } | { phase: "running" } | { phase: "done"; o: MoveOutcome } | { phase: "failed"; message: string };

export function WhyCard({ result, scenario, text, client }: { result: SimResult; scenario: Scenario | null; text: string; client: SimClient }) {
  // The state belongs to the run it was tried on: the model's text and the run's seed and length,
  // which decide the result to the byte. Not the result object: a run of the same text and seed
  // gives a new object with the same numbers, and its results replace the old ones as a transition,
  // so "Try" clicked on the old card in between would otherwise lose its outcome (the full e2e
  // file's "see why" failed that way). Another text or run length shows "not tried yet" again.
  const [tried, setTried] = useState<{ on: string; st: State } | null>(null);
  const key = runKey(result, text);
  const st: State = tried?.on === key ? tried.st : { phase: "idle" };
  const setSt = (s: State) => setTried({ on: key, st: s });
  // only when the editor holds the result's own model: the change is written into that text
  if (!scenario || scenario.name !== result.scenario.name || !result.bottleneck) return null;
  const p = proposeMove(scenario, result);
  if (!p) return null;
  const b = result.components[result.bottleneck];
  const head = `${result.bottleneck} at ${pct(b.utilization.mean)} busy`;
  if ("none" in p) {
    return <div className="card why" data-testid="why"><header className="card-head"><div><h3>What would move the bottleneck</h3><div className="card-unit">{head}</div></div></header><div className="pad muted">{p.none}.</div></div>;
  }
  const m = p.move;
  const tryIt = () => {
    setSt({ phase: "running" });
    const job = client.run(applyMove(text, m), { seed: result.run.seed, replications: result.run.replications, duration: result.run.durationS }, () => {});
    job.done.then(
      ({ result: after }) => setSt({ phase: "done", o: outcome(result, after, m) }),
      (e: RunFailed) => setSt(e.kind === "cancelled" ? { phase: "idle" } : { phase: "failed", message: e.message }),
    );
  };
  return (
    <div className="card why" data-testid="why">
      <header className="card-head"><div><h3>What would move the bottleneck</h3>
        <div className="card-unit">{head} · a what-if run with {m.label} on {m.component} ({m.path.slice(2).join(".")} {m.from} → {m.to}), the same seed and run length</div></div>
        {st.phase !== "running" && <button className="btn-ghost" onClick={tryIt} data-testid="why-try">Try {m.label}</button>}
      </header>
      <div className="pad" data-testid="why-body">
        {st.phase === "idle" && <span className="muted">Not tried yet.</span>}
        {st.phase === "running" && <span className="muted">Simulating {m.label} on {m.component}…</span>}
        {st.phase === "failed" && <span className="bad">The what-if run failed: {st.message}</span>}
        {st.phase === "done" && (
          <span data-testid="why-outcome">
            {m.label} on {m.component}: worst p95 <strong>{num(st.o.p95[0])} → {num(st.o.p95[1])} ms</strong>, {m.component} {pct(st.o.utilization[0])} → {pct(st.o.utilization[1])} busy
            {st.o.sloAfter !== null && <>, SLO {st.o.sloBefore ? "met" : "missed"} → <span className={st.o.sloAfter ? "ok" : "bad"}>{st.o.sloAfter ? "met" : "missed"}</span></>}
            {st.o.nextBottleneck && st.o.nextBottleneck !== m.component ? <>; the bottleneck moves to <strong>{st.o.nextBottleneck}</strong></> : <>; {m.component} stays the bottleneck</>}.
          </span>
        )}
      </div>
    </div>
  );
}

/** What decides a run's result: the scenario's text and the run's seed, replications and window. */
export function runKey(result: SimResult, text: string): string {
  const r = result.run;
  return `${r.seed}/${r.replications}/${r.durationS}/${r.warmupS}\n${text}`;
}
