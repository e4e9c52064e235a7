import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { memo, useEffect } from 'react';
import type { StepData, TriggerData } from '../../flow/convert.js';
import { durationText } from '../../flow/duration.js';
import { issuesByNode } from '../../flow/issues.js';
import { fromLogic, type Row } from '../../flow/logic-builder.js';
import type { FlowNode, ValidationIssue } from '../../flow/model.js';
import { caseBranch, outHandles } from '../../flow/model.js';
import { triggerSummary } from '../../flow/trigger.js';
import { useFlow, type FlowState } from '../../store/flow-store.js';

const NONE: ValidationIssue[] = [];

const ICON: Record<string, string> = {
  trigger: '⚡',
  action: '⚙',
  condition: '◆',
  switch: '◈',
  delay: '⏱',
  set: '✎',
  wait: '✉',
  subflow: '↳',
  loop: '⟳',
  respond: '↩',
};

function summary(n: FlowNode): string {
  switch (n.type) {
    case 'action':
      return n.action;
    case 'condition': {
      const b = fromLogic(n.rule);
      const row = (r: Row) => `${r.var.replace(/^trigger\.body\./, '')} ${r.op} ${JSON.stringify(r.value)}`;
      return b ? b.rows.map(row).join(b.join === 'and' ? ' and ' : ' or ') : 'custom rule';
    }
    case 'switch':
      return `${n.cases.length} case(s) + default`;
    case 'delay':
      return `wait ${n.duration}`;
    case 'set':
      return `${Object.keys(n.values).length} value(s)`;
    case 'wait':
      return `reply within ${durationText(n.timeout)}`;
    case 'subflow':
      return n.flow ? `calls ${n.flow}${n.version !== undefined ? ` v${n.version}` : ''}` : 'no flow chosen';
    case 'respond':
      return `answers ${n.status ?? 200}`;
    case 'loop':
      return `for each of ${typeof n.items === 'string' ? n.items.replace(/^\{\{\s*|\s*\}\}$/g, '') : 'a list'}`;
  }
}

/** Issues by node for the whole canvas, rebuilt when the issues or the nodes change (not once per node per change). */
let byNode: {
  issues: readonly ValidationIssue[];
  nodes: readonly FlowNode[];
  map: Map<string, ValidationIssue[]>;
} | null = null;
function issuesOf(s: FlowState, id: string): ValidationIssue[] {
  if (!s.issues.length) return NONE;
  const nodes = s.definition.nodes;
  if (byNode?.issues !== s.issues || byNode.nodes !== nodes)
    byNode = {
      issues: s.issues,
      nodes,
      map: issuesByNode({ schemaVersion: 1, trigger: { type: 'webhook' }, nodes, edges: [] }, s.issues),
    };
  return byNode.map.get(id) ?? NONE;
}

/**
 * Status and issues of a node, from the store (the canvas overlay of a run, the validation). Each selector returns a
 * string or a stable array, so a node re-renders only when its own badges change, not on every edit of the flow.
 */
function useBadges(id: string) {
  const status = useFlow((s) =>
    id === 'trigger'
      ? undefined
      : (s.overlay?.steps.find((x) => x.nodeId === id)?.status ?? (s.overlay ? 'pending' : undefined)),
  );
  const issues = useFlow((s) => issuesOf(s, id));
  return { status, issues };
}

function Badges({ id, status, issues }: { id: string; status: string | undefined; issues: ValidationIssue[] }) {
  return (
    <>
      {status && (
        <span className={`status status-${status}`} data-testid={`status-${id}`}>
          {status}
        </span>
      )}
      {issues.length > 0 && (
        <span className="issue-badge" title={issues.map((i) => i.message).join('\n')} data-testid={`issues-${id}`}>
          ⚠ {issues.length} {issues.length === 1 ? 'issue' : 'issues'}
        </span>
      )}
    </>
  );
}

export const StepNode = memo(function StepNode({ data, selected, id }: NodeProps & { data: StepData }) {
  const n = data.node;
  const handles = outHandles(n);
  const { status, issues } = useBadges(id);
  // Handles come and go with a switch's cases: React Flow must measure them again.
  const updateInternals = useUpdateNodeInternals();
  const handleKey = handles.join('|');
  useEffect(() => updateInternals(id), [handleKey, id, updateInternals]);
  const label = (b: string) => (n.type === 'switch' ? (n.cases.find((c, i) => caseBranch(c, i) === b)?.name ?? b) : b);
  return (
    <div
      className={`node node-${n.type} ${selected ? 'selected' : ''} ${issues.length ? 'has-issues' : ''} ${status ? `run-${status}` : ''}`}
      aria-label={`${n.type} ${n.name ?? n.id}`}
    >
      <Handle type="target" position={Position.Top} />
      <div className="node-title">
        <span aria-hidden>{ICON[n.type]}</span> {n.name ?? n.id}
      </div>
      <div className="node-sub">{summary(n)}</div>
      <Badges id={id} status={status} issues={issues} />
      {handles.length === 1 && handles[0] === null ? (
        <Handle type="source" position={Position.Bottom} />
      ) : (
        handles.map((b, i) => (
          <Handle
            key={b ?? ''}
            id={b}
            type="source"
            position={Position.Bottom}
            style={{ left: `${((i + 1) * 100) / (handles.length + 1)}%` }}
            className={b === null ? 'branch branch-next' : `branch branch-${b}`}
            data-branch={b ?? ''}
          >
            {b !== null && <span className="handle-label">{label(b)}</span>}
          </Handle>
        ))
      )}
    </div>
  );
});

export const TriggerNode = memo(function TriggerNode({ data, selected, id }: NodeProps & { data: TriggerData }) {
  const { status, issues } = useBadges(id);
  const { title, sub } = triggerSummary(data.trigger);
  return (
    <div
      className={`node node-trigger ${selected ? 'selected' : ''} ${issues.length ? 'has-issues' : ''}`}
      aria-label={title}
    >
      <div className="node-title">
        <span aria-hidden>{ICON.trigger}</span> {title}
      </div>
      <div className="node-sub" data-testid="trigger-summary">
        {sub}
      </div>
      <Badges id={id} status={status} issues={issues} />
      <Handle type="source" position={Position.Bottom} />
    </div>
  );
});

export const nodeTypes = {
  trigger: TriggerNode,
  action: StepNode,
  condition: StepNode,
  switch: StepNode,
  delay: StepNode,
  set: StepNode,
  wait: StepNode,
  subflow: StepNode,
  loop: StepNode,
  respond: StepNode,
};
