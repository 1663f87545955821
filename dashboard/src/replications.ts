// A run made replication by replication, for paired comparisons (ab-compare.ts): the run's result,
// which is what simulate() returns for the same options (combineReplications), and beside it each
// replication's own result (one replication alone, without its time series).
import { combineReplications, simulateReplication, type ReplicationResult, type Scenario, type SimResult, type SimulateOptions } from "../../simulator/index.ts";

type Options = Omit<SimulateOptions, "onProgress" | "hops">;

export function runByReplication(scenario: Scenario, o: Options, onReplication?: (done: number, of: number) => void): { result: SimResult; replications: SimResult[] } {
  const n = o.replications ?? scenario.simulation.replications;
  const reps: ReplicationResult[] = [];
  for (let r = 0; r < n; r++) {
    reps.push(simulateReplication(scenario, o, r));
    onReplication?.(r + 1, n);
  }
  return {
    result: combineReplications(scenario, o, reps),
    replications: reps.map((rep) => ({ ...combineReplications(scenario, { ...o, replications: 1 }, [rep]), series: null })),
  };
}
