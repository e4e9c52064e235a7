// The inbox's customer panel in real Chromium against a real Confluo: a customer known on WhatsApp writes by SMS
// (real signed deliveries through the providers' fakes and the channel gateway, ingested by the worker) and a flow
// waits for her reply; beside the conversation the agent sees both channels, her tag, attribute and note, and the
// waiting run (not another customer's), opens the run in the editor and her contact page from there.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { BUSINESS, contactWithMessages, messagingFakes } from './messaging.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const fakes = messagingFakes('4');

/** The contact's waiting runs, once there is one. */
async function waitingRunOf(contactId: string): Promise<{ id: string; flowId: string }> {
  let runs: { id: string; flowId: string }[] = [];
  await expect
    .poll(
      async () => {
        runs = (await call('GET', `/api/runs?contactId=${contactId}&status=waiting`)).json.items;
        return runs.length;
      },
      { timeout: 30_000, interval: 300 },
    )
    .toBe(1);
  return runs[0]!;
}

describe('the customer beside the conversation', () => {
  it("shows the customer's channels, tag, note and waiting run, and links to the run and the contact page", async () => {
    onTestFailed(async () => {
      await shot('inbox-customer-failure');
      console.error('page errors:', pageErrors);
    });
    const { sms, whatsapp } = await fakes.connect(call);

    // Lucía is known from WhatsApp (which gives her phone too); the shop tagged her and left a note.
    expect(
      (
        await fakes.wa.sendInboundMessage(whatsapp.inboundUrl, {
          from: '34655512345',
          text: 'Hola',
          name: 'Lucía Pérez',
        })
      ).status,
    ).toBe(200);
    const lucia = await contactWithMessages(call, '+34655512345', 1);
    const patched = await call('PATCH', `/api/contacts/${lucia}`, { tags: ['vip'], attributes: { plan: 'gold' } });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expect((await call('POST', `/api/contacts/${lucia}/notes`, { text: 'Prefers SMS' })).status).toBe(201);

    // A flow that waits a day for the customer's reply to an SMS.
    const flow = await call('POST', '/api/flows', {
      name: 'Order follow-up',
      definition: {
        schemaVersion: 1,
        trigger: { type: 'channel.message', channels: ['sms'] },
        nodes: [{ id: 'reply', type: 'wait', for: 'reply', timeout: 'P1D' }],
        edges: [{ from: 'trigger', to: 'reply' }],
      },
    });
    expect(flow.status, JSON.stringify(flow.json)).toBe(201);
    expect((await call('POST', `/api/flows/${flow.json.id}/publish`)).status).toBe(201);

    // Another customer's SMS starts a run of the same flow: not Lucía's.
    const other = await fakes.twilio.sendInboundSms({
      url: sms.inboundUrl,
      from: '+14155557777',
      to: BUSINESS,
      body: 'hi',
    });
    expect(other.status).toBe(200);
    const otherContact = await contactWithMessages(call, '+14155557777', 1);
    const otherRun = await waitingRunOf(otherContact);
    // Lucía writes by SMS from the same number: the same contact, and a run waiting for her reply.
    const sent = await fakes.twilio.sendInboundSms({
      url: sms.inboundUrl,
      from: '+34655512345',
      to: BUSINESS,
      body: 'Where is order 7781?',
    });
    expect(sent.status).toBe(200);
    expect(await contactWithMessages(call, '+34655512345', 2)).toBe(lucia);
    const run = await waitingRunOf(lucia);
    expect(run.id).not.toBe(otherRun.id);
    const conversation = (await call('GET', '/api/conversations?limit=100')).json.items.find(
      (c: any) => c.contact.id === lucia,
    );

    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.goto(`${confluo.baseUrl}/inbox/${conversation.id}`);
    const panel = page.getByRole('complementary', { name: 'Customer' });
    await panel.getByRole('link', { name: 'Lucía Pérez' }).waitFor();

    // Both channels she is reachable on, with their flags; her tag and attribute; the note in the recent events.
    const channels = panel.getByRole('region', { name: 'Channels' });
    expect(await channels.getByRole('heading').allTextContents()).toEqual(['Channels', 'Phone', 'WhatsApp']);
    expect(await channels.getByRole('list', { name: 'WhatsApp' }).textContent()).toBe('34655512345 verified');
    expect(await channels.getByRole('list', { name: 'Phone' }).textContent()).toBe('+34655512345 verified');
    expect(await panel.getByRole('list', { name: 'Tags' }).getByRole('listitem').allTextContents()).toEqual(['vip']);
    expect(await panel.locator('.customer-attributes').textContent()).toBe('plangold');
    const events = panel.getByRole('region', { name: 'Recent events' }).getByRole('listitem');
    await expect.poll(() => events.first().textContent()).toMatch(/^Note added Prefers SMS/);
    // Her messages are in the thread, not repeated in the events.
    expect(await events.evaluateAll((els) => els.filter((e) => e.dataset.type?.startsWith('message.')).length)).toBe(0);

    // The waiting run, by flow name, and only hers.
    const runs = panel.getByRole('region', { name: 'Open runs' }).getByRole('listitem');
    await expect.poll(() => runs.count()).toBe(1);
    expect(await runs.first().getByRole('link').textContent()).toBe('Order follow-up');
    expect(await runs.first().locator('.status').textContent()).toBe('waiting');
    expect(await runs.first().getByRole('link').getAttribute('href')).toBe(`/flows/${run.flowId}?run=${run.id}`);
    await shot('inbox-customer');

    // The column collapses and opens again from the keyboard.
    const toggle = panel.getByRole('button', { name: /Customer/ });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await panel.getByRole('region', { name: 'Open runs' }).isVisible()).toBe(false);
    await page.keyboard.press('Space');
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    await panel.getByRole('region', { name: 'Open runs' }).waitFor();

    // The run opens in the editor, in the Runs tab, that run selected.
    await runs.first().getByRole('link').click();
    expect(new URL(page.url()).pathname).toBe(`/flows/${run.flowId}`);
    await page.getByRole('heading', { name: 'Order follow-up' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true');
    const listed = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
    await expect.poll(() => listed.count()).toBe(2);
    await expect.poll(() => page.getByRole('list', { name: 'Runs' }).locator('[aria-current="true"]').count()).toBe(1);

    // Back in the inbox, her name opens her contact page.
    await page.goBack();
    await panel.getByRole('link', { name: 'Lucía Pérez' }).click();
    expect(new URL(page.url()).pathname).toBe(`/contacts/${lucia}`);
    await page.getByRole('heading', { name: 'Lucía Pérez', level: 1 }).waitFor();

    // On a phone the panel sits below the conversation, within the screen, and still collapses.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`${confluo.baseUrl}/inbox/${conversation.id}`);
    await panel.getByRole('link', { name: 'Lucía Pérez' }).waitFor();
    const box = (await panel.boundingBox())!;
    const reply = (await page.locator('.reply textarea').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y).toBeGreaterThanOrEqual(reply.y + reply.height);
    await shot('inbox-customer-phone');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(pageErrors).toEqual([]);
  });
});
