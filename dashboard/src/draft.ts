// The draft graph of a text that does not check (a model being built by hand): the YAML read as
// data without the schema, drawn by buildDraftTopology. Null for a YAML syntax error or a document
// whose shape cannot be drawn; the page then keeps the last valid graph, greyed.
import { parseDocument } from "yaml";
import { buildDraftTopology, type TopoEdge, type TopoNode } from "./topology.ts";

export function draftGraph(text: string): { nodes: TopoNode[]; edges: TopoEdge[] } | null {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) return null;
  try {
    // An alias bomb stops here (as in the loader), never at the drawing.
    return buildDraftTopology(doc.toJS({ maxAliasCount: 100 }));
  } catch {
    return null;
  }
}
