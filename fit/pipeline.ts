// The whole of `headroom fit` short of the command line: read the trace file, assemble the traces,
// build the call graph, fit, then write a new scenario or update the given one. Returns everything
// the report needs; throws NothingUsable when no root span survives (the CLI's exit 2).
import { assemble } from "./traces.ts";
import { buildGraph } from "./graph.ts";
import { fitModel, type FittedModel } from "./model.ts";
import { readTraceFile, type TraceFormat } from "./read-traces.ts";
import { Notes } from "./span.ts";
import type { ReportInput } from "./report.ts";

export class NothingUsable extends Error {}

export interface Fitted extends Omit<ReportInput, "undetermined" | "merged"> {
  readonly model: FittedModel;
}

export async function fitTraces(file: string, format?: TraceFormat): Promise<Fitted> {
  const notes = new Notes();
  const read = await readTraceFile(file, notes, format);
  const asm = assemble(read.spans, notes);
  const graph = buildGraph(asm.roots, notes);
  if (graph.classes.size === 0) {
    const why = notes.causes.map((c) => `${c.cause}: ${c.spans} span(s)`).join("; ");
    throw new NothingUsable(`${file}: no usable request (no root server span left of ${read.spans.length} spans read)${why ? `; ${why}` : ""}`);
  }
  return { file, format: read.format, spansIn: read.spans.length, spansKept: asm.spansKept, model: fitModel(graph), notes };
}
