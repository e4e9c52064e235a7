// A sub-flow node in the editor, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): a
// published flow chosen in the inspector of a new flow's Sub-flow step (an empty choice is an issue that blocks
// publishing), the flow published and its version read back, a run's step linking to its child run; then, in the
// called flow, a Sub-flow step calling it back is shown as a cycle, with the chain named, and cannot be published.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { addAfter, createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

describe('sub-flow in Chromium', () => {
  it('calls a published flow chosen in the inspector, publishes, and refuses a cycle back to it', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-subflow');
      console.error('page errors:', pageErrors);
    });
    const child = await call('POST', '/api/flows', {
      name: 'Child',
      definition: {
        schemaVersion: 1,
        trigger: { type: 'webhook' },
        nodes: [{ id: 'calc', type: 'set', values: { ok: true } }],
        edges: [{ from: 'trigger', to: 'calc' }],
      },
    });
    expect(child.status).toBe(201);
    const childId = child.json.id as string;
    expect((await call('POST', `/api/flows/${childId}/publish`)).status).toBe(201);

    await signIn(page, confluo);
    await createFlow(page, 'Parent');
    const parentId = new URL(page.url()).pathname.split('/').pop()!;

    // A new Sub-flow step calls nothing yet: an issue, and Publish is disabled.
    await addAfter(page, 'trigger', 'subflow');
    await node('subflow').waitFor();
    await node('subflow').click();
    const side = page.locator('.side');
    await node('subflow').getByTestId('issues-subflow').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    // Only published flows other than this one are offered.
    const flowSelect = side.getByLabel('Flow', { exact: true });
    await expect.poll(() => flowSelect.locator('option').allTextContents()).toContain('Child');
    expect(await flowSelect.locator('option').allTextContents()).not.toContain('Parent');
    await flowSelect.selectOption({ label: 'Child' });
    await side.getByLabel('Version').selectOption({ label: 'Version 1' });
    await side.getByLabel('Input').fill('{ "email": "{{ trigger.body.email }}" }');
    // A timeout for the called run: zero is refused under the field (and blocks publishing), two hours taken.
    await side.getByLabel('Limit how long the called run may take').check();
    const timeout = side.getByRole('group', { name: 'Timeout' });
    await timeout.getByLabel('Amount').fill('0');
    await expect
      .poll(() => side.getByRole('alert').allTextContents(), { timeout: 10_000 })
      .toContain('timeout "PT0H" is out of range: a sub-flow timeout goes from PT1S to P366D');
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await timeout.getByLabel('Amount').fill('2');
    await timeout.getByLabel('Unit').selectOption('hours');
    await side.getByLabel('When the called run fails').selectOption('continue');
    await node('subflow').getByTestId('issues-subflow').waitFor({ state: 'detached' });
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();
    await shot('flow-subflow-1-inspector');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('published').waitFor();
    const saved = (await call('GET', `/api/flows/${parentId}/versions/1`)).json.definition as {
      nodes: Array<Record<string, unknown>>;
    };
    expect(saved.nodes.map(({ position: _p, ...n }) => n)).toEqual([
      {
        id: 'subflow',
        type: 'subflow',
        flow: childId,
        version: 1,
        input: { email: '{{ trigger.body.email }}' },
        timeout: 'PT2H',
        onError: 'continue',
      },
    ]);

    // A run of the parent: its step links to the child run, which opens in the child flow's editor.
    const hook = new URL((await call('GET', `/api/flows/${parentId}`)).json.webhookUrl as string).pathname;
    const fired = await fetch(`${confluo.baseUrl}${hook}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sub@example.com' }),
    });
    const { runId } = (await fired.json()) as { runId: string };
    await page.goto(`${confluo.baseUrl}/flows/${parentId}?run=${encodeURIComponent(runId)}`);
    await expect
      .poll(() => page.getByTestId('run-status').first().textContent(), { timeout: 30_000 })
      .toBe('completed');
    const childRun = page.getByTestId('child-run');
    await childRun.first().waitFor();
    expect(await childRun.first().textContent()).toBe(`${runId}:sub:subflow`);
    await shot('flow-subflow-2-run');
    await childRun.first().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/flows/${childId}`);
    await expect
      .poll(() => page.getByTestId('run-status').first().textContent(), { timeout: 30_000 })
      .toBe('completed');
    await page.getByText(`Run ${runId}:sub:subflow`).first().waitFor();

    // The child calling the parent back (by latest) is a cycle: publish refuses it, naming the chain.
    await page.goto(`${confluo.baseUrl}/flows/${childId}`);
    await node('calc').waitFor();
    await addAfter(page, 'calc', 'subflow');
    await node('subflow').waitFor();
    await node('subflow').click();
    await expect.poll(() => flowSelect.locator('option').allTextContents()).toContain('Parent');
    await flowSelect.selectOption({ label: 'Parent' });
    // Shown on the canvas and in the inspector as the draft is validated, the chain named; Publish stays disabled, and
    // the API refuses the publish too.
    await node('subflow').getByTestId('issues-subflow').waitFor();
    await side.getByText(`would recurse: ${childId} → ${parentId} → ${childId}`).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await page.getByText('All changes saved').waitFor();
    await shot('flow-subflow-3-cycle');
    const refused = await call('POST', `/api/flows/${childId}/publish`);
    expect(refused.status).toBe(422);
    expect(refused.json.error.issues).toEqual([
      expect.objectContaining({ code: 'subflow_cycle', path: '/nodes/1/flow', nodeId: 'subflow' }),
    ]);
    expect((await call('GET', `/api/flows/${childId}`)).json.latestVersion).toBe(1);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
