// sendMessage: an agent's reply from the inbox (or a web chat visitor's answer from an agent), sent durably through
// the same `executeStep` as a flow's send, so consent, rate limits, retries and the outbound record are the same.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities.js';
import type { SendMessageInput, SendMessageResult } from '../contract.js';

const { executeStep } = proxyActivities<Activities>({
  startToCloseTimeout: '35s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});

export async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
  return executeStep({
    workspaceId: input.workspaceId,
    runId: input.id,
    nodeId: 'send',
    action: 'conversations.reply',
    input: {
      contact: input.contactId,
      text: input.text,
      ...(input.subject !== undefined && { subject: input.subject }),
      ...(input.html !== undefined && { html: input.html }),
    },
  });
}
