// The broker confirm falls with the publish rate, as a queue's confirm_wake says (the fit of
// 4 Dec 14:07 UTC by bench/confirm-rate.ts, cost 1.6 ms, idle 34 ms; not in partitioned-queue.yaml,
// where it did not improve the calibrated validation: docs/validation.md):
// the real RabbitMQ, published to as the reference app does (bench/confirm-load.ts: the app's
// Publisher, persistent messages on 4 durable partition queues, consumers in another process), at
// open Poisson 15/s and then 120/s for 10 s each. The measured mean confirm at 15/s less the one at
// 120/s must (1) be above 0 by more than 3 standard errors (the rate dependence is real) and (2)
// match what that confirm_wake predicts, cost / (1 + 15/s x idle) - cost / (1 + 120/s x idle),
// within 3 standard errors of the measured difference (each pass's sample variance; nothing left
// out). Needs RabbitMQ on AMQP_URL (or guest on 127.0.0.1:5672); about 25 s. In test:app-unproven:
// the wake-up is the machine's (sleeping vCPUs, RabbitMQ's `+sbwt none`), and so far it was
// measured on one 2-core VM only.
import { describe, expect, it } from "vitest";
import { publishAtRates, type ConfirmSample } from "./bench/confirm-load.ts";
import { wakeMoments } from "../simulator/analytic/index.ts";

const URL_ = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
/** confirm_wake in seconds, as the model reads it. */
const WAKE = { cost: 0.0016, idle: 0.034 };
const LOW = 15;
const HIGH = 120;

const stats = (xs: readonly ConfirmSample[]) => {
  const n = xs.length;
  const m = xs.reduce((a, s) => a + s.ms, 0) / n;
  const v = xs.reduce((a, s) => a + (s.ms - m) ** 2, 0) / (n - 1);
  return { n, mean: m, varOfMean: v / n };
};

describe("broker confirm against the publish rate (real RabbitMQ)", () => {
  it("is shorter at 120/s than at 15/s by what confirm_wake predicts", async () => {
    const run = await publishAtRates({ url: URL_, rates: [LOW, HIGH], seconds: 10 });
    const low = stats(run.samples.filter((s) => s.pass === 0));
    const high = stats(run.samples.filter((s) => s.pass === 1));
    const diff = low.mean - high.mean;
    const se = Math.sqrt(low.varOfMean + high.varOfMean);
    const predicted = (wakeMoments(WAKE, LOW).mean - wakeMoments(WAKE, HIGH).mean) * 1000;
    const say = `measured ${low.mean.toFixed(3)} ms at ${LOW}/s (n ${low.n}), ${high.mean.toFixed(3)} at ${HIGH}/s (n ${high.n}): ` +
      `difference ${diff.toFixed(3)} ± ${(3 * se).toFixed(3)} ms (3 se), predicted ${predicted.toFixed(3)} ms`;
    console.log(say);
    expect(diff, say).toBeGreaterThan(3 * se);
    expect(Math.abs(diff - predicted), say).toBeLessThan(3 * se);
  });
});
