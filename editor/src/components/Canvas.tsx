import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  getNodesBounds,
  getViewportForBounds,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type NodeChange,
  type Viewport,
} from '@xyflow/react';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { fromDefinition, type CanvasEdge, type CanvasNode } from '../flow/convert.js';
import { moveNodes, type NewNode } from '../flow/edit.js';
import { TRIGGER_ID } from '../flow/model.js';
import { flowStore, useFlow } from '../store/flow-store.js';
import { nodeTypes } from './nodes/StepNode.js';

const MINIMAP_COLOR: Record<string, string> = {
  trigger: '#a5b4fc',
  action: '#cbd2dc',
  condition: '#fcd34d',
  delay: '#7dd3fc',
  set: '#c4b5fd',
  wait: '#86efac',
};
// Module-level: a new function each render would re-render every minimap node.
const minimapColor = (n: { type?: string }) => MINIMAP_COLOR[n.type ?? ''] ?? '#cbd2dc';

// Above this many nodes the mini map (a React component and store subscription per node, dots too small to read) is
// off until asked for (the ▦ control): it took roughly a tenth to a quarter of the time to open a 1,000-node flow.
const MINIMAP_MAX_NODES = 500;

// Big flows open at a readable zoom around their centre (and only the visible nodes are rendered) instead of a speck.
const FIT = { maxZoom: 1, minZoom: 0.4, padding: 0.2 };

export const DND_TYPE = 'application/x-confluo-node';

export function Canvas() {
  const definition = useFlow((s) => s.definition);
  const selected = useFlow((s) => s.selected);
  const measured = useFlow((s) => s.measured);
  const triggerPosition = useFlow((s) => s.triggerPosition);
  const readOnly = useFlow((s) => s.readOnlyVersion !== null);
  const viewEpoch = useFlow((s) => s.viewEpoch);
  const big = useFlow((s) => s.definition.nodes.length > MINIMAP_MAX_NODES);
  const [miniMapAsked, setMiniMapAsked] = useState(false);
  const miniMap = !big || miniMapAsked;
  const { screenToFlowPosition, fitView } = useReactFlow();
  // The flow shown when the canvas mounts is already fitted by `initial` below; later loads and auto-layout refit.
  const mountEpoch = useRef(viewEpoch);
  useEffect(() => {
    if (viewEpoch === mountEpoch.current) return;
    const t = setTimeout(() => void fitView(FIT), 50);
    return () => clearTimeout(t);
  }, [viewEpoch, fitView]);

  const [selectedEdge, setSelectedEdge] = useState<string | null>(null);
  const cache = useRef(new WeakMap<object, CanvasNode | CanvasEdge>());
  const { nodes, edges } = useMemo(() => {
    const drawn = fromDefinition(definition, {
      triggerPosition,
      measured,
      selected: new Set(selected ? [selected] : []),
      cache: cache.current,
    });
    return {
      nodes: drawn.nodes,
      edges: drawn.edges.map((e) => (e.id === selectedEdge ? { ...e, selected: true } : e)),
    };
  }, [definition, triggerPosition, measured, selected, selectedEdge]);

  // The first viewport, fitted from the stored positions (and the nodes' initial size) before React Flow first renders:
  // rendering at the default viewport and then fitting would render, measure and throw away a different set of nodes.
  const wrapper = useRef<HTMLDivElement>(null);
  const [initial, setInitial] = useState<Viewport | null>(null);
  useLayoutEffect(() => {
    const { width, height } = wrapper.current!.getBoundingClientRect();
    setInitial(
      getViewportForBounds(getNodesBounds(nodes), width || 500, height || 500, FIT.minZoom, FIT.maxZoom, FIT.padding),
    );
    // Once, on mount: later flows are fitted by fitView (viewEpoch).
  }, []);

  const onNodesChange = useCallback((changes: NodeChange<CanvasNode>[]) => {
    const s = flowStore.getState();
    const moves = new Map<string, { x: number; y: number }>();
    const removed: string[] = [];
    const sizes = new Map<string, { width: number; height: number }>();
    for (const c of changes) {
      if (c.type === 'dimensions' && c.dimensions) sizes.set(c.id, c.dimensions);
      else if (c.type === 'position' && c.position) {
        if (c.id === TRIGGER_ID) s.moveTrigger(c.position);
        else moves.set(c.id, c.position);
      } else if (c.type === 'remove') removed.push(c.id);
      else if (c.type === 'select') {
        if (c.selected) s.select(c.id);
        else if (flowStore.getState().selected === c.id) s.select(null);
      }
    }
    if (sizes.size) s.setMeasured(sizes);
    if (moves.size) s.changeQuietly((d) => moveNodes(d, moves));
    if (removed.length) s.removeNodes(removed);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<CanvasEdge>[]) => {
    for (const c of changes)
      if (c.type === 'select') setSelectedEdge((cur) => (c.selected ? c.id : cur === c.id ? null : cur));
    const ids = new Set(changes.filter((c) => c.type === 'remove').map((c) => c.id));
    if (!ids.size) return;
    const s = flowStore.getState();
    const gone = fromDefinition(s.definition)
      .edges.filter((e) => ids.has(e.id))
      .map((e) => e.data!.edge);
    s.removeEdges(gone);
  }, []);

  const onConnect = useCallback(
    (c: Connection) => flowStore.getState().connect(c.source, c.target, c.sourceHandle),
    [],
  );

  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const raw = e.dataTransfer.getData(DND_TYPE);
      if (!raw) return;
      const spec = JSON.parse(raw) as NewNode;
      const p = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      flowStore.getState().addNode(spec, { x: p.x - 100, y: p.y - 30 });
    },
    [screenToFlowPosition],
  );

  return (
    <div
      ref={wrapper}
      className="canvas"
      onDragOver={(e) => (e.preventDefault(), (e.dataTransfer.dropEffect = 'move'))}
      onDrop={onDrop}
      data-testid="canvas"
    >
      {initial && (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onNodeDragStart={() => flowStore.getState().checkpoint()}
          onPaneClick={() => (flowStore.getState().select(null), setSelectedEdge(null))}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          elementsSelectable
          deleteKeyCode={readOnly ? null : ['Delete', 'Backspace']}
          defaultViewport={initial}
          minZoom={0.05}
          onlyRenderVisibleElements
          proOptions={{ hideAttribution: true }}
          defaultEdgeOptions={{ labelBgPadding: [4, 2], labelBgBorderRadius: 4 }}
        >
          <Background />
          {miniMap && <MiniMap pannable zoomable ariaLabel="Mini map" nodeColor={minimapColor} nodeStrokeWidth={2} />}
          <Controls>
            {big && (
              <ControlButton
                onClick={() => setMiniMapAsked((v) => !v)}
                title={miniMapAsked ? 'Hide the mini map' : 'Show the mini map'}
                aria-label={miniMapAsked ? 'Hide the mini map' : 'Show the mini map'}
                aria-pressed={miniMapAsked}
              >
                ▦
              </ControlButton>
            )}
          </Controls>
        </ReactFlow>
      )}
    </div>
  );
}
