// Platform event triggers and the workspace's error flow, in real Chromium against a real Confluo (PostgreSQL, Temporal
// dev server, worker, the server's event relay every 100 ms): a "Conversation closed" flow narrowed to SMS set up in
// the trigger's form and published, a customer's conversation closed in the inbox and the run it started watched in
// the runs list; then the flow chosen as the workspace's error flow on the settings screen.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { createContactsService } from '../../prisma/contacts.js';
import { createConversationStore } from '../../prisma/conversations.js';
import { browserSession, type Confluo } from './harness.js';
import { addAfter, canvasNode, createFlow, openCompletedRun, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot } = browserSession((s) => ({ confluo, page } = s));
const summary = () => canvasNode(page, 'trigger').getByTestId('trigger-summary').textContent();

describe('platform event triggers in Chromium', () => {
  it('publishes a “Conversation closed” flow, watches the run a close starts, and sets the error flow', async () => {
    onTestFailed(async () => {
      await shot('failure-platform-events');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Review after resolution');
    await canvasNode(page, 'trigger').click();
    const side = page.locator('.side');

    // Run failed: narrowed by flows (none yet but this one, which is not offered).
    await side.getByLabel('Run failed').check();
    await expect.poll(summary).toBe('any flow');
    await side.getByText('None chosen: a failed run of any flow.').waitFor();

    // Conversation closed, on SMS only, with a filter over the event.
    await side.getByLabel('Conversation closed').check();
    await expect.poll(summary).toBe('any channel');
    await side.getByLabel(/\(sms\)$/).check();
    await expect.poll(summary).toBe('sms');
    await side.getByRole('button', { name: 'Add a filter' }).click();
    expect(await side.getByLabel('Value', { exact: true }).inputValue()).toBe('trigger.channel');
    await side.getByLabel('Operator').selectOption('==');
    await side.getByLabel('Compared to').fill('sms');
    await expect.poll(summary).toBe('sms · filtered');
    await side
      .locator('.data-picker')
      .getByRole('button', { name: /^trigger\.conversationId/ })
      .waitFor();
    await shot('31-conversation-closed-trigger');

    await addAfter(page, 'trigger', 'set');
    await canvasNode(page, 'set').waitFor();
    await canvasNode(page, 'set').click();
    await side
      .getByLabel('Values')
      .fill('{ "ask": "How did we do, {{ contact.name }}?", "conversation": "{{ trigger.conversationId }}" }');
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    const published = page.getByTestId('published');
    await published.waitFor();
    expect(await published.textContent()).toMatch(/It starts on each matching conversation closed event\./);

    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await confluo.call('GET', `/api/flows/${flowId}/versions/1`);
    expect(saved.json.definition.trigger).toEqual({
      type: 'conversation.closed',
      channels: ['sms'],
      filter: { '==': [{ var: 'trigger.channel' }, 'sms'] },
    });

    // A customer's SMS opens a conversation; an agent closes it: one run, with the conversation.
    const contacts = createContactsService(confluo.prisma);
    const inbound = await createConversationStore(confluo.prisma, contacts).recordInbound({
      workspaceId: confluo.workspaceId,
      accountId: 'cha_e2e',
      channel: 'sms',
      event: {
        type: 'message.received',
        dedupeKey: 'SM-e2e-1',
        providerMessageId: 'SM-e2e-1',
        timestamp: new Date().toISOString(),
        sender: { identity: { kind: 'phone', value: '+14155550188' }, name: 'Rita Review' },
        text: 'Thanks, all sorted!',
      },
      identities: resolveIdentities([{ kind: 'phone', value: '+14155550188' }]),
    });
    const conversationId = inbound.message.conversationId;
    // Closed in the inbox (resolved), as an agent would.
    await page.goto(`${confluo.baseUrl}/inbox/${conversationId}`);
    await page.getByRole('heading', { name: 'Rita Review' }).waitFor();
    await expect.poll(() => page.getByTestId('conversation-status').textContent()).toBe('Open');
    await page.getByRole('button', { name: 'Close conversation' }).click();
    await expect.poll(() => page.getByTestId('conversation-status').textContent()).toBe('Closed');
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
    expect((await confluo.call('GET', `/api/conversations/${conversationId}`)).json.status).toBe('closed');

    await page.goto(`${confluo.baseUrl}/flows/${flowId}`);
    await openCompletedRun(page);
    await shot('32-conversation-closed-run');
    const runs = await confluo.call('GET', `/api/runs?flowId=${flowId}`);
    expect(runs.json.items).toHaveLength(1);
    const run = await confluo.call('GET', `/api/runs/${runs.json.items[0].id}`);
    expect(run.json.trigger).toMatchObject({ event: 'conversation.closed', conversationId, channel: 'sms' });
    expect(run.json.steps.find((s: { nodeId: string }) => s.nodeId === 'set')?.output).toEqual({
      ask: 'How did we do, Rita Review?',
      conversation: conversationId,
    });

    // The workspace settings: this published flow as the error flow.
    await page.goto(`${confluo.baseUrl}/settings`);
    await page.getByRole('heading', { name: 'Workspace settings' }).waitFor();
    const form = page.getByRole('form', { name: 'Error flow' });
    await form.getByLabel('Run this flow when any run fails').selectOption({ label: 'Review after resolution' });
    await form.getByRole('button', { name: 'Save error flow' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await shot('33-error-flow-setting');
    expect((await confluo.call('GET', '/api/workspace-settings')).json).toEqual({ errorFlowId: flowId });
    // Seen again after a reload, and turned off again.
    await page.reload();
    await expect.poll(() => form.getByLabel('Run this flow when any run fails').inputValue()).toBe(flowId);
    await form.getByLabel('Run this flow when any run fails').selectOption({ label: 'None' });
    await form.getByRole('button', { name: 'Save error flow' }).click();
    await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await confluo.call('GET', '/api/workspace-settings')).json).toEqual({ errorFlowId: null });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
