// A flow started by a contact event, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker,
// and the server's contact-event relay, which the harness runs every 100 ms): the trigger's form per event type, a
// "Contact created" flow with a filter published, two contacts made through the contacts service, and the one run the
// matching contact started, watched in the editor's runs list.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { createContactsService } from '../../prisma/contacts.js';
import { browserSession, type Confluo } from './harness.js';
import { createFlow, openCompletedRun, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const summary = () => node('trigger').getByTestId('trigger-summary').textContent();

describe('contact event trigger in Chromium', () => {
  it('sets up each contact trigger, publishes a “Contact created” flow and watches the run a new contact starts', async () => {
    onTestFailed(async () => {
      await shot('failure-contact-trigger');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Welcome new contacts');
    await node('trigger').click();
    const side = page.locator('.side');

    // Contact updated: the name and attributes by key; a key the schema refuses is refused here.
    await side.getByLabel('Contact updated').check();
    await expect.poll(summary).toBe('any change');
    await side.getByLabel('Name', { exact: true }).check();
    const key = side.getByLabel('Attribute key');
    await key.fill('plan');
    await key.press('Enter');
    await key.fill('a.b');
    await side.getByRole('button', { name: 'Add attribute' }).click();
    await side.getByText('An attribute key has no dots or spaces.').waitFor();
    await expect.poll(summary).toBe('name, plan changed');
    await side.getByRole('button', { name: 'Add a filter' }).click();
    await side
      .locator('.data-picker')
      .getByRole('button', { name: /^contact\.attributes\.plan/ })
      .waitFor();
    await shot('11-contact-updated-trigger');

    // Identity added: a checkbox per identity kind.
    await side.getByLabel('Identity added').check();
    await expect.poll(summary).toBe('any kind');
    await side.getByLabel('Email', { exact: true }).check();
    await side.getByLabel('WhatsApp', { exact: true }).check();
    await expect.poll(summary).toBe('email, whatsapp');

    // Contact created, only for contacts named Ann (the filter sees the contact).
    await side.getByLabel('Contact created').check();
    await expect.poll(summary).toBe('when a contact is created');
    await side.getByRole('button', { name: 'Add a filter' }).click();
    expect(await side.getByLabel('Value', { exact: true }).inputValue()).toBe('contact.name');
    await side.getByLabel('Operator').selectOption('==');
    await side.getByLabel('Compared to').fill('Ann Example');
    await expect.poll(summary).toBe('when a contact is created · filtered');

    // A set step after the trigger (Enter on a palette item adds it after the selected node).
    await page.locator('[data-palette="set"]').focus();
    await page.keyboard.press('Enter');
    await node('set').waitFor();
    await node('set').click();
    await side.getByLabel('Values').fill('{ "greeting": "Welcome {{ contact.name }}", "by": "{{ trigger.by.type }}" }');
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();

    await page.getByRole('button', { name: 'Publish' }).click();
    const published = page.getByTestId('published');
    await published.waitFor();
    expect(await published.textContent()).toMatch(/Published version 1\. It starts on each matching contact event\./);
    await page.getByRole('tab', { name: 'Versions' }).click();
    await side.getByText('This flow starts on contact events, not on a webhook.').waitFor();
    await shot('12-contact-created-flow');

    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await confluo.call('GET', `/api/flows/${flowId}/versions/1`);
    expect(saved.json.definition.trigger).toEqual({
      type: 'contact.created',
      filter: { '==': [{ var: 'contact.name' }, 'Ann Example'] },
    });

    // Two new contacts: the filter lets only Ann's event start a run (events are relayed in order, so Bob's is done
    // by the time Ann's run shows).
    const contacts = createContactsService(confluo.prisma);
    await contacts.upsert(confluo.workspaceId, {
      identities: resolveIdentities([{ kind: 'email', value: 'bob@example.com' }]),
      name: 'Bob Example',
      source: { type: 'api' },
    });
    const { contact: ann } = await contacts.upsert(confluo.workspaceId, {
      identities: resolveIdentities([{ kind: 'email', value: 'ann@example.com' }]),
      name: 'Ann Example',
      source: { type: 'api' },
    });

    await openCompletedRun(page);
    await expect.poll(() => page.getByTestId('status-set').textContent()).toBe('completed');
    await page.getByText('Viewing version 1 (read-only)').waitFor();
    await shot('13-contact-run');

    const runs = await confluo.call('GET', `/api/runs?flowId=${flowId}`);
    expect(runs.json.items).toHaveLength(1);
    const run = await confluo.call('GET', `/api/runs/${runs.json.items[0].id}`);
    expect(run.json.trigger).toMatchObject({ event: 'contact.created', contactId: ann.id, by: { type: 'api' } });
    expect(run.json.steps.find((s: { nodeId: string }) => s.nodeId === 'set')?.output).toEqual({
      greeting: 'Welcome Ann Example',
      by: 'api',
    });
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
