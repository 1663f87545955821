// Each bandwidth link's bytes per second and busy share, predicted against measured (issue 19:
// "bytes/s within 3%"). Measured: the link relay's own counters over the judged window
// (validation/measure.ts, Measured.links): the bodies of the messages that entered the link (the
// sizes the model counts; their HTTP heads apart) and the seconds it had a transfer in flight.
// Predicted: the model's link (components.<name>.link) scaled by the requests the generator really
// completed over the model's, as bytes-rows.ts and compare.ts's throughput rows do, so the window's
// count of arrivals is taken out.
// What is left is the draws: the window's N messages on the link are a mixture of sizes (a blob's
// response, a ping's empty one), so their sum carries a relative standard error of
// sd(x) / (mean(x) sqrt(N)), sd and mean of one message's body from the relay's own sums; the
// model's side has the same over its own messages (its replications' windows: about N R / ratio of
// them, R replications of the same window). The 3% target is widened to 3 standard errors of the
// difference where that is wider, and the widened band is in the row. Taking every message as a
// draw of one mixture is on the wide side: an empty request beside each answer on the same link is
// not random, and counting it so widens the error by up to sqrt((cv^2 + 1) / cv^2) for sizes of
// coefficient of variation cv (sqrt 2 at cv 1; link-rows.test.ts). Never narrower, for a request
// with one sized message on the link.
// The busy share of a processor-sharing link is its offered bytes over its capacity, so it has the
// same relative noise; the relay also sends the heads (the model does not count them) and holds
// the link past a transfer's moment when it releases it late (a busy machine), so its band adds the
// heads' share of the bytes measured and the late seconds' share of the predicted busy time (both
// measured in the window) to the wider of 3% and the 3 standard errors. A link the relay did not
// report is shown, unjudged.
import type { SimResult } from "../simulator/index.ts";
import { row, TARGETS, widened, type Row } from "./compare.ts";
import type { LinkWindow, Measured } from "./measure.ts";

/** Relative standard error of the difference between the window's bytes and the model's mean. */
export function linkRelSe(w: Pick<LinkWindow, "messages" | "bodyBytes" | "bodySquares">, modelMessages: number): number {
  const n = w.messages;
  if (!(n > 1) || !(w.bodyBytes > 0)) return 0;
  const mean = w.bodyBytes / n;
  const sd = Math.sqrt(Math.max(0, w.bodySquares / n - mean * mean));
  return (sd / mean) * Math.sqrt(1 / n + (modelMessages > 0 ? 1 / modelMessages : 0));
}

/**
 * Rows `linkBytesPerSecond` and `linkUtilization` of every component with a link in the model,
 * when the measurement has the relay's figures (the reference app's run); [] otherwise.
 */
export function linkRows(sim: SimResult, measured: Pick<Measured, "links" | "classes">, applies: boolean): Row[] {
  if (!measured.links) return [];
  const modelTp = Object.values(sim.classes).reduce((s, c) => s + c.throughput.mean, 0);
  const measuredTp = Object.values(measured.classes).reduce((s, c) => s + (c?.throughput ?? 0), 0);
  const ratio = modelTp > 0 && measuredTp > 0 ? measuredTp / modelTp : 1;
  const modelWindow = (sim.run.durationS - sim.run.warmupS) * sim.run.replications;
  const rows: Row[] = [];
  for (const [name, c] of Object.entries(sim.components)) {
    const link = (c as { link?: { utilization: { mean: number }; throughputBitsPerSecond: { mean: number } } }).link;
    if (!link) continue;
    const bytes = (link.throughputBitsPerSecond.mean / 8) * ratio;
    const busy = link.utilization.mean * ratio;
    const w = measured.links[name];
    if (!w || !(w.seconds > 0)) {
      const note = "not measured (the link relay gave no figures for it)";
      rows.push({ ...row(name, "linkBytesPerSecond", bytes, null, "relative", false), note }, { ...row(name, "linkUtilization", busy, null, "relative", false), note });
      continue;
    }
    const relSe = linkRelSe(w, (w.messages * modelWindow) / w.seconds / ratio);
    const heads = w.bodyBytes > 0 ? w.headBytes / w.bodyBytes : 0;
    const late = busy > 0 ? Math.max(0, w.lateSeconds) / w.seconds / busy : 0;
    // head-of-line on the app's side: what the model has no term for, said beside the row
    const hol = w.behind > 0 ? { note: `${w.behind} of ${w.messages} messages waited behind their own connection's earlier one, ${((1000 * w.behindSeconds) / w.behind).toFixed(2)} ms on average` } : {};
    rows.push(
      { ...widened(row(name, "linkBytesPerSecond", bytes, w.bodyBytes / w.seconds, "relative", applies), 3 * relSe), ...hol },
      // the heads and the late releases are biases on one side, not noise: added to the band, whichever it is
      widened(row(name, "linkUtilization", busy, w.busySeconds / w.seconds, "relative", applies), Math.max(TARGETS.linkUtilization!.tol, 3 * relSe) + heads + late),
    );
  }
  return rows;
}
