// The editor's one typed store: the flow definition being edited (source of truth), selection, undo/redo history,
// validation issues and the run shown on the canvas. Canvas nodes are derived from it (flow/convert.ts).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import * as edit from '../flow/edit.js';
import { autoLayout } from '../flow/layout.js';
import type { FlowDefinition, FlowEdge, FlowNode, StepState, ValidationIssue } from '../flow/model.js';
import { requiredBranches, TRIGGER_ID } from '../flow/model.js';
import type { Position, Size } from '../flow/convert.js';

const HISTORY_LIMIT = 100;

export const emptyDefinition = (): FlowDefinition => ({
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [],
  edges: [],
});

export interface RunOverlay {
  runId: string;
  status: string;
  steps: StepState[];
}

export interface FlowState {
  definition: FlowDefinition;
  /** The trigger is not positioned in the flow JSON; this is display-only. */
  triggerPosition: Position;
  selected: string | null;
  past: FlowDefinition[];
  future: FlowDefinition[];
  measured: Map<string, Size>;
  issues: ValidationIssue[];
  overlay: RunOverlay | null;
  /** Set when a published version is shown (read-only). */
  readOnlyVersion: number | null;
  /** Bumped on every change of the definition (autosave and validation listen to it). */
  revision: number;
  /** Bumped when the whole view should be refitted (a flow or version loaded, auto-layout). */
  viewEpoch: number;

  /**
   * Shows a definition. `keepOverlay` keeps the run overlay as it is when the definition arrives (a run opened over its
   * version: the run's watcher may have set it while the version was loading).
   */
  load(def: FlowDefinition, opts?: { readOnlyVersion?: number | null; keepOverlay?: boolean }): void;
  /** Applies an edit as one undoable step; edits with the same `coalesce` key within a second make one step (typing). */
  change(fn: (def: FlowDefinition) => FlowDefinition, coalesce?: string): void;
  /** Records the current definition for undo, for an edit made of many small changes (a drag). */
  checkpoint(): void;
  /** Applies an edit without a history entry (the frames of a drag after its checkpoint). */
  changeQuietly(fn: (def: FlowDefinition) => FlowDefinition): void;
  undo(): void;
  redo(): void;
  select(id: string | null): void;

  addNode(spec: edit.NewNode, position?: Position): string;
  /** Adds a node connected after `from` (one undo step); a branching `from` gets its first free branch. */
  addNodeAfter(from: string, spec: edit.NewNode, position?: Position): string;
  updateNode(id: string, update: (n: FlowNode) => FlowNode, coalesce?: string): void;
  renameNode(id: string, next: string): void;
  removeSelected(): void;
  removeNodes(ids: string[]): void;
  duplicate(id: string, displayed?: Position): void;
  connect(from: string, to: string, branch?: string | null): void;
  removeEdges(edges: FlowEdge[]): void;
  layout(): void;
  moveTrigger(p: Position): void;
  /** Sizes React Flow measured, applied in one update (a thousand nodes report at once). */
  setMeasured(sizes: ReadonlyMap<string, Size>): void;
  setIssues(issues: ValidationIssue[]): void;
  setOverlay(overlay: RunOverlay | null): void;
}

export type FlowStore = StoreApi<FlowState>;

