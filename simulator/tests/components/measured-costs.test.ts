// Costs a real system adds that the reference app does not inject: a service's per-request
// `overhead` inside the slot, and a queue's broker `confirm` that a publisher waits for. With
// constant times and one slot at light load, each adds exactly its value to the latency, the
// overhead also to the slot's busy time (utilization = rate x time held) and the confirm to the
// publisher's; the analytic solver agrees.
import { describe, expect, it } from "vitest";
import { simulate } from "../../index.ts";
import { solveAnalytic } from "../../analytic/index.ts";
import { scenarioOf } from "../helpers.ts";

const scenario = (extra: { overhead?: string; confirm?: string }) => scenarioOf(`
version: 1
name: costs
seed: 5
simulation: { duration: 400s, warmup: 20s, replications: 3 }
load:
  model: open
  rate: 2/s
  classes:
    order: { flow: [{ call: api }] }
components:
  api:
    kind: service
    concurrency: 1
    ${extra.overhead ? `overhead: ${extra.overhead}` : ""}
    handlers:
      order: [{ service: 10ms }, { publish: orders }]
  orders:
    kind: queue
    service: 1ms
    ${extra.confirm ? `confirm: ${extra.confirm}` : ""}
`);

describe("measured per-request costs", () => {
  const base = simulate(scenario({}));
  const both = simulate(scenario({ overhead: "2ms", confirm: "3ms" }));
  it("add their times to the latency (light load: queueing under 1% of it)", () => {
    const d = both.classes.order.latencyMs.mean.mean - base.classes.order.latencyMs.mean.mean;
    expect(d).toBeGreaterThan(4.9);
    expect(d).toBeLessThan(5.2); // 5 ms plus the extra queueing they cause at 2/s x 15 ms
  });
  it("hold the slot: utilization is rate x 15 ms", () => {
    expect(both.components.api.utilization!.mean).toBeCloseTo(2 * 0.015, 2);
    expect(base.components.api.utilization!.mean).toBeCloseTo(2 * 0.01, 2);
  });
  it("the analytic solver adds them too", () => {
    const a = solveAnalytic(scenario({ overhead: "2ms", confirm: "3ms" }));
    const b = solveAnalytic(scenario({}));
    expect(a.classes.order.latencyMs.mean - b.classes.order.latencyMs.mean).toBeGreaterThan(4.9);
    expect(a.classes.order.latencyMs.mean - b.classes.order.latencyMs.mean).toBeLessThan(5.2);
  });
});
