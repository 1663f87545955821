// Compiles a scenario's request classes into flat instruction arrays that the event loop steps
// through with a program counter per request: no tree walking and no allocation per request.
// Instructions: END, VISIT(station, service sampler or -1), BRANCH(table), JUMP(pc).
import type { Scenario, Step } from "../model/schema.ts";
import { Sampler } from "./distributions.ts";

export const OP_END = 0, OP_VISIT = 1, OP_BRANCH = 2, OP_JUMP = 3;

export interface StationSpec {
  readonly name: string;
  readonly servers: number;
  /** Waiting places; -1 for unbounded. */
  readonly buffer: number;
  /** Queue timeout in seconds; Infinity for none. */
  readonly timeout: number;
  readonly service: Sampler;
  /** Cumulative routing probabilities and targets (-1 = exit); empty when the station has no routing. */
  readonly routeCum: Float64Array;
  readonly routeTo: Int32Array;
}

export interface Program {
  readonly stations: StationSpec[];
  readonly classNames: string[];
  readonly classCum: Float64Array;
  readonly classEntry: Int32Array;
  readonly op: Int32Array;
  readonly argA: Int32Array;
  readonly argB: Int32Array;
  readonly samplers: Sampler[];
  readonly branchCum: Float64Array[];
  readonly branchPc: Int32Array[];
}

export class UnsupportedError extends Error {}

export function compile(scenario: Scenario): Program {
  const stationIndex = new Map<string, number>();
  const stations: StationSpec[] = [];
  for (const [name, c] of Object.entries(scenario.components)) {
    if (c.kind !== "station") continue;
    stationIndex.set(name, stations.length);
    stations.push(undefined as unknown as StationSpec);
  }
  for (const [name, c] of Object.entries(scenario.components)) {
    if (c.kind !== "station") {
      throw new UnsupportedError(`component '${name}' is a ${c.kind}: this simulator build runs station networks only; ${c.kind} models are specified in docs/scenario-format.md and not implemented yet`);
    }
    const routes = c.routing ?? [];
    const cum = new Float64Array(routes.length);
    const to = new Int32Array(routes.length);
    let acc = 0;
    routes.forEach((r, i) => {
      acc += r.p;
      cum[i] = acc;
      to[i] = r.to === "exit" ? -1 : stationIndex.get(r.to)!;
    });
    if (routes.length > 0) cum[routes.length - 1] = Infinity; // rounding never falls off the end
    stations[stationIndex.get(name)!] = {
      name,
      servers: c.servers,
      buffer: c.buffer ?? -1,
      timeout: c.queue_timeout ?? Infinity,
      service: new Sampler(c.service),
      routeCum: cum,
      routeTo: to,
    };
  }

  const op: number[] = [], argA: number[] = [], argB: number[] = [];
  const samplers: Sampler[] = [];
  const branchCum: Float64Array[] = [], branchPc: Int32Array[] = [];
  const emit = (o: number, a = 0, b = 0) => {
    op.push(o); argA.push(a); argB.push(b);
    return op.length - 1;
  };
  const emitFlow = (flow: ReadonlyArray<Step>) => {
    for (const step of flow) {
      if ("visit" in step) {
        let s = -1;
        if (step.service) { s = samplers.length; samplers.push(new Sampler(step.service)); }
        emit(OP_VISIT, stationIndex.get(step.visit)!, s);
      } else if ("branch" in step) {
        const table = branchCum.length;
        const cum = new Float64Array(step.branch.length);
        const pcs = new Int32Array(step.branch.length);
        branchCum.push(cum); branchPc.push(pcs);
        emit(OP_BRANCH, table);
        const jumps: number[] = [];
        let acc = 0;
        step.branch.forEach((b, i) => {
          acc += b.p;
          cum[i] = i === step.branch.length - 1 ? Infinity : acc;
          pcs[i] = op.length;
          emitFlow(b.flow);
          jumps.push(emit(OP_JUMP, -1));
        });
        for (const j of jumps) argA[j] = op.length;
      } else {
        const key = Object.keys(step)[0];
        throw new UnsupportedError(`flow step '${key}' needs the component models (not implemented yet); this build runs visit and branch steps`);
      }
    }
  };

  const classNames = Object.keys(scenario.load.classes);
  const classEntry = new Int32Array(classNames.length);
  const classCum = new Float64Array(classNames.length);
  const totalWeight = classNames.reduce((a, n) => a + scenario.load.classes[n].weight, 0);
  let acc = 0;
  classNames.forEach((name, i) => {
    const def = scenario.load.classes[name];
    acc += def.weight / totalWeight;
    classCum[i] = i === classNames.length - 1 ? Infinity : acc;
    classEntry[i] = op.length;
    emitFlow(def.flow);
    emit(OP_END);
  });

  return {
    stations, classNames, classCum, classEntry,
    op: Int32Array.from(op), argA: Int32Array.from(argA), argB: Int32Array.from(argB),
    samplers, branchCum, branchPc,
  };
}
