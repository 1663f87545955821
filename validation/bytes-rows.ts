// Bytes per second through the entry balancer, predicted against measured (issue 19: "bytes/s within
// 3%"). Measured: HAProxy's byte counters over the window (validation/measure.ts); predicted: the
// model's `bytes` of that balancer, scaled by the requests the generator really completed over the
// model's (as compare.ts's throughput rows), so the Poisson count's noise is taken out.
// What is left is the draws: each request's request and response sizes (and its class, for a mix)
// are random on both sides, so a window of N requests carries a relative standard error of
// sd(X) / (mean(X) sqrt(N)) for X the bytes of one request; HTTP heads (start line and headers, at
// most HEAD_BYTES a message) are counted by HAProxy and not by the model. The model's side has the
// same noise over its own requests (its replications' windows), so the 3% target is widened to 3
// standard errors of the difference, sqrt(1/N_measured + 1/N_model) sd(X) / mean(X), + the heads'
// share where that is wider, and the widened band is in the row (a 20 s window of 50 KB blobs of
// cv 1 at 40/s has 3.5% of sampling error alone: a 3% band would judge the draws, not the model).
import type { Scenario, SimResult } from "../simulator/index.ts";
import { classPayload, meanOf, scvOf } from "../simulator/model/index.ts";
import type { Dist } from "../simulator/model/index.ts";
import { row, widened, type Row } from "./compare.ts";
import type { Measured } from "./measure.ts";

/** An HTTP/1.1 request or response head here is at most this long (validation/payload-bytes.e2e.test.ts). */
export const HEAD_BYTES = 400;

const moments = (d: Dist | undefined): [number, number] => {
  if (!d) return [0, 0];
  const m = meanOf(d);
  return [m, scvOf(d) * m * m];
};

/**
 * Rows `bytesInPerSecond` and `bytesOutPerSecond` of the entry balancer, when the scenario has
 * payloads and the balancer's counters were read; [] otherwise.
 */
export function bytesRows(scenario: Scenario, sim: SimResult, measured: Pick<Measured, "balancerBytes" | "balancerName" | "classes">, applies: boolean): Row[] {
  const lb = measured.balancerName;
  const got = measured.balancerBytes;
  const model = lb !== undefined ? sim.components[lb]?.bytes : undefined;
  if (lb === undefined || !got || !model) return [];
  const modelTp = Object.values(sim.classes).reduce((s, c) => s + c.throughput.mean, 0);
  const measuredTp = Object.values(measured.classes).reduce((s, c) => s + (c?.throughput ?? 0), 0);
  const ratio = modelTp > 0 ? measuredTp / modelTp : 1;
  // one request's bytes through the balancer (its request in and out, its response in and out): a
  // mixture over the classes by the requests measured of each
  let n = 0, sum = 0, sumSq = 0;
  for (const [name, def] of Object.entries(scenario.load.classes)) {
    const k = measured.classes[name]?.requests ?? 0;
    if (k <= 0) continue;
    const p = classPayload(def);
    const [rm, rv] = moments(p.request), [sm, sv] = moments(p.response);
    const mean = rm + sm, variance = rv + sv;
    n += k;
    sum += k * mean;
    sumSq += k * (variance + mean * mean);
  }
  const mu = n > 0 ? sum / n : 0;
  const modelN = Object.values(sim.classes).reduce((s, c) => s + c.counts.arrived, 0);
  const relSe = n > 0 && mu > 0 ? (Math.sqrt(Math.max(0, sumSq / n - mu * mu)) / mu) * Math.sqrt(1 / n + (modelN > 0 ? 1 / modelN : 0)) : 0;
  const heads = mu > 0 ? (2 * HEAD_BYTES) / mu : 0;
  const one = (metric: string, est: { mean: number }, value: number): Row => widened(row(lb, metric, est.mean * ratio, value, "relative", applies), 3 * relSe + heads);
  return [one("bytesInPerSecond", model.inPerSecond, got.inPerSecond), one("bytesOutPerSecond", model.outPerSecond, got.outPerSecond)];
}
