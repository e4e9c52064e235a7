// What the browser tests of the flow editor share: signing a page in with the API key, creating a flow from the flows
// screen, adding a node after another, drawing an edge on the canvas, and opening the newest run once it completed.
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Confluo } from './harness.js';

/** A node on the canvas by its id (`trigger` for the trigger). */
export const canvasNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

/** Opens the editor signed in with the server's key (kept in sessionStorage, as the sign-in form keeps it). */
export async function signIn(page: Page, confluo: Pick<Confluo, 'baseUrl' | 'key'>): Promise<void> {
  await page.goto(confluo.baseUrl);
  await page.evaluate((key) => sessionStorage.setItem('confluo.apiKey', key), confluo.key);
  await page.reload();
}

/** Creates a flow from the flows screen and waits for its canvas (its trigger node). */
export async function createFlow(page: Page, name: string): Promise<void> {
  await page.getByLabel('New flow name').fill(name);
  await page.getByRole('button', { name: 'Create flow' }).click();
  await canvasNode(page, 'trigger').waitFor();
}

/** Adds a palette item after the selected node with the keyboard (connected by its first free branch). */
export async function addAfter(page: Page, selected: string, item: string): Promise<void> {
  await canvasNode(page, selected).click();
  await page.locator(`[data-palette="${item}"]`).focus();
  await page.keyboard.press('Enter');
}

/** Draws an edge by dragging from a source handle to the target node's input handle. */
export async function connect(page: Page, source: Locator, targetId: string): Promise<void> {
  const edges = page.locator('.react-flow__edge');
  const before = await edges.count();
  // A press that misses the handle pans the canvas instead: check the edge appeared, and try again from where the
  // handles are now.
  for (let attempt = 0; attempt < 3; attempt++) {
    await source.hover();
    const from = (await source.boundingBox())!;
    const to = (await canvasNode(page, targetId).locator('.react-flow__handle.target').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await page.mouse.up();
    const ok = await expect
      .poll(() => edges.count(), { timeout: 2000 })
      .toBe(before + 1)
      .then(
        () => true,
        () => false,
      );
    if (ok) return;
  }
  throw new Error(`could not connect to ${targetId}`);
}

/**
 * Opens the flow's Runs tab, refreshes until it lists `runs` runs (default: any), opens the newest and waits for it to
 * have completed (30 s each).
 */
export async function openCompletedRun(page: Page, runs?: number): Promise<void> {
  await page.getByRole('tab', { name: 'Runs' }).click();
  const runButton = page.getByRole('list', { name: 'Runs' }).getByRole('button');
  const listed = expect.poll(
    async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return runButton.count();
    },
    { timeout: 30_000, interval: 700 },
  );
  await (runs === undefined ? listed.toBeGreaterThan(0) : listed.toBe(runs));
  await runButton.first().click();
  await expect
    .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000, interval: 500 })
    .toBe('completed');
}
