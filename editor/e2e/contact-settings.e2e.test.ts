// Contact settings in real Chromium against a real Confluo: a select attribute defined on the settings screen, set on
// a contact through its typed input, the Contacts list filtered by it, and a merge rule turned on.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { createContactsService } from '../../prisma/contacts.js';
import { browserSession, type Confluo } from './harness.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));

describe('contact settings in Chromium', () => {
  it('defines a select attribute, sets it through the typed input, filters the list by it, and turns on auto-merge', async () => {
    onTestFailed(async () => {
      await shot('contact-settings-failure');
      console.error('page errors:', pageErrors);
    });
    const contacts = createContactsService(confluo.prisma);
    const make = (email: string, name: string) =>
      contacts.upsert(confluo.workspaceId, { identities: resolveIdentities([{ kind: 'email', value: email }]), name });
    const ada = (await make('ada@example.com', 'Ada Lovelace')).contact;
    await make('bob@example.com', 'Bob Byte');

    await page.goto(`${confluo.baseUrl}/contacts`);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.reload();
    const list = page.getByRole('list', { name: 'Contacts' });
    await expect.poll(() => list.locator('.contact-name').allTextContents()).toEqual(['Bob Byte', 'Ada Lovelace']);

    // The settings screen, linked from the Contacts screen: a select attribute with two options.
    await page.getByRole('link', { name: 'Contact settings' }).click();
    expect(new URL(page.url()).pathname).toBe('/contacts/settings');
    await page.getByRole('heading', { name: 'Contact settings', level: 1 }).waitFor();
    const add = page.getByRole('form', { name: 'New attribute' });
    await add.getByLabel('Key').fill('plan');
    await add.getByLabel('Label', { exact: true }).fill('Plan');
    await add.getByLabel('Type').selectOption('select');
    await add.getByLabel('Options (one per line)').fill('free\npro');
    await add.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByRole('form', { name: 'Attribute plan' }).waitFor();
    expect((await call('GET', '/api/contact-attributes')).json.items).toMatchObject([
      { key: 'plan', label: 'Plan', type: 'select', options: ['free', 'pro'] },
    ]);

    // A merge rule turned on: duplicate suggestions scoring 70 or more merge by themselves.
    const rules = page.getByRole('form', { name: 'Merge rules' });
    expect(await rules.getByLabel('Merge contacts one delivery links', { exact: false }).isChecked()).toBe(true);
    await rules.getByLabel('Merge duplicate suggestions automatically').check();
    await rules.getByLabel('Auto-merge score').fill('70');
    await rules.getByRole('button', { name: 'Save merge rules' }).click();
    await rules.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect((await call('GET', '/api/contact-settings')).json).toEqual({
      mergeOnSharedDelivery: true,
      autoMergeScore: 70,
    });
    await shot('contact-settings');

    // Ada's plan, through the typed input (a select of the options).
    await page.goto(`${confluo.baseUrl}/contacts/${ada.id}`);
    await page.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit contact' });
    const plan = form.getByRole('combobox', { name: 'Plan' });
    await plan.waitFor();
    expect(await plan.locator('option').allTextContents()).toEqual(['—', 'free', 'pro']);
    await plan.selectOption('pro');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    expect((await call('GET', `/api/contacts/${ada.id}`)).json.attributes).toEqual({ plan: 'pro' });
    // The page lists it under its label.
    const shown = page.locator('dl.attributes > div');
    await expect.poll(() => shown.locator('dt').allTextContents()).toEqual(['Plan']);
    expect(await shown.locator('dd').allTextContents()).toEqual(['pro']);

    // The Contacts list filtered by the attribute: Ada only; the other option, nobody.
    await page.goto(`${confluo.baseUrl}/contacts`);
    await expect.poll(() => list.locator('.contact-name').allTextContents()).toEqual(['Bob Byte', 'Ada Lovelace']);
    await page.getByRole('combobox', { name: 'Filter by attribute' }).selectOption('plan');
    await page.getByRole('combobox', { name: 'Plan is' }).selectOption('pro');
    await expect.poll(() => list.locator('.contact-name').allTextContents()).toEqual(['Ada Lovelace']);
    await shot('contacts-attribute-filter');
    await page.getByRole('combobox', { name: 'Plan is' }).selectOption('free');
    await page.getByText('No contact matches').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
