import { describe, expect, it } from 'vitest';
import { isRunFailedEvent } from './run-failed-activities.js';

describe('which failed runs are run.failed events', () => {
  it('counts published runs of any trigger', () => {
    expect(isRunFailedEvent({ version: 1, trigger: { body: {}, headers: {} } })).toBe(true);
    expect(isRunFailedEvent({ version: 2, trigger: { event: 'contact.created' } })).toBe(true);
    expect(isRunFailedEvent({ version: 1, trigger: null })).toBe(true);
  });

  it('leaves out test runs, sub-flow children and runs a run.failed started (no cascade)', () => {
    expect(isRunFailedEvent({ version: 0, trigger: { body: {} } })).toBe(false);
    expect(isRunFailedEvent({ version: 1, trigger: { type: 'subflow', parent: {}, input: {} } })).toBe(false);
    expect(isRunFailedEvent({ version: 1, trigger: { event: 'run.failed', run: {} } })).toBe(false);
    expect(isRunFailedEvent({ version: 1, trigger: { event: 'run.failed', errorFlow: true } })).toBe(false);
  });
});
