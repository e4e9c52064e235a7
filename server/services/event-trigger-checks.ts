// Publish-time checks of platform event triggers against the workspace (README.md "Platform events"): a run.failed
// trigger's `flows` must be published flows of the workspace (only they have runs that fail), and not the flow itself
// (a flow never starts on its own failures). One issue on `/trigger/flows/<i>` each, like a sub-flow's `flow`.
import type { ValidationIssue } from '../../connectors/flow/types.js';
import type { PublishedLookup } from '../../prisma/flows.js';

export async function runFailedFlowIssues(
  published: PublishedLookup,
  flowId: string,
  definition: unknown,
): Promise<ValidationIssue[]> {
  const trigger = (definition as { trigger?: { type?: unknown; flows?: unknown } } | null)?.trigger;
  if (trigger?.type !== 'run.failed' || !Array.isArray(trigger.flows)) return [];
  const issues: ValidationIssue[] = [];
  for (const [i, id] of trigger.flows.entries()) {
    if (typeof id !== 'string') continue;
    const path = `/trigger/flows/${i}`;
    if (id === flowId)
      issues.push({ path, code: 'self_failure', message: 'a flow never starts on its own failures: name other flows' });
    else if (!(await published(id)))
      issues.push({ path, code: 'unknown_flow', message: `no published flow "${id}" in this workspace` });
  }
  return issues;
}
