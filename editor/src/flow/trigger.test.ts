import { describe, expect, it } from 'vitest';
import type { FlowDefinition } from './model.js';
import { patchChannelTrigger, switchTrigger, toggled } from './trigger.js';

const empty = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [],
  edges: [],
});

describe('trigger edits', () => {
  it('switches between webhook and channel message, dropping what the other kind cannot use', () => {
    const web = empty({ type: 'webhook', sample: { body: { a: 1 } } });
    const ch = switchTrigger(web, 'channel.message');
    expect(ch.trigger).toEqual({ type: 'channel.message' });
    expect(switchTrigger(ch, 'channel.message')).toBe(ch);
    expect(switchTrigger(ch, 'webhook').trigger).toEqual({ type: 'webhook' });
  });

  it('sets channels, accounts and filter in schema order, removing empty ones', () => {
    let d = empty({ type: 'channel.message' });
    d = patchChannelTrigger(d, { filter: { '==': [{ var: 'trigger.message.text' }, 'hi'] } });
    d = patchChannelTrigger(d, { accounts: ['acc_1'] });
    d = patchChannelTrigger(d, { channels: ['sms'] });
    expect(JSON.stringify(d.trigger)).toBe(
      '{"type":"channel.message","channels":["sms"],"accounts":["acc_1"],"filter":{"==":[{"var":"trigger.message.text"},"hi"]}}',
    );
    d = patchChannelTrigger(d, { channels: [], filter: undefined });
    expect(d.trigger).toEqual({ type: 'channel.message', accounts: ['acc_1'] });
    // a webhook trigger has none of these
    const web = empty({ type: 'webhook' });
    expect(patchChannelTrigger(web, { channels: ['sms'] })).toBe(web);
  });

  it('toggles list members in the order of the known list, keeping unknown ones', () => {
    const all = ['sms', 'telegram', 'whatsapp'];
    expect(toggled(undefined, 'whatsapp', true, all)).toEqual(['whatsapp']);
    expect(toggled(['whatsapp', 'gone'], 'sms', true, all)).toEqual(['sms', 'whatsapp', 'gone']);
    expect(toggled(['sms', 'whatsapp'], 'sms', false, all)).toEqual(['whatsapp']);
  });
});
