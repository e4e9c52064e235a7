import { describe, expect, it } from 'vitest';
import type { ConnectorManifest } from '../api/types.js';
import type { FlowDefinition } from './model.js';
import { isPollTrigger, newPollTrigger, patchPollTrigger, pollSources, pollSummary } from './poll-trigger.js';
import { startingSample, switchTrigger, triggerSummary } from './trigger.js';

const def = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [],
  edges: [],
});
const manifest = (id: string, triggers: ConnectorManifest['triggers']): ConnectorManifest => ({
  id,
  name: id,
  version: '1',
  actions: [],
  triggers,
});
const t = (id: string, poll?: true) => ({
  id,
  name: id.toUpperCase(),
  description: '',
  output: {},
  ...(poll && { poll }),
});

describe('poll trigger edits', () => {
  it('offers the installed poll sources, the HTTP poll first, and no other triggers', () => {
    const connectors = [
      manifest('hubspot', [t('hubspot.newDeal', true)]),
      manifest('sms', [t('sms.message')]),
      manifest('http', [t('http.poll', true)]),
    ];
    expect(pollSources(connectors).map((s) => s.id)).toEqual(['http.poll', 'hubspot.newDeal']);
  });

  it('switching to Poll starts from the HTTP poll every five minutes', () => {
    const next = switchTrigger(def({ type: 'webhook' }), 'poll');
    expect(next.trigger).toEqual(newPollTrigger());
    expect(next.trigger).toEqual({ type: 'poll', source: 'http.poll', input: {}, every: 'PT5M' });
    expect(isPollTrigger(next.trigger)).toBe(true);
  });

  it('patches keep the schema order; another source drops the old settings; baseline is the default', () => {
    let d = switchTrigger(def({ type: 'webhook' }), 'poll');
    d = patchPollTrigger(d, { input: { url: 'https://x.test/feed', key: 'id' } });
    d = patchPollTrigger(d, { every: 'PT2M', firstPoll: 'run' });
    expect(d.trigger).toEqual({
      type: 'poll',
      source: 'http.poll',
      input: { url: 'https://x.test/feed', key: 'id' },
      every: 'PT2M',
      firstPoll: 'run',
    });
    expect(Object.keys(d.trigger)).toEqual(['type', 'source', 'input', 'every', 'firstPoll']);
    d = patchPollTrigger(d, { firstPoll: 'baseline' });
    expect(d.trigger).not.toHaveProperty('firstPoll');
    d = patchPollTrigger(d, { source: 'hubspot.newDeal' });
    expect(d.trigger).toEqual({ type: 'poll', source: 'hubspot.newDeal', input: {}, every: 'PT2M' });
    // Not a poll trigger: unchanged.
    const hook = def({ type: 'webhook' });
    expect(patchPollTrigger(hook, { every: 'PT1H' })).toBe(hook);
  });

  it('summarizes the source and interval, and samples an item event', () => {
    const trigger = newPollTrigger();
    expect(pollSummary(trigger, [t('http.poll', true)])).toBe('HTTP.POLL · every PT5M');
    expect(triggerSummary(trigger)).toEqual({ title: 'Poll', sub: 'http.poll · every PT5M' });
    expect(startingSample(trigger)).toMatchObject({ type: 'poll', source: 'http.poll', key: '42', item: { id: 42 } });
  });
});
