// The context a step test runs in (samples, a run, overrides) and its input resolved there, with every template that
// cannot be resolved an issue naming its field. Pure; the route on Temporal: server/step-test.worker.test.ts.
import { describe, expect, it } from 'vitest';
import type { ActionNode, FlowDefinition, StepState } from '../../connectors/flow/types.js';
import { contextOf, resolveStepInput, runContext, sampleEvent, samplesContext, withOverrides } from './step-test.js';

const NOW = Date.parse('2026-12-07T15:00:00Z');
const ISO = new Date(NOW).toISOString();

const notify: ActionNode = {
  id: 'notify',
  type: 'action',
  action: 'http.request',
  input: {
    method: 'POST',
    url: '{{ trigger.body.callback }}',
    body: {
      contact: '{{ steps.save.output.id }}',
      greeting: '{{ steps.greet.output.text }}',
      n: { $logic: { '+': [1, 2] } },
    },
  },
};
const flow = (trigger: FlowDefinition['trigger'], extra: FlowDefinition['nodes'] = []): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [
    { id: 'save', type: 'action', action: 'contacts.upsert', sample: { id: 'c_1', email: 'a@b.c' } },
    { id: 'greet', type: 'set', values: { text: 'Hi {{ trigger.body.name }} ({{ steps.save.output.email }})' } },
    ...extra,
    notify,
  ],
  edges: [],
});

describe('sampleEvent', () => {
  it('wraps a webhook sample as the webhook run sees it', () => {
    const def = flow({ type: 'webhook' });
    expect(sampleEvent(def, { body: { a: 1 } }, ISO)).toEqual({
      trigger: { body: { a: 1 }, headers: {}, query: {}, receivedAt: ISO },
    });
    expect(sampleEvent(def, undefined, ISO).trigger).toEqual({ body: null, headers: {}, query: {}, receivedAt: ISO });
  });
  it('keeps a message event, with its receivedAt and contact id', () => {
    const def = flow({ type: 'channel.message' });
    expect(sampleEvent(def, { channel: 'sms', contactId: 'ct_1' }, ISO)).toEqual({
      trigger: { channel: 'sms', contactId: 'ct_1', receivedAt: ISO },
      contactId: 'ct_1',
    });
  });
  it('makes a schedule tick at now and passes a contact event as given', () => {
    const tick = sampleEvent(flow({ type: 'schedule', cron: '0 9 * * *', overlap: 'skip', sample: {} }), {}, ISO);
    expect(tick.trigger).toEqual({ type: 'schedule', cron: '0 9 * * *', timezone: 'UTC', scheduledAt: ISO });
    expect(sampleEvent(flow({ type: 'contact.created' }), { contactId: 'x' }, ISO)).toEqual({
      trigger: { contactId: 'x' },
      contactId: 'x',
    });
  });
});

describe('samplesContext', () => {
  it('has the kept samples of actions and the resolved values of set nodes, never the tested node itself', () => {
    const def = flow({ type: 'webhook' });
    (def.nodes[2] as ActionNode).sample = { stale: true };
    const parts = samplesContext(def, 'notify', sampleEvent(def, { body: { name: 'Ada' } }, ISO), NOW);
    expect(parts.steps).toEqual({
      save: { output: { id: 'c_1', email: 'a@b.c' } },
      greet: { output: { text: 'Hi Ada (a@b.c)' } },
    });
    expect(parts.contact).toBeNull();
  });
  it('leaves out a set node that cannot be resolved', () => {
    const def = flow({ type: 'webhook' }, [{ id: 'bad', type: 'set', values: { x: { $logic: { nope: [1] } } } }]);
    expect(Object.keys(samplesContext(def, 'notify', { trigger: {} }, NOW).steps)).toEqual(['save', 'greet']);
  });
});

describe('runContext and overrides', () => {
  const steps: StepState[] = [
    { nodeId: 'save', type: 'action', status: 'completed', output: { id: 'c_9' } },
    { nodeId: 'greet', type: 'set', status: 'failed', error: { message: 'x' } },
    { nodeId: 'fetch', type: 'action', status: 'failed', output: { error: { message: 'down' } } },
    { nodeId: 'notify', type: 'action', status: 'pending' },
  ];
  it('takes completed steps and those that continued past a failure', () => {
    expect(runContext({ trigger: { body: 1 }, steps })).toEqual({
      trigger: { body: 1 },
      steps: { save: { output: { id: 'c_9' } }, fetch: { output: { error: { message: 'down' } } } },
      contact: null,
    });
  });
  it('replaces the trigger and single steps', () => {
    const parts = withOverrides(runContext({ trigger: { body: 1 }, steps }), {
      trigger: { body: 2 },
      steps: { save: { output: { id: 'given' } } },
    });
    expect(parts.trigger).toEqual({ body: 2 });
    expect(parts.steps.save).toEqual({ output: { id: 'given' } });
    expect(parts.steps.fetch).toBeDefined();
    expect(parts).not.toHaveProperty('loop');
  });
  it('gives a step in a loop body the item it is tested with', () => {
    const node: ActionNode = { ...notify, input: { url: '{{ loop.item.url }}', body: '{{ loop.index }}' } };
    const parts = withOverrides(
      { trigger: null, steps: {}, contact: null },
      { loop: { item: { url: 'u' }, index: 2 } },
    );
    expect(resolveStepInput(node, 0, contextOf(parts, 'f', 't'), NOW)).toEqual({
      input: { url: 'u', body: 2 },
      missing: [],
    });
  });
});

describe('resolveStepInput', () => {
  it('resolves as a run does, and lists the references that found nothing', () => {
    const ctx = contextOf(
      { trigger: { body: { callback: 'http://sink/x' } }, steps: { save: { output: { id: 'c_1' } } }, contact: null },
      'f1',
      'tst_1',
    );
    expect(resolveStepInput(notify, 3, ctx, NOW)).toEqual({
      input: { method: 'POST', url: 'http://sink/x', body: { contact: 'c_1', greeting: null, n: 3 } },
      missing: [{ path: '/nodes/3/input/body/greeting', ref: 'steps.greet.output.text' }],
    });
  });
  it('names every field whose template cannot be resolved', () => {
    const node: ActionNode = {
      ...notify,
      input: { url: { $logic: { nope: [1] } }, body: { 'a/b': [{ $logic: { alsoNope: [] } }] }, method: 'GET' },
    };
    const r = resolveStepInput(node, 1, contextOf({ trigger: {}, steps: {}, contact: null }, 'f', 't'), NOW);
    expect('issues' in r && r.issues.map((i) => [i.path, i.code, i.nodeId])).toEqual([
      ['/nodes/1/input/url', 'template_error', 'notify'],
      ['/nodes/1/input/body/a~1b/0', 'template_error', 'notify'],
    ]);
  });
  it('refuses an input over the step value budget', () => {
    const big = 'x'.repeat(300 * 1024);
    const node: ActionNode = { ...notify, input: { body: '{{ trigger.big }}' } };
    const r = resolveStepInput(node, 0, contextOf({ trigger: { big }, steps: {}, contact: null }, 'f', 't'), NOW);
    expect('issues' in r && r.issues.map((i) => i.code)).toEqual(['budget_exceeded']);
  });
});
