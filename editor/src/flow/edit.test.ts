import { describe, expect, it } from 'vitest';
import { makeNode } from './edit.js';
import type { FlowDefinition } from './model.js';

const empty = (trigger: FlowDefinition['trigger']): FlowDefinition => ({
  schemaVersion: 1,
  trigger,
  nodes: [],
  edges: [],
});

describe('new nodes', () => {
  it('starts new conditions and waits from what the trigger gives', () => {
    expect(makeNode(empty({ type: 'channel.message' }), { type: 'condition' })).toMatchObject({
      rule: { '==': [{ var: 'trigger.message.text' }, ''] },
    });
    expect(makeNode(empty({ type: 'webhook' }), { type: 'condition' })).toMatchObject({
      rule: { '==': [{ var: 'trigger.body.x' }, ''] },
    });
    expect(makeNode(empty({ type: 'webhook' }), { type: 'wait' }, { x: 1.2, y: 2 })).toEqual({
      id: 'wait',
      type: 'wait',
      for: 'reply',
      timeout: 'P1D',
      position: { x: 1, y: 2 },
    });
  });
});
