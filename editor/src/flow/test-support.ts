// A small flow shared by the flow modules' tests: a webhook with a sample, two actions in a row and a set node off
// the path.
import type { FlowDefinition } from './model.js';

export const sampleFlow: FlowDefinition = {
  schemaVersion: 1,
  trigger: { type: 'webhook', sample: { body: { email: 'a@b.c', tier: 'vip' } } },
  nodes: [
    { id: 'save', type: 'action', action: 'contacts.upsert', input: {} },
    { id: 'notify', type: 'action', action: 'http.request', input: {} },
    { id: 'other', type: 'set', values: { x: 1 } },
  ],
  edges: [
    { from: 'trigger', to: 'save' },
    { from: 'save', to: 'notify' },
  ],
};
