// Merge and unmerge from the contact page in real Chromium against a real Confluo: one person known twice (Telegram,
// and a phone and an email), found with "Merge with…", the side-by-side preview checked in both directions, merged,
// the page showing both channels' identities; then "Undo merge" in the merges section and both are as they were.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { resolveIdentities } from '../../connectors/contacts/identity.js';
import { createContactsService } from '../../prisma/contacts.js';
import { browserSession, type Confluo } from './harness.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));

async function contact(
  name: string,
  identities: { kind: string; value: string }[],
  attributes: Record<string, string>,
) {
  const { contact } = await createContactsService(confluo.prisma).upsert(confluo.workspaceId, {
    name,
    identities: resolveIdentities(identities),
    attributes,
    source: { type: 'api', ref: 'e2e' },
  });
  return contact.id;
}

const identitiesText = () => page.locator('section[aria-labelledby="identities-title"]').innerText();

describe('merge and unmerge on the contact page in Chromium', () => {
  it('merges two contacts of one person after a side-by-side preview, then undoes it', async () => {
    onTestFailed(async () => {
      await shot('contact-merge-failure');
      console.error('page errors:', pageErrors);
    });
    const rosa = await contact('Rosa Díaz', [{ kind: 'telegram', value: '90001' }], { city: 'Madrid' });
    const rosaD = await contact(
      'Rosa D.',
      [
        { kind: 'phone', value: '+34600111222' },
        { kind: 'email', value: 'rosa@example.com' },
      ],
      { city: 'Sevilla', plan: 'gold' },
    );

    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    const listed = page.waitForResponse((r) => r.url().endsWith(`/api/contacts/${rosa}/merges`));
    await page.goto(`${confluo.baseUrl}/contacts/${rosa}`);
    await page.getByRole('heading', { name: 'Rosa Díaz', level: 1 }).waitFor();
    expect((await listed).status()).toBe(200);
    // Never merged: no merges section.
    expect(await page.getByRole('heading', { name: 'Merges' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Merge with…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge contacts' });
    await dialog.getByRole('textbox', { name: 'Find a contact' }).fill('rosa@example.com');
    await dialog.getByRole('button', { name: 'Search' }).click();
    await dialog.getByRole('list', { name: 'Contacts found' }).getByRole('button', { name: 'Rosa D.' }).click();

    const preview = dialog.getByLabel('Merge preview');
    const result = preview.getByLabel('Result');
    await result.waitFor();
    expect(await preview.getByLabel('Rosa Díaz (survives)').innerText()).toContain('90001');
    const merged = await preview.getByLabel('Rosa D. (merged into it)').innerText();
    expect(merged).toContain('+34600111222');
    expect(merged).toContain('Sevilla');
    const resultIdentities = await result.getByRole('list', { name: 'Identities' }).innerText();
    for (const v of ['90001', '+34600111222', 'rosa@example.com']) expect(resultIdentities).toContain(v);
    expect(await result.locator('.merge-name').innerText()).toContain('Rosa Díaz from Rosa Díaz');
    expect(await result.locator('.merge-name del').innerText()).toBe('Rosa D.');
    // The survivor's city wins, the other set aside; the plan only the merged one had comes along.
    const attribute = (key: string) =>
      result.locator('div[data-from]').filter({ has: page.locator('dt', { hasText: new RegExp(`^${key}$`) }) });
    expect(await attribute('city').getAttribute('data-from')).toBe('survivor');
    expect(await attribute('city').locator('dd').innerText()).toContain('Madrid from Rosa Díaz');
    expect(await attribute('city').locator('del').innerText()).toBe('Sevilla');
    expect(await attribute('plan').getAttribute('data-from')).toBe('merged');
    expect(await attribute('plan').locator('dd').innerText()).toBe('gold from Rosa D.');
    await shot('contact-merge-preview');

    // The other way round, then back.
    await dialog.getByRole('radio', { name: 'Keep Rosa D., merge Rosa Díaz into it' }).check();
    await preview.getByLabel('Rosa D. (survives)').waitFor();
    await expect.poll(() => result.locator('.merge-name').innerText()).toMatch(/^Rosa D\. from Rosa D\./);
    await dialog.getByRole('radio', { name: 'Keep Rosa Díaz, merge Rosa D. into it' }).check();
    await preview.getByLabel('Rosa Díaz (survives)').waitFor();

    await dialog.getByRole('button', { name: 'Merge Rosa D. into Rosa Díaz' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The page shows both channels' identities.
    await expect.poll(identitiesText).toContain('+34600111222');
    const shown = await identitiesText();
    for (const v of ['90001', 'rosa@example.com']) expect(shown).toContain(v);
    const view = (await call('GET', `/api/contacts/${rosa}`)).json;
    expect(view.members.map((m: { id: string }) => m.id)).toEqual([rosaD]);
    expect(view.attributes).toEqual({ city: 'Madrid', plan: 'gold' });

    // The merges section: who and when, and Undo merge after a confirm.
    const merges = page.getByRole('list', { name: 'Merges' });
    const item = merges.getByRole('listitem').filter({ hasText: 'Rosa D. merged into Rosa Díaz' });
    expect(await item.innerText()).toContain('through the API');
    await shot('contact-merged');
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await item.getByRole('button', { name: 'Undo merge of Rosa D.' }).click();
    const status = page.getByRole('status').filter({ hasText: 'Merge undone' });
    await status.waitFor();
    expect(dialogs).toEqual([expect.stringMatching(/^Undo this merge\? Rosa D\. becomes a contact of its own again/)]);
    await expect.poll(identitiesText).not.toContain('+34600111222');
    expect(await identitiesText()).toContain('90001');
    await merges
      .getByRole('listitem')
      .filter({ hasText: 'Rosa D. merged into Rosa Díaz' })
      .filter({ hasText: 'undone' })
      .waitFor();
    expect(await merges.getByRole('button', { name: /Undo merge/ }).count()).toBe(0);

    const back = (await call('GET', `/api/contacts/${rosa}`)).json;
    expect(back.members).toBeUndefined();
    expect(back.attributes).toEqual({ city: 'Madrid' });
    const restored = (await call('GET', `/api/contacts/${rosaD}`)).json;
    expect(restored.mergedInto).toBeUndefined();
    expect(restored.attributes).toEqual({ city: 'Sevilla', plan: 'gold' });

    // The restored contact's page, from the link.
    await status.getByRole('link', { name: 'Rosa D.' }).click();
    await page.getByRole('heading', { name: 'Rosa D.', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/contacts/${rosaD}`);
    const own = await identitiesText();
    expect(own).toContain('+34600111222');
    expect(own).not.toContain('90001');
    expect(pageErrors).toEqual([]);
  });

  it('previews a duplicate suggestion before merging it, the other one surviving', async () => {
    onTestFailed(async () => {
      await shot('contact-merge-duplicates-failure');
      console.error('page errors:', pageErrors);
    });
    // The same mailbox but a +tag: a suggestion, not a merge.
    const tom = await contact('Tom Kent', [{ kind: 'email', value: 'tom@example.com' }], { city: 'Oslo' });
    const kent = await contact(
      'T. Kent',
      [
        { kind: 'telegram', value: '777' },
        { kind: 'email', value: 'tom+shop@example.com' },
      ],
      { city: 'Bergen' },
    );
    await page.goto(`${confluo.baseUrl}/contacts/duplicates`);
    const pair = page.getByRole('listitem', { name: 'Tom Kent and T. Kent' });
    await pair.getByRole('button', { name: 'Preview merge…' }).click();
    const dialog = pair.getByRole('dialog', { name: 'Merge contacts' });
    // The pair is given: no search.
    expect(await dialog.getByRole('textbox', { name: 'Find a contact' }).count()).toBe(0);
    const result = dialog.getByLabel('Merge preview').getByLabel('Result');
    await dialog.getByLabel('Tom Kent (survives)').waitFor();
    expect(await result.locator('del').allTextContents()).toEqual(['T. Kent', 'Bergen']);

    await dialog.getByRole('radio', { name: 'Keep T. Kent, merge Tom Kent into it' }).check();
    await dialog.getByLabel('T. Kent (survives)').waitFor();
    await expect.poll(() => result.locator('del').allTextContents()).toEqual(['Tom Kent', 'Oslo']);
    expect(await result.getByRole('list', { name: 'Identities' }).innerText()).toContain('tom@example.com');
    await dialog.getByRole('button', { name: 'Merge Tom Kent into T. Kent' }).click();
    await page.getByRole('status').getByText('Merged Tom Kent into T. Kent.').waitFor();
    const merged = (await call('GET', `/api/contacts/${kent}`)).json;
    expect(merged.members.map((m: { id: string }) => m.id)).toEqual([tom]);
    expect(merged.attributes).toEqual({ city: 'Bergen' });

    await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('status').getByText('Merge undone: both contacts are as they were.').waitFor();
    expect((await call('GET', `/api/contacts/${kent}`)).json.members).toBeUndefined();
    expect(pageErrors).toEqual([]);
  });
});
