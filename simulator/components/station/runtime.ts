// The stations' routing over one replication: when a station's server finishes a visit (OP_VISIT,
// in the kernel's serviceDone), where the task goes next: another station's resource (it queues
// there, drawing that station's service time) or on along its flow. Per resource, so the kernel
// asks with the resource it holds; a resource that is no station's (a balancer's TLS CPUs, also
// visited with OP_VISIT) has no routing. One random stream per station, named as before the move
// (`resource:<name>:routing`). The method takes and returns numbers and allocates nothing.
import type { Rng } from "../../engine/rng.ts";
import type { RuntimeContext } from "../kind.ts";
import type { StationSpec } from "./compile.ts";

const NO_ROUTES = new Float64Array(0);
const NO_TARGETS = new Int32Array(0);

export class StationRuntime {
  /** Per resource: routing's cumulative probabilities and targets (empty: none), and its stream. */
  private readonly cum: Float64Array[];
  private readonly to: Int32Array[];
  private readonly edges: Int32Array[];
  /** The edge (engine/edge-plan.ts) the last route() to another station crosses. */
  routed = -1;
  private readonly rng: Array<Rng | null>;

  constructor(specs: readonly StationSpec[], ctx: RuntimeContext) {
    const nR = ctx.kernel.busy.length;
    // Packed arrays (Array.from, not new Array(n)): no hole checks on the per-visit read.
    this.cum = Array.from({ length: nR }, () => NO_ROUTES);
    this.to = Array.from({ length: nR }, () => NO_TARGETS);
    this.edges = Array.from({ length: nR }, () => NO_TARGETS);
    this.rng = Array.from({ length: nR }, (): Rng | null => null);
    for (const st of specs) {
      if (st.routeCum.length === 0) continue;
      this.cum[st.resource] = st.routeCum;
      this.to[st.resource] = st.routeTo;
      this.edges[st.resource] = st.routeEdge;
      this.rng[st.resource] = ctx.stream(`resource:${ctx.componentNames[st.component]}:routing`);
    }
  }

  /** After a visit to resource r: the resource the task visits next (the edge it crosses in `routed`), or -1 to go on with its flow. */
  route(r: number): number {
    const cum = this.cum[r];
    if (cum.length === 0) return -1;
    const u = this.rng[r]!.next();
    let k = 0;
    while (u >= cum[k]) k++;
    this.routed = this.edges[r][k];
    return this.to[r][k];
  }
}
