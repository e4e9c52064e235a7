// Data functions in the editor, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker): a
// set node whose value is piped through `text.lower` from the data picker's Functions list, a condition on the email's
// domain through the condition builder's Function list, published, and a test run whose output is the lower-cased
// email, the condition true.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

describe('data functions in Chromium', () => {
  it('pipes a set value through text.lower from the Functions list, publishes, and a test run lower-cases', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-functions');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Lower-case emails');
    await page.locator('[data-palette="set"]').focus();
    await page.keyboard.press('Enter');
    await node('set').waitFor();
    await node('set').click();

    const side = page.locator('.side');
    const values = side.getByLabel('Values');
    await values.fill('{ "email": "{{ trigger.body.email }}" }');
    await values.click();
    await page.keyboard.press('End');
    const functions = side.locator('.function-list');
    await functions.locator('summary').click();
    await functions.getByRole('button', { name: /^text\.lower/ }).click();
    await expect.poll(() => values.inputValue()).toBe('{ "email": "{{ trigger.body.email | text.lower }}" }');
    await shot('flow-functions-1-picker');

    // A wrong argument is an issue on the node before publishing.
    await values.fill('{ "email": "{{ trigger.body.email | text.pad: \\"five\\" }}" }');
    await side.getByText(/text\.pad: argument 2 \(length\) must be integer/).waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await values.fill('{ "email": "{{ trigger.body.email | text.lower }}" }');
    await page.getByText('✓ Ready to publish').waitFor();

    // The condition builder applies a function to a row's value: the email's domain.
    await page.locator('[data-palette="condition"]').focus();
    await page.keyboard.press('Enter');
    await node('condition').waitFor();
    await node('condition').click();
    await side.getByLabel('Value', { exact: true }).fill('steps.set.output.email');
    await side.getByLabel('Function', { exact: true }).selectOption('email.domain');
    await side.getByLabel('Compared to').fill('example.com');
    await side.getByRole('button', { name: 'JSON', exact: true }).click();
    await expect
      .poll(async () => JSON.parse(await side.getByLabel('Rule (json-logic)').inputValue()) as unknown)
      .toEqual({ '==': [{ 'email.domain': [{ var: 'steps.set.output.email' }] }, 'example.com'] });
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByTestId('published').waitFor();

    await page.getByRole('tab', { name: 'Test run' }).click();
    await page.getByLabel('Sample event').fill('{ "body": { "email": "Ada.Lovelace@Example.COM" } }');
    await page.getByRole('button', { name: 'Run test' }).click();
    await expect
      .poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000, interval: 500 })
      .toBe('completed');
    await page.locator('.run-steps summary').first().click();
    await page.locator('.run-steps pre', { hasText: '"email": "ada.lovelace@example.com"' }).waitFor();
    expect(await page.getByTestId('status-condition').textContent()).toBe('completed');
    await page.locator('.run-steps summary', { hasText: 'condition' }).getByText('→ true').waitFor();
    await shot('flow-functions-2-test-run');
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
