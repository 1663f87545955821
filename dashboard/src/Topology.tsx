// The topology graph: React Flow drawing buildTopology's nodes and edges (or, while a model built by
// hand does not check yet, buildDraftTopology's). After a run every component shows its
// utilization (bar and color; a CDN, which has no servers, its req/s and hit ratio instead) and the
// bottleneck is outlined; clicking a node selects it for the parameter form. It is also the
// canvas of build-by-hand: a palette kind dropped on it, an edge dragged from a node's right handle
// to another's left, a node or edge deleted (Delete or Backspace) or a node moved are reported to
// the page, which writes each as an edit of the YAML (build-edit.ts) and redraws from the text.
import { memo, useCallback, useEffect, useMemo, useRef } from "react";
import {
  ReactFlow, ReactFlowProvider, Background, Controls, Panel, Handle, Position, MarkerType, BaseEdge, useReactFlow, useNodesState, useEdgesState,
  type Node, type Edge, type EdgeProps, type NodeProps, type Connection, type OnNodesChange,
} from "@xyflow/react";
import { edgeGeometry } from "./edge-path.ts";
import "@xyflow/react/dist/style.css";
import type { Scenario, SimResult } from "../../simulator/index.ts";
import { buildTopology, utilizationColor, nodeLoad, regionBoxes, edgeRates, fmtRate, CLIENTS, type NodeLoad, type TopoEdge, type TopoNode } from "./topology.ts";
import type { Positions } from "./build-edit.ts";
import { PALETTE_MIME } from "./Palette.tsx";

type CompData = { kind: string; title: string; params: string[]; load?: NodeLoad; bottleneck: boolean; selected: boolean; region?: string };
type RegionData = { region: string; members: number };

function ComponentNode({ data }: NodeProps<Node<CompData>>) {
  const u = data.load?.utilization;
  const color = u !== undefined ? utilizationColor(u) : "var(--node-border)";
  return (
    <div className={`topo-node${data.bottleneck ? " bottleneck" : ""}${data.selected ? " selected" : ""}`} style={{ borderColor: color }} data-testid={`node-${data.title}`}>
      {data.kind !== "load" && <Handle type="target" position={Position.Left} data-testid={`in-${data.title}`} />}
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
      {data.kind !== "cache" && data.kind !== "database" && <Handle type="source" position={Position.Right} data-testid={`out-${data.title}`} />}
    </div>
  );
}

/** A region's group: a labelled box drawn behind its components (not selectable, not dragged:
 * it follows its members, regionBoxes). */
function RegionNode({ data }: NodeProps<Node<RegionData>>) {
  return (
    <div className="topo-region" data-testid={`region-${data.region}`}>
      <span className="topo-region-name">region {data.region}</span>
    </div>
  );
}

const nodeTypes = { comp: ComponentNode, region: RegionNode };

/** Every edge: a bezier forward, a curve below the nodes backward (edge-path.ts), so the two labels of a pair never overlap. */
function FlowEdge({ id, sourceX, sourceY, targetX, targetY, label, labelStyle, labelBgStyle, style, markerEnd, interactionWidth }: EdgeProps) {
  const g = edgeGeometry(sourceX, sourceY, targetX, targetY);
  return <BaseEdge id={id} path={g.path} labelX={g.labelX} labelY={g.labelY} label={label} labelStyle={labelStyle} labelBgStyle={labelBgStyle} style={style} markerEnd={markerEnd} interactionWidth={interactionWidth} />;
}
const edgeTypes = { flow: FlowEdge };

