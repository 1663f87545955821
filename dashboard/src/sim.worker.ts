// The simulation worker: runs the synchronous simulator off the page's thread and reports progress
// at most every 50 ms. Cancelling is done by the page terminating this worker, which stops a run
// mid-replication at once (a message could not be read until the synchronous run returned).
import { parseScenario, simulate, formatErrors, UnsupportedError, withScenarioText, runWindow, expectedEvents, EVENT_BUDGET, type ReplicationResult, type Scenario } from "../../simulator/index.ts";
import type { FromWorker, SweepPoint, ToWorker } from "./protocol.ts";
import { atRate } from "./sweep.ts";
import { combineSeries, runByReplication, runSeriesReplications } from "./replications.ts";
import { askHelper, keptHere, parseForHelper, serveHelper, wantsHelper } from "./helper.ts";
import { planHere } from "./plan-run.ts";
import { check } from "./validate.ts";

/** How often the interval in progress is posted while replication 0 runs (the first as soon as it
 * has a completed request, for a first point within a second on one-million-users, whose 10 s
 * intervals take 0.3-0.5 s of wall time each). Not more often: on one-million-users each redraw
 * of the live charts took 0.2-0.4 s of the page's thread (recharts, load 4-9), so posting every
 * 150 ms kept that thread busy. */
const PEEK_EVERY_MS = 500;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

function progressReporter(id: number, scale = 1, offset = 0): (f: number) => void {
  let last = 0;
  return (f) => {
    const now = performance.now();
    if (now - last < 50) return;
    last = now;
    post({ type: "progress", id, fraction: offset + f * scale });
  };
}

// The last text parsed and its scenario: "run it anyway" after a too-big answer sends the same text
// again, and one-million-users' parse is 0.1-0.3 s of the wait for its first point. A scenario is
// read-only data (compile() builds the program beside it), so reusing it runs the same model.
let lastParsed: { readonly text: string; readonly scenario: Scenario } | null = null;

function parse(id: number, text: string): Scenario | undefined {
  if (lastParsed?.text === text) return lastParsed.scenario;
  const outcome = parseScenario(text, "scenario.yaml");
  if (outcome.ok) {
    lastParsed = { text, scenario: outcome.scenario };
    return outcome.scenario;
  }
  post({ type: "failed", id, kind: "invalid", message: formatErrors(outcome.errors) });
  return undefined;
}

function fail(id: number, err: unknown): void {
  if (err instanceof UnsupportedError) post({ type: "failed", id, kind: "unsupported", message: err.message });
  else post({ type: "failed", id, kind: "internal", message: err instanceof Error ? err.message : String(err) });
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  const t0 = performance.now();
  if (msg.type === "helper") {
    // this worker makes the later replications of a run another worker asks for (helper.ts)
    serveHelper(msg.port, (text) => {
      if (lastParsed?.text === text) return lastParsed.scenario;
      const s = parseForHelper(text);
      if (typeof s !== "string") lastParsed = { text, scenario: s };
      return s;
    });
    return;
  }
  try {
    // Inside the try: a parser that throws on some text is a failed run, not a dead worker.
    // options.check: one parse answers the page's check and starts the run
    const checked = msg.type === "run" && msg.options.check ? check(msg.text) : undefined;
    if (checked) post({ type: "checked", id: msg.id, checked });
    if (checked?.scenario) lastParsed = { text: msg.text, scenario: checked.scenario };
    const scenario = checked?.scenario ?? parse(msg.id, msg.text);
    if (!scenario) return;
    if (msg.type === "run" && msg.options.budget) {
      const events = expectedEvents(scenario);
      if (events > EVENT_BUDGET) return post({ type: "too-big", id: msg.id, events, budget: EVENT_BUDGET });
    }
    if (msg.type === "plan") {
      // the planner's pool answers synchronously, so the plan is done when its promise settles
      const report = progressReporter(msg.id);
      planHere(scenario, msg.load, (done, of) => report(Math.min(1, done / of)))
        .then((plan) => post({ type: "planned", id: msg.id, plan, elapsedMs: performance.now() - t0 }), (err) => fail(msg.id, err));
    } else if (msg.type === "run" && msg.options.byReplication) {
      const { byReplication: _, hops: __, budget: ___, check: ____, ...options } = msg.options;
      const report = progressReporter(msg.id);
      const run = runByReplication(scenario, options, (done, of) => report(done / of));
      post({ type: "done", id: msg.id, result: withScenarioText(run.result, msg.text), replications: run.replications, elapsedMs: performance.now() - t0 });
    } else if (msg.type === "run" && msg.options.bands) {
      const { bands: _, byReplication: __, budget: ___, check: ____, ...options } = msg.options;
      const w = runWindow(scenario, options);
      // a long run on two cores or more: the helper worker makes the later half of the
      // replications meanwhile, asked (through the page, which starts it) before this worker starts
      // on its own half
      const helped = msg.helper === true && wantsHelper(w.replications, expectedEvents(scenario, options));
      const kept = helped ? keptHere(w.replications) : w.replications;
      let rest: Promise<ReplicationResult[]> = Promise.resolve([]);
      if (helped) {
        const channel = new MessageChannel();
        (self as unknown as Worker).postMessage({ type: "helper", id: msg.id, port: channel.port2 } satisfies FromWorker, [channel.port2]);
        rest = askHelper(channel.port1, msg.text, options, kept, w.replications);
      }
      const here = runSeriesReplications(scenario, options, {
        onProgress: progressReporter(msg.id),
        onPartial: (series, inProgress) => post({ type: "partial", id: msg.id, series, inProgress, durationS: w.duration, warmupS: w.warmup, replications: w.replications }),
        peekEveryMs: PEEK_EVERY_MS,
        now: () => performance.now(),
      }, kept);
      rest.then((others) => {
        const run = combineSeries(scenario, options, [...here, ...others]);
        post({ type: "done", id: msg.id, result: withScenarioText(run.result, msg.text), replicationSeries: run.replicationSeries, elapsedMs: performance.now() - t0 });
      }).catch((err: unknown) => fail(msg.id, err));
    } else if (msg.type === "run") {
      // the editor's text goes into the result, so an exported JSON reopens with its own model
      const { budget: _, check: __, ...options } = msg.options;
      const result = withScenarioText(simulate(scenario, { ...options, onProgress: progressReporter(msg.id) }), msg.text);
      post({ type: "done", id: msg.id, result, elapsedMs: performance.now() - t0 });
    } else {
      const points: SweepPoint[] = [];
      msg.rates.forEach((rate, i) => {
        const result = simulate(atRate(scenario, rate), { ...msg.options, onProgress: progressReporter(msg.id, 1 / msg.rates.length, i / msg.rates.length) });
        points.push({ rate, result: { ...result, series: null } });
      });
      post({ type: "swept", id: msg.id, points, elapsedMs: performance.now() - t0 });
    }
  } catch (err) {
    fail(msg.id, err);
  }
};
