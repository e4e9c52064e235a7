import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from './model.js';
import { patchPlatformTrigger, platformSummary, SAMPLE_PLATFORM_EVENTS } from './platform-trigger.js';
import { startingSample, switchTrigger, triggerSummary } from './trigger.js';

const empty = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [],
  edges: [],
});

describe('platform event triggers', () => {
  it('sets and clears channels and the filter of a conversation event, in the schema order', () => {
    let d = switchTrigger(empty({ type: 'webhook' }), 'conversation.closed');
    expect(d.trigger).toEqual({ type: 'conversation.closed' });
    d = patchPlatformTrigger(d, { filter: { '==': [{ var: 'trigger.channel' }, 'sms'] } });
    d = patchPlatformTrigger(d, { channels: ['sms'] });
    expect(Object.keys(d.trigger)).toEqual(['type', 'channels', 'filter']);
    expect(triggerSummary(d.trigger)).toEqual({ title: 'Conversation closed', sub: 'sms · filtered' });
    d = patchPlatformTrigger(d, { channels: [], filter: undefined });
    expect(d.trigger).toEqual({ type: 'conversation.closed' });
  });

  it('gives run.failed flows, never channels, and says how many', () => {
    let d = empty({ type: 'run.failed' });
    d = patchPlatformTrigger(d, { channels: ['sms'], flows: ['flw_a', 'flw_b'] });
    expect(d.trigger).toEqual({ type: 'run.failed', flows: ['flw_a', 'flw_b'] });
    expect(platformSummary({ type: 'run.failed', flows: ['flw_a'] })).toBe('1 flow');
    expect(platformSummary({ type: 'run.failed' })).toBe('any flow');
    expect(platformSummary({ type: 'message.failed' })).toBe('any channel');
    // Other triggers are left alone.
    const webhook = empty({ type: 'webhook' });
    expect(patchPlatformTrigger(webhook, { channels: ['sms'] })).toBe(webhook);
  });

  it('starts test runs from the sample event of the type, unless the trigger has its own', () => {
    expect(startingSample({ type: 'run.failed' })).toBe(SAMPLE_PLATFORM_EVENTS['run.failed']);
    expect(SAMPLE_PLATFORM_EVENTS['run.failed']).toMatchObject({ run: {}, step: {}, error: {} });
    expect(startingSample({ type: 'message.failed', sample: { x: 1 } })).toEqual({ x: 1 });
  });
});
