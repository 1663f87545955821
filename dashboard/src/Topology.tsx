// The topology graph: React Flow drawing buildTopology's nodes and edges. After a run every
// component shows its utilization (bar and color; a CDN, which has no servers, its req/s and hit
// ratio instead) and the bottleneck is outlined; clicking a node
// selects it for the parameter form.
import { memo, useEffect, useMemo } from "react";
import { ReactFlow, Background, Controls, Handle, Position, MarkerType, useReactFlow, type Node, type Edge, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import type { Scenario, SimResult } from "../../simulator/index.ts";
import { buildTopology, utilizationColor, nodeLoad, CLIENTS, type NodeLoad } from "./topology.ts";

type CompData = { kind: string; title: string; params: string[]; load?: NodeLoad; bottleneck: boolean; selected: boolean };

function ComponentNode({ data }: NodeProps<Node<CompData>>) {
  const u = data.load?.utilization;
  const color = u !== undefined ? utilizationColor(u) : "#3b4656";
  return (
    <div className={`topo-node${data.bottleneck ? " bottleneck" : ""}${data.selected ? " selected" : ""}`} style={{ borderColor: color }} data-testid={`node-${data.title}`}>
      <Handle type="target" position={Position.Left} />
      <div className="topo-head">
        <span className="topo-title">{data.title}</span>
        <span className={`topo-kind kind-${data.kind}`}>{data.kind.replace("_", " ")}</span>
      </div>
      {data.params.map((p) => <div key={p} className="topo-param">{p}</div>)}
      {u !== undefined ? (
        <div className="topo-util" title="mean utilization over the statistics window">
          <div className="topo-util-bar"><div style={{ width: `${Math.min(100, u * 100)}%`, background: color }} /></div>
          <span>{data.load!.text}{data.bottleneck ? " · bottleneck" : ""}</span>
        </div>
      ) : data.load && (
        <div className="topo-util" title="requests answered per second over the statistics window (no servers to be busy)" data-testid={`load-${data.title}`}>
          <span>{data.load.text}</span>
        </div>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { comp: ComponentNode };

/** Refits the view when the canvas changes width (the node form opens or closes beside it). */
function FitOnResize({ formOpen }: { formOpen: boolean }) {
  const flow = useReactFlow();
  // biome-ignore lint/correctness/useExhaustiveDependencies: formOpen is the trigger: the view is refitted when the form opens or closes
  useEffect(() => {
    const t = setTimeout(() => void flow.fitView({ padding: 0.15, maxZoom: 1.1, duration: 150 }), 30);
    return () => clearTimeout(t);
  }, [formOpen, flow]);
  return null;
}

interface Props {
  readonly scenario: Scenario | null;
  readonly result: SimResult | null;
  readonly selected: string | null;
  readonly onSelect: (node: string | null) => void;
}

/** Components drawn at most: React Flow on the page's thread slows to a halt with thousands of
 * nodes, and a shared link may hold tens of thousands. */
export const MAX_DRAWN_COMPONENTS = 300;

export const Topology = memo(function Topology({ scenario, result, selected, onSelect }: Props) {
  const size = scenario ? Object.keys(scenario.components).length : 0;
  const graph = useMemo(() => (scenario && size <= MAX_DRAWN_COMPONENTS ? buildTopology(scenario) : null), [scenario, size]);
  const nodes: Node<CompData>[] = useMemo(() => (graph?.nodes ?? []).map((n) => ({
    id: n.id,
    type: "comp",
    position: { x: n.x, y: n.y },
    data: {
      kind: n.kind, title: n.title, params: n.params,
      load: n.id !== CLIENTS ? nodeLoad(result?.components[n.id]) : undefined,
      bottleneck: result?.bottleneck === n.id,
      selected: selected === n.id,
    },
  })), [graph, result, selected]);
  const edges: Edge[] = useMemo(() => (graph?.edges ?? []).map((e) => ({
    id: e.id, source: e.source, target: e.target, label: e.label,
    markerEnd: { type: MarkerType.ArrowClosed, color: "#6e7b8f" },
    style: { stroke: "#6e7b8f" },
    labelStyle: { fill: "#c9d1d9", fontSize: 11 },
    labelBgStyle: { fill: "#161b22" },
  })), [graph]);

  if (size > MAX_DRAWN_COMPONENTS) return <div className="empty" data-testid="topology-too-big">{size} components: the graph is drawn for up to {MAX_DRAWN_COMPONENTS}.</div>;
  if (!graph) return <div className="empty">Fix the scenario's errors to see its topology.</div>;
  return (
    <ReactFlow
      key={graph.nodes.map((n) => n.id).join(",")}
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      colorMode="dark"
      fitView
      fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
      nodesConnectable={false}
      onNodeClick={(_, n) => onSelect(n.id)}
      onPaneClick={() => onSelect(null)}
    >
      <Background gap={24} color="#222a35" />
      <Controls showInteractive={false} />
      <FitOnResize formOpen={selected !== null} />
    </ReactFlow>
  );
});
