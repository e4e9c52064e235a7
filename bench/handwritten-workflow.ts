// Benchmark (c): the reference flow's work written by hand as a Temporal workflow, calling the very same
// `executeStep` activity the same way (a local activity, as the interpreter runs a step of up to 30 s), so (b)/(c)
// measures what the flow interpreter costs.
import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../worker/activities.js';

const { executeStep } = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5 },
});

export interface HandwrittenInput {
  workspaceId: string;
  trigger: { body: { tier?: string; email?: string; name?: string; callback?: string } };
}

export async function handwrittenReference(input: HandwrittenInput): Promise<void> {
  const { body } = input.trigger;
  if (body.tier !== 'vip') return;
  const runId = workflowInfo().workflowId;
  const common = { workspaceId: input.workspaceId, runId };
  const save = await executeStep({
    ...common,
    nodeId: 'save',
    action: 'contacts.upsert',
    input: { email: body.email ?? null, name: body.name ?? null },
  });
  await executeStep({
    ...common,
    nodeId: 'notify',
    action: 'http.request',
    input: { method: 'POST', url: body.callback ?? null, body: { contact: (save.output as { id: string }).id } },
  });
}
