// Two simulation workers for one run (issue 21 item 9: the default scenario simulated and charted
// within 1.5 s). The page's worker runs the first half of the replications (replication 0 streamed
// to the charts) and asks a second worker, over a MessagePort the page set up (sim-client.ts), for
// the rest; their raw statistics come back by structured clone, get their histograms' prototype
// back (reviveReplication, as the CLI's threads do) and are combined in replication order, so the
// result is the bytes of a run made in one worker (replications.test.ts checks it). Each replication
// draws from its own random streams: where it runs changes nothing.
import { parseScenario, formatErrors, reviveReplication, type ReplicationResult, type Scenario } from "../../simulator/index.ts";
import type { RunOptions } from "./protocol.ts";
import { seriesReplication } from "./replications.ts";

type SeriesOptions = Omit<RunOptions, "byReplication" | "bands" | "budget" | "check">;

/** What the asking worker sends on the port, and what comes back. */
type Ask = { readonly text: string; readonly options: SeriesOptions; readonly from: number; readonly to: number };
type Answer = { readonly reps: ReplicationResult[] } | { readonly error: string };

/** How many of a run's `n` replications the asking worker keeps: the first half, rounded up
 * (it also streams replication 0's intervals, and the helper starts its bundle at the same time). */
export const keptHere = (n: number): number => Math.ceil(n / 2);

/** In the asking worker: replications from..to-1 asked of the helper at once; their results later. */
export function askHelper(port: MessagePort, text: string, options: SeriesOptions, from: number, to: number): Promise<ReplicationResult[]> {
  return new Promise((resolve, reject) => {
    port.onmessage = (ev: MessageEvent<Answer>) => {
      port.close();
      const a = ev.data;
      if ("error" in a) reject(new Error(`the helper worker failed: ${a.error}`));
      else resolve(a.reps.map(reviveReplication));
    };
    port.postMessage({ text, options, from, to } satisfies Ask);
  });
}

/** In the helper worker: answer the one ask that comes on `port`. */
export function serveHelper(port: MessagePort, parsed: (text: string) => Scenario | string): void {
  port.onmessage = (ev: MessageEvent<Ask>) => {
    const { text, options, from, to } = ev.data;
    let answer: Answer;
    try {
      const scenario = parsed(text);
      if (typeof scenario === "string") throw new Error(scenario);
      const reps: ReplicationResult[] = [];
      for (let r = from; r < to; r++) reps.push(seriesReplication(scenario, options, r));
      answer = { reps };
    } catch (err) {
      answer = { error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
    port.close();
  };
}

/** The helper's parse, for serveHelper: the scenario or the parser's message. */
export function parseForHelper(text: string): Scenario | string {
  const outcome = parseScenario(text, "scenario.yaml");
  return outcome.ok ? outcome.scenario : formatErrors(outcome.errors);
}