export function createFlowStore(initial: FlowDefinition = emptyDefinition()): FlowStore {
  return createStore<FlowState>()((set, get) => {
    const writable = () => get().readOnlyVersion === null;
    let last = { key: '', at: 0 };
    const push = (next: FlowDefinition, coalesce?: string) => {
      const { definition, past, revision } = get();
      if (next === definition) return;
      const now = Date.now();
      const merge = coalesce !== undefined && coalesce === last.key && now - last.at < 1000 && past.length > 0;
      last = { key: coalesce ?? '', at: now };
      if (merge) return set({ definition: next, future: [], revision: revision + 1 });
      set({ definition: next, past: [...past, definition].slice(-HISTORY_LIMIT), future: [], revision: revision + 1 });
    };
    return {
      definition: initial,
      triggerPosition: { x: 0, y: 0 },
      selected: null,
      past: [],
      future: [],
      measured: new Map(),
      issues: [],
      overlay: null,
      readOnlyVersion: null,
      revision: 0,
      viewEpoch: 0,

      load(def, opts) {
        // Without stored positions the trigger goes above the first node (display only).
        const first = def.nodes.find((n) => def.edges.some((e) => e.from === TRIGGER_ID && e.to === n.id))?.position;
        set({
          viewEpoch: get().viewEpoch + 1,
          definition: def,
          triggerPosition: first ? { x: first.x, y: first.y - 130 } : { x: 0, y: 0 },
          past: [],
          future: [],
          selected: null,
          issues: [],
          overlay: opts?.keepOverlay ? get().overlay : null,
          readOnlyVersion: opts?.readOnlyVersion ?? null,
          revision: get().revision + 1,
        });
      },
      change(fn, coalesce) {
        if (writable()) push(fn(get().definition), coalesce);
      },
      checkpoint() {
        if (!writable()) return;
        const { definition, past } = get();
        set({ past: [...past, definition].slice(-HISTORY_LIMIT), future: [] });
      },
      changeQuietly(fn) {
        if (writable()) set({ definition: fn(get().definition), revision: get().revision + 1 });
      },
      undo() {
        const { past, future, definition, revision } = get();
        const prev = past.at(-1);
        if (!prev || !writable()) return;
        set({ definition: prev, past: past.slice(0, -1), future: [definition, ...future], revision: revision + 1 });
      },
      redo() {
        const { past, future, definition, revision } = get();
        const next = future[0];
        if (!next || !writable()) return;
        set({ definition: next, past: [...past, definition], future: future.slice(1), revision: revision + 1 });
      },
      select(id) {
        set({ selected: id });
      },

      addNode(spec, position) {
        if (!writable()) return '';
        const node = edit.makeNode(get().definition, spec, position);
        push(edit.addNode(get().definition, node));
        set({ selected: node.id });
        return node.id;
      },
      addNodeAfter(from, spec, position) {
        if (!writable()) return '';
        const d = get().definition;
        const node = edit.makeNode(d, spec, position);
        const source = d.nodes.find((n) => n.id === from);
        const branches = source ? requiredBranches(source) : undefined;
        const branch = branches?.find((b) => !d.edges.some((e) => e.from === from && e.branch === b));
        const added = edit.addNode(d, node);
        push(branches && !branch ? added : edit.connect(added, from, node.id, branch));
        set({ selected: node.id });
        return node.id;
      },
      updateNode(id, update, coalesce) {
        get().change((d) => edit.updateNode(d, id, update), coalesce);
      },
      renameNode(id, next) {
        if (!/^[A-Za-z0-9_-]+$/.test(next) || next === TRIGGER_ID || get().definition.nodes.some((n) => n.id === next))
          return;
        get().change((d) => edit.renameNode(d, id, next));
        if (get().selected === id) set({ selected: next });
      },
      removeSelected() {
        const id = get().selected;
        if (id && id !== TRIGGER_ID) get().removeNodes([id]);
      },
      removeNodes(ids) {
        get().change((d) => edit.removeNodes(d, ids));
        if (ids.includes(get().selected ?? '')) set({ selected: null });
      },
      duplicate(id, displayed) {
        if (!writable()) return;
        const r = edit.duplicateNode(get().definition, id, displayed);
        push(r.def);
        if (r.id) set({ selected: r.id });
      },
      connect(from, to, branch) {
        get().change((d) => edit.connect(d, from, to, branch));
      },
      removeEdges(edges) {
        get().change((d) => edit.removeEdges(d, edges));
      },
      layout() {
        const pos = autoLayout(get().definition);
        const t = pos.get(TRIGGER_ID);
        if (t) set({ triggerPosition: t });
        pos.delete(TRIGGER_ID);
        get().change((d) => edit.moveNodes(d, pos));
        set({ viewEpoch: get().viewEpoch + 1 });
      },
      moveTrigger(p) {
        set({ triggerPosition: p });
      },
      setMeasured(sizes) {
        const m = new Map(get().measured);
        for (const [id, size] of sizes) m.set(id, size);
        set({ measured: m });
      },
      setIssues(issues) {
        set({ issues });
      },
      setOverlay(overlay) {
        set({ overlay });
      },
    };
  });
}

/** The store of the flow being edited (one per editor screen). */
export const flowStore = createFlowStore();
export const useFlow = <T>(selector: (s: FlowState) => T): T => useStore(flowStore, selector);
