// Switch, error branch and join in the editor, in real Chromium against a real Confluo (PostgreSQL, Temporal dev
// server, worker): a switch with two cases built in the inspector, its branches connected (added after it from the
// palette, and one handle dragged to a node), a join set to "first" where two branches meet, an empty case rule shown
// as an issue that blocks publishing, then the flow published and its version read back through the API.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { addAfter, connect, createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot, call } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const out = (id: string, branch?: string) =>
  node(id).locator(`.react-flow__handle.source${branch ? `[data-handleid="${branch}"]` : ''}`);

/** Drags a palette item onto the canvas at (x, y) relative to the canvas. */
async function dropFromPalette(item: string, x: number, y: number) {
  await page
    .locator(`[data-palette="${item}"]`)
    .dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y } });
}

describe('switch, error branch and join in Chromium', () => {
  it('builds a switch with two cases, connects its branches, refuses an empty case rule, and publishes', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-branches');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Tiers');

    // The switch, after the trigger; its first case from the builder, a second one added.
    await addAfter(page, 'trigger', 'switch');
    await node('switch').waitFor();
    await node('switch').click();
    const side = page.locator('.side');
    const case1 = side.getByRole('group', { name: 'Case 1' });
    await case1.getByLabel('Value', { exact: true }).fill('trigger.body.tier');
    await case1.getByLabel('Compared to').fill('gold');
    await case1.getByLabel('Label').fill('Gold');
    await side.getByRole('button', { name: 'Add case' }).click();
    const case2 = side.getByRole('group', { name: 'Case 2' });
    await case2.getByLabel('Value', { exact: true }).fill('trigger.body.tier');
    await case2.getByLabel('Compared to').fill('silver');
    // One handle per case and the default, labelled by the case's label or its branch name.
    await out('switch', 'default').waitFor();
    expect(
      await node('switch')
        .locator('.react-flow__handle.source')
        .evaluateAll((hs) => hs.map((h) => h.textContent)),
    ).toEqual(['Gold', 'case_2', 'default']);

    // Added after the switch: each takes the next free branch (case_1, then case_2).
    await addAfter(page, 'switch', 'set');
    await node('set').waitFor();
    await addAfter(page, 'switch', 'set');
    await node('set_2').waitFor();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    // The default branch dragged to a node dropped on the canvas; an action, with its error output.
    // (Auto-layout leaves the top corners free, beside the trigger.)
    await dropFromPalette('http.request', 130, 120);
    await node('request').waitFor();
    await out('request', 'error').waitFor();
    await connect(page, out('switch', 'default'), 'request');
    // Both case branches meet in one node: the join selector appears there.
    await dropFromPalette('delay', 580, 120);
    await node('delay').waitFor();
    await connect(page, out('set'), 'delay');
    await node('delay').click();
    await expect.poll(() => side.getByLabel('Where branches meet').count()).toBe(0);
    await connect(page, out('set_2'), 'delay');
    await node('delay').click();
    await side.getByLabel('Where branches meet').selectOption('first');
    await node('request').click();
    await side.getByTestId('error-branch-hint').waitFor();
    await side.getByLabel(/^URL/).fill('https://example.com/hook');
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.getByText('✓ Ready to publish').waitFor();
    await shot('flow-branches-1-switch');

    // An empty rule in case 2 is an issue on the switch, under that case; Publish is disabled until it is fixed.
    await node('switch').click();
    await case2.getByRole('button', { name: 'JSON', exact: true }).click();
    await case2.getByLabel('Rule (json-logic)').fill('{}');
    await node('switch').getByTestId('issues-switch').waitFor();
    await case2.getByText('case 2 of switch "switch" has an empty rule').waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await shot('flow-branches-2-empty-rule');
    await case2.getByLabel('Rule (json-logic)').fill('{ "==": [{ "var": "trigger.body.tier" }, "silver"] }');
    await node('switch').getByTestId('issues-switch').waitFor({ state: 'detached' });
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('published').waitFor();
    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = (await call('GET', `/api/flows/${flowId}/versions/1`)).json.definition as {
      nodes: Array<Record<string, unknown>>;
      edges: unknown[];
    };
    const byId = Object.fromEntries(saved.nodes.map(({ position: _p, ...n }) => [n.id, n]));
    expect(byId.switch).toEqual({
      id: 'switch',
      type: 'switch',
      cases: [
        { id: 'case_1', name: 'Gold', rule: { '==': [{ var: 'trigger.body.tier' }, 'gold'] } },
        { id: 'case_2', rule: { '==': [{ var: 'trigger.body.tier' }, 'silver'] } },
      ],
    });
    expect(byId.delay).toMatchObject({ type: 'delay', join: 'first' });
    expect(saved.edges).toEqual(
      expect.arrayContaining([
        { from: 'trigger', to: 'switch' },
        { from: 'switch', to: 'set', branch: 'case_1' },
        { from: 'switch', to: 'set_2', branch: 'case_2' },
        { from: 'switch', to: 'request', branch: 'default' },
        { from: 'set', to: 'delay' },
        { from: 'set_2', to: 'delay' },
      ]),
    );
    expect(saved.edges).toHaveLength(6);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
