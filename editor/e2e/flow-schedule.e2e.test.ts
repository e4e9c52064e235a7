// A flow started on a schedule, in real Chromium against a real Confluo (PostgreSQL, Temporal dev server, worker):
// the trigger form's Schedule choice, an invalid cron refused with its message on the field (and publish blocked),
// the cron fixed and a time zone chosen, the flow published, and the next run time Temporal's schedule gives shown;
// then the published schedule's state and next runs in the trigger's form, paused and resumed there.
import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import { browserSession, type Confluo } from './harness.js';
import { createFlow, signIn } from './canvas.js';

let confluo: Confluo;
let page: Page;
const { pageErrors, shot } = browserSession((s) => ({ confluo, page } = s));
const node = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const summary = () => node('trigger').getByTestId('trigger-summary').textContent();

describe('schedule trigger in Chromium', () => {
  it('sets up a schedule, refuses a bad cron on its field, publishes and shows the next run', async () => {
    onTestFailed(async () => {
      await shot('failure-flow-schedule');
      console.error('page errors:', pageErrors);
    });
    await signIn(page, confluo);
    await createFlow(page, 'Weekday digest');
    await node('trigger').click();
    const side = page.locator('.side');

    await side.getByLabel('Schedule', { exact: true }).check();
    await expect.poll(summary).toBe('0 9 * * 1-5 · UTC');

    // A step after the trigger, so only the schedule can keep the flow from publishing.
    await page.locator('[data-palette="set"]').focus();
    await page.keyboard.press('Enter');
    await node('set').waitFor();
    await node('set').click();
    await side.getByLabel('Values').fill('{ "at": "{{ trigger.scheduledAt }}" }');
    await page.getByText('✓ Ready to publish').waitFor();

    // An invalid cron (minute 61): the message names the field's problem, and publishing is blocked.
    await node('trigger').click();
    const cron = side.getByLabel('Cron expression');
    await cron.fill('61 9 * * 1-5');
    const cronProblems = side.getByRole('list', { name: 'Problems with cron' });
    await expect
      .poll(() => cronProblems.textContent(), { timeout: 10_000 })
      .toMatch(/cron "61 9 \* \* 1-5" is not valid: .*minute/);
    await page.getByText('Fix 1 issue before publishing.').waitFor();
    expect(await page.getByRole('button', { name: 'Publish' }).isDisabled()).toBe(true);
    await shot('41-schedule-invalid-cron');

    // Fixed, in Paris time; an unknown zone is refused the same way first.
    await cron.fill('30 9 * * 1-5');
    await side.getByLabel('Time zone').fill('Europe/Pariss');
    await expect
      .poll(() => side.getByRole('list', { name: 'Problems with timezone' }).textContent(), { timeout: 10_000 })
      .toMatch(/not an IANA time zone/);
    await side.getByLabel('Time zone').fill('Europe/Paris');
    await cronProblems.waitFor({ state: 'detached' });
    await expect.poll(summary).toBe('30 9 * * 1-5 · Europe/Paris');
    await page.getByText('✓ Ready to publish').waitFor();
    await page.getByText('All changes saved').waitFor();

    await page.getByRole('button', { name: 'Publish' }).click();
    const published = page.getByTestId('published');
    await published.waitFor();
    // The notice shows at once; the next run once the flow is read back (GET /api/flows/:id asks Temporal).
    await expect.poll(() => published.textContent(), { timeout: 10_000 }).toMatch(/^Published version 1\. Next run: /);
    const next = await page.getByTestId('next-run').getAttribute('datetime');
    expect(next).toMatch(/^\d{4}-\d\d-\d\dT/);
    const wall = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(next!));
    expect(wall).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:30$/);
    expect(new Date(next!).getTime()).toBeGreaterThan(Date.now());
    await page.getByRole('tab', { name: 'Versions' }).click();
    await side.getByText('This flow starts on its schedule, not on a webhook.').waitFor();
    await shot('42-schedule-published');

    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const saved = await confluo.call('GET', `/api/flows/${flowId}/versions/1`);
    expect(saved.json.definition.trigger).toEqual({ type: 'schedule', cron: '30 9 * * 1-5', timezone: 'Europe/Paris' });

    // The trigger's form shows the published schedule: active, its next runs; paused and resumed from there.
    await page.getByRole('tab', { name: 'Step' }).click();
    await node('trigger').click();
    const status = side.getByRole('region', { name: 'Published schedule' });
    const state = status.getByTestId('schedule-state');
    await expect.poll(() => state.getAttribute('data-state')).toBe('active');
    const nextRuns = status.getByRole('list', { name: 'Next runs' }).locator('time');
    expect(await nextRuns.first().getAttribute('datetime')).toBe(next);
    expect(await nextRuns.count()).toBeGreaterThan(1);
    await status.getByRole('button', { name: 'Pause schedule' }).click();
    await expect.poll(() => state.getAttribute('data-state')).toBe('paused');
    expect(await status.getByRole('list', { name: 'Next runs' }).count()).toBe(0);
    expect((await confluo.call('GET', `/api/flows/${flowId}`)).json.schedule).toEqual({
      state: 'paused',
      nextRunAt: [],
    });
    await shot('43-schedule-paused');
    await status.getByRole('button', { name: 'Resume schedule' }).click();
    await expect.poll(() => state.getAttribute('data-state')).toBe('active');
    expect((await confluo.call('GET', `/api/flows/${flowId}`)).json.schedule.state).toBe('active');
    await status.getByRole('button', { name: 'Pause schedule' }).waitFor();
    // Deleting the flow deletes its Temporal Schedule (the dev server outlives this file).
    expect((await confluo.call('DELETE', `/api/flows/${flowId}`)).status).toBe(204);
  });
});
