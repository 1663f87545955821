// Two simulation workers for one long run (issue 21 item 9: runs simulated and charted sooner). The
// page's worker runs the first half of the replications (replication 0 streamed to the charts) and
// asks a second worker, over a MessagePort it hands to it through the page (sim-client.ts), for the
// rest; their raw statistics come back by structured clone, get their histograms' prototype
// back (reviveReplication, as the CLI's threads do) and are combined in replication order, so the
// result is the bytes of a run made in one worker (helper.test.ts checks it). Each replication
// draws from its own random streams: where it runs changes nothing.
import { parseScenario, formatErrors, reviveReplication, type ReplicationResult, type Scenario } from "../../simulator/index.ts";
import type { RunOptions } from "./protocol.ts";
import { seriesReplication } from "./replications.ts";

type SeriesOptions = Omit<RunOptions, "byReplication" | "bands" | "budget" | "check">;

/** What the asking worker sends on the port, and what comes back. */
type Ask = { readonly text: string; readonly options: SeriesOptions; readonly from: number; readonly to: number };
type Answer = { readonly reps: ReplicationResult[] } | { readonly error: string };

/**
 * A helper from this many expected events (and two replications): below, starting a second worker
 * costs more than it saves. The default scenario (360k events, five replications of 0.05-0.2 s)
 * drew its finished chart later with one than without (4 Dec 20:42, load 3-5, headline medians
 * 0.91 and 0.86 s against 0.81 and 0.79 s): the helper's start (compiling the 563 kB bundle) took
 * the cores the page and the first worker were starting on. The CLI's threads start from the same
 * size (cli/parallel-simulate.ts, EVENTS_PER_THREAD, a second or so of simulation).
 */
export const HELPER_MIN_EVENTS = 2_000_000;

export const wantsHelper = (replications: number, events: number): boolean => replications >= 2 && events >= HELPER_MIN_EVENTS;

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