/** What the colors, outlines and labels mean (the edge line only once a run has given rates). */
function Legend({ ran, regions }: { ran: boolean; regions: boolean }) {
  return (
    <div className="topo-legend" data-testid="topology-legend">
      <div><span className="swatch" style={{ background: utilizationColor(0) }} />busy &lt; 60%</div>
      <div><span className="swatch" style={{ background: utilizationColor(0.6) }} />60-85%</div>
      <div><span className="swatch" style={{ background: utilizationColor(0.85) }} />&ge; 85%</div>
      <div><span className="swatch glow" />bottleneck (highest utilization)</div>
      {regions && <div><span className="swatch dashed" />region</div>}
      {ran && <div data-testid="legend-edges" title="counted by the simulator on each edge: retries and requests the callee then refused included; the edges into a component add up to its arrivals"><span className="swatch edge-line" />edge label: requests per second sent over it (ws: clients' messages per second)</div>}
    </div>
  );
}

/** Before React Flow has measured a node: about a node with two lines of parameters. */
const NODE_W = 190, NODE_H = 70;

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

/** The build-by-hand gestures, each reported with what it needs to be written into the YAML. */
export interface Gestures {
  /** A palette kind dropped at a canvas position; `positions` are every drawn node's places. */
  readonly onAdd: (kind: string, at: readonly [number, number], positions: Positions) => void;
  readonly onConnect: (source: string, target: string) => void;
  readonly onDeleteNode: (id: string) => void;
  readonly onDeleteEdge: (source: string, target: string) => void;
  readonly onMove: (positions: Positions) => void;
}

interface Props {
  readonly scenario: Scenario | null;
  /** A model that does not check yet, drawn as far as its data goes (built by hand); wins over scenario. */
  readonly draft?: { nodes: TopoNode[]; edges: TopoEdge[] } | null;
  readonly result: SimResult | null;
  readonly selected: string | null;
  readonly onSelect: (node: string | null) => void;
  /** Absent: the graph is only drawn (a greyed last valid graph takes no gestures). */
  readonly gestures?: Gestures;
}

/** Components drawn at most: React Flow on the page's thread slows to a halt with thousands of
 * nodes, and a shared link may hold tens of thousands. */
export const MAX_DRAWN_COMPONENTS = 300;

function positionsOf(nodes: ReadonlyArray<Node>): Record<string, readonly [number, number]> {
  return Object.fromEntries(nodes.map((n) => [n.id, [Math.round(n.position.x), Math.round(n.position.y)] as const]));
}

function Canvas({ graph, result, selected, onSelect, gestures }: { graph: { nodes: TopoNode[]; edges: TopoEdge[] } } & Omit<Props, "scenario" | "draft">) {
  const flow = useReactFlow();
  const computed: Node<CompData>[] = useMemo(() => graph.nodes.map((n) => ({
    id: n.id,
    type: "comp",
    position: { x: n.x, y: n.y },
    deletable: n.id !== CLIENTS,
    // React Flow's selection (what Delete removes) follows the page's selected node.
    selected: selected === n.id,
    data: {
      kind: n.kind, title: n.title, params: n.params, ...(n.region !== undefined ? { region: n.region } : {}),
      load: n.id !== CLIENTS ? nodeLoad(result?.components[n.id]) : undefined,
      bottleneck: result?.bottleneck === n.id,
      selected: selected === n.id,
    },
  })), [graph, result, selected]);
  // React Flow moves a node while it is dragged; the text gets its place when it is dropped, and
  // the graph drawn from the text then replaces this state.
  const [nodes, setNodes, onNodesChange] = useNodesState(computed);
  useEffect(() => setNodes(computed), [computed, setNodes]);
  // The regions' groups, from the nodes' current places and measured sizes (they follow a drag).
  const regions: Node[] = useMemo(() => regionBoxes(nodes.map((n) => ({
    id: n.id, x: n.position.x, y: n.position.y, width: n.measured?.width ?? NODE_W, height: n.measured?.height ?? NODE_H, region: n.data.region,
  }))).map((b) => ({
    id: `region:${b.region}`, type: "region", position: { x: b.x, y: b.y }, width: b.width, height: b.height,
    style: { width: b.width, height: b.height }, zIndex: -1,
    draggable: false, selectable: false, deletable: false, focusable: false, connectable: false,
    data: { region: b.region, members: b.members.length },
  })), [nodes]);
  const drawn: Node[] = useMemo(() => (regions.length ? [...regions, ...nodes] : nodes), [regions, nodes]);
  // After a run each edge carries its requests per second (edgeRates: the simulator counts every
  // edge), after its own label (geo, p 0.3, ws).
  const rates = useMemo(() => edgeRates(graph.edges, result), [graph, result]);
  const computedEdges: Edge[] = useMemo(() => graph.edges.map((e) => {
    const r = rates.get(e.id);
    const label = [e.label, r && fmtRate(r.perSecond, r.unit)].filter(Boolean).join(" · ") || undefined;
    return {
      id: e.id, source: e.source, target: e.target, label, type: "flow",
      markerEnd: { type: MarkerType.ArrowClosed, color: "var(--edge)" },
      style: { stroke: "var(--edge)" },
      labelStyle: { fill: "var(--text)", fontSize: 11 },
      labelBgStyle: { fill: "var(--panel)" },
      ...(r ? { data: { rate: r.perSecond, unit: r.unit } } : {}),
    };
  }), [graph, rates]);
  const [edges, setEdges, onEdgesChange] = useEdgesState(computedEdges);
  useEffect(() => setEdges(computedEdges), [computedEdges, setEdges]);
  const latest = useRef(nodes);
  latest.current = nodes;

  const onDrop = useCallback((e: React.DragEvent) => {
    const kind = e.dataTransfer.getData(PALETTE_MIME);
    if (!kind || !gestures) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    // The node's top-left corner where the pointer is, a little up and left so it sits under it.
    gestures.onAdd(kind, [Math.round(p.x - 80), Math.round(p.y - 20)], positionsOf(latest.current));
  }, [flow, gestures]);

  return (
    <ReactFlow<Node>
      nodes={drawn}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      colorMode="system"
      fitView
      fitViewOptions={{ padding: 0.15, maxZoom: 1.1 }}
      onNodesChange={onNodesChange as OnNodesChange<Node>}
      onEdgesChange={onEdgesChange}
      nodesDraggable={!!gestures}
      nodesConnectable={!!gestures}
      deleteKeyCode={gestures ? ["Delete", "Backspace"] : null}
      onConnect={(c: Connection) => { if (c.source && c.target) gestures?.onConnect(c.source, c.target); }}
      onNodeDragStop={(_, __, dragged) => {
        if (!gestures) return;
        // The drop's own positions: the state may not have re-rendered with the last move yet.
        const at = positionsOf(latest.current);
        let moved = false;
        for (const n of dragged) {
          at[n.id] = [Math.round(n.position.x), Math.round(n.position.y)];
          const drawn = graph.nodes.find((g) => g.id === n.id);
          if (!drawn || Math.round(drawn.x) !== at[n.id][0] || Math.round(drawn.y) !== at[n.id][1]) moved = true;
        }
        // A click is not a move: the text gets no layout for it.
        if (moved) gestures.onMove(at);
      }}
      // A node's deletion takes its edges with it: the node is the gesture then.
      onDelete={({ nodes: gone, edges: cut }) => {
        if (!gestures) return;
        if (gone.length) for (const n of gone) gestures.onDeleteNode(n.id);
        else for (const e of cut) gestures.onDeleteEdge(e.source, e.target);
      }}
      onDragOver={(e) => { if (gestures && e.dataTransfer.types.includes(PALETTE_MIME)) { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; } }}
      onDrop={onDrop}
      onNodeClick={(_, n) => { if (n.type !== "region") onSelect(n.id); }}
      onPaneClick={() => onSelect(null)}
    >
      <Background gap={24} color="var(--grid)" />
      <Controls showInteractive={false} />
      <Panel position="top-right"><Legend ran={!!result} regions={regions.length > 0} /></Panel>
      <FitOnResize formOpen={selected !== null} />
    </ReactFlow>
  );
}

export const Topology = memo(function Topology({ scenario, draft, result, selected, onSelect, gestures }: Props) {
  const size = draft ? draft.nodes.length - 1 : scenario ? Object.keys(scenario.components).length : 0;
  const graph = useMemo(() => (size > MAX_DRAWN_COMPONENTS ? null : draft ? draft : scenario ? buildTopology(scenario) : null), [draft, scenario, size]);
  if (size > MAX_DRAWN_COMPONENTS) return <div className="empty" data-testid="topology-too-big">{size} components: the graph is drawn for up to {MAX_DRAWN_COMPONENTS}.</div>;
  if (!graph) return <div className="empty">Fix the scenario's errors to see its topology.</div>;
  // A new set of nodes is a new canvas (refitted); a move or a new edge keeps the view.
  return (
    <ReactFlowProvider key={graph.nodes.map((n) => n.id).join(",")}>
      <Canvas graph={graph} result={draft ? null : result} selected={selected} onSelect={onSelect} gestures={gestures} />
    </ReactFlowProvider>
  );
});
