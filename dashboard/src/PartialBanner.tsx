// The banner over a live run's charts (recharts' LiveCharts or the first, hand-drawn ones): how
// far replication 1 has got, and that the result is partial.
import type { Partial } from "./sim-client.ts";
import { num } from "./format.ts";

export function PartialBanner({ partial, progress }: { partial: Partial; progress: number }) {
  const upTo = partial.series.t.at(-1) ?? 0;
  return (
    <div className="banner info" data-testid="partial-banner">
      <strong>Partial result:</strong>{" "}
      {upTo >= partial.durationS - 1e-9 && partial.replications > 1
        ? <>replication 1 of {partial.replications} simulated ({num(partial.durationS)} s); the other {partial.replications - 1} are running ({(progress * 100).toFixed(0)}% of the run).</>
        : <>replication 1{partial.replications > 1 ? ` of ${partial.replications}` : ""} simulated up to {num(upTo)} s of {num(partial.durationS)} s ({(progress * 100).toFixed(0)}% of the run).</>}
      {partial.inProgress && <> The hollow dot is the interval in progress, so far.</>}
      {" "}Tables, 95% bands and the other charts come when the run ends.
    </div>
  );
}
