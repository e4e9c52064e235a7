// Flow files in real Chromium against a real Confluo: a flow made through the API exported from the flows list (the
// download read back), imported again as a new flow with the same definition, exported from the editor's top bar;
// a broken file and a definition the server refuses are shown in words, and nothing is created.
import { readFile } from 'node:fs/promises';
import type { Download, Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));

const definition = {
  schemaVersion: 1,
  trigger: { type: 'webhook' },
  nodes: [
    { id: 'greet', type: 'set', values: { hello: '{{ trigger.body.name }}' }, position: { x: 40, y: 160 } },
    { id: 'pause', type: 'delay', duration: 'PT5M', position: { x: 40, y: 300 } },
  ],
  edges: [
    { from: 'trigger', to: 'greet' },
    { from: 'greet', to: 'pause' },
  ],
};

const flowIds = async () =>
  ((await call('GET', '/api/flows?limit=100')).json.items as { id: string }[]).map((f) => f.id);
async function downloaded(start: () => Promise<void>): Promise<{ name: string; json: any }> {
  const [download] = (await Promise.all([page.waitForEvent('download'), start()])) as [Download, void];
  return { name: download.suggestedFilename(), json: JSON.parse(await readFile((await download.path())!, 'utf8')) };
}
const importFile = (name: string, text: string) =>
  page
    .getByLabel('Import a flow file')
    .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

describe('flow files in Chromium', () => {
  it('exports a flow, imports it back as a new flow with the same definition, and refuses broken files', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-file');
      console.error('page errors:', pageErrors);
    });
    const created = await call('POST', '/api/flows', { name: 'Order follow-up (EU)', definition });
    expect(created.status).toBe(201);
    await page.goto(confluo.baseUrl);
    await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
    await page.reload();

    // Export from the flows list: the latest draft, wrapped.
    const exported = await downloaded(() =>
      page.getByRole('button', { name: 'Export Order follow-up (EU)', exact: true }).click(),
    );
    expect(exported.name).toBe('order-follow-up-eu.confluo-flow.json');
    expect(exported.json).toEqual({ confluo: 'flow', version: 1, name: 'Order follow-up (EU)', definition });

    // Broken files: refused in words, nothing created.
    const before = await flowIds();
    await importFile('broken.json', '{ "confluo": "flow", ');
    await expect
      .poll(() => page.getByTestId('import-error').textContent())
      .toMatch(/^Not imported: The file is not valid JSON/);
    await importFile('future.json', JSON.stringify({ ...exported.json, version: 9 }));
    await expect
      .poll(() => page.getByTestId('import-error').textContent())
      .toBe('Not imported: This flow file is version 9, made by a newer Confluo; this one reads version 1.');
    // A definition only the server can refuse (its 400), shown with the field it names.
    await importFile('bad.json', JSON.stringify({ ...exported.json, definition: { ...definition, schemaVersion: 2 } }));
    await expect
      .poll(() => page.getByTestId('import-error').textContent())
      .toMatch(/^Not imported: definition is not a version 1 flow definition: \/body\/definition\/schemaVersion/);
    await shot('12-flow-import-refused');
    expect(await flowIds()).toEqual(before);

    // Import the exported file: a new flow of the same name and definition, opened in the editor.
    await importFile(exported.name, JSON.stringify(exported.json, null, 2));
    await page.waitForURL((url) => /^\/flows\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(created.json.id));
    const importedId = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator('.react-flow__node[data-id="pause"]').waitFor();
    const imported = await call('GET', `/api/flows/${importedId}`);
    expect(imported.json.name).toBe('Order follow-up (EU)');
    expect(imported.json.definition).toEqual(definition);
    expect(await flowIds()).toEqual([importedId, ...before]);
    await shot('12-flow-imported');

    // Export from the editor's top bar: the draft on the canvas.
    const again = await downloaded(() => page.getByRole('button', { name: 'Export', exact: true }).click());
    expect(again).toEqual(exported);
    expect(pageErrors).toEqual([]);
  });
});
