// Validation of the platform event triggers (README.md "Platform events"): conversation.opened / .closed and
// message.failed narrowed by channels, run.failed by flows, each with a filter over trigger and contact.
import { describe, expect, it } from 'vitest';
import { PLATFORM_EVENT_TYPES, type ValidationIssue } from './types.js';
import { hasContact, validateFlow } from './validate.js';

const opts = { actions: {}, channels: ['sms', 'whatsapp'] };
const flow = (
  trigger: object,
  nodes: object[] = [{ id: 'saw', type: 'set', values: { e: '{{ trigger.event }}' } }],
) => ({
  schemaVersion: 1,
  trigger,
  nodes,
  edges: [{ from: 'trigger', to: (nodes[0] as { id: string }).id }],
});
const codes = (issues: ValidationIssue[]) => issues.map((i) => `${i.code} ${i.path}`);

describe('platform event triggers', () => {
  it('accepts each type bare, and with its narrowing field and a filter', () => {
    for (const type of PLATFORM_EVENT_TYPES) expect(validateFlow(flow({ type }), opts), type).toEqual([]);
    const filter = { '==': [{ var: 'contact.name' }, 'Ann'] };
    expect(validateFlow(flow({ type: 'conversation.closed', channels: ['sms'], filter }), opts)).toEqual([]);
    expect(validateFlow(flow({ type: 'conversation.opened', channels: ['whatsapp'] }), opts)).toEqual([]);
    expect(validateFlow(flow({ type: 'message.failed', channels: ['sms'], filter }), opts)).toEqual([]);
    expect(validateFlow(flow({ type: 'run.failed', flows: ['flw_a', 'flw_b'], filter }), opts)).toEqual([]);
  });

  it("refuses a field of another type's: channels on run.failed, flows on a conversation event", () => {
    expect(codes(validateFlow(flow({ type: 'run.failed', channels: ['sms'] }), opts))).toContainEqual(
      expect.stringMatching(/^\w+ \/trigger/),
    );
    const wrong = validateFlow(flow({ type: 'conversation.closed', flows: ['flw_a'] }), opts);
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.every((i) => i.path.startsWith('/trigger'))).toBe(true);
  });

  it('names a channel no connector provides, and an empty or repeated list', () => {
    expect(codes(validateFlow(flow({ type: 'message.failed', channels: ['sms', 'fax'] }), opts))).toEqual([
      'unknown_channel /trigger/channels/1',
    ]);
    expect(validateFlow(flow({ type: 'conversation.opened', channels: [] }), opts)).not.toEqual([]);
    expect(validateFlow(flow({ type: 'run.failed', flows: ['flw_a', 'flw_a'] }), opts)).not.toEqual([]);
  });

  it('lets a filter see only trigger and contact', () => {
    const filter = { '==': [{ var: 'steps.saw.output.e' }, 'x'] };
    expect(codes(validateFlow(flow({ type: 'run.failed', filter }), opts))).toEqual([
      'invalid_template /trigger/filter',
    ]);
  });

  it('gives conversation and message runs a contact of their own, not run.failed runs (a wait must name one)', () => {
    expect(hasContact('conversation.closed')).toBe(true);
    expect(hasContact('message.failed')).toBe(true);
    expect(hasContact('run.failed')).toBe(false);
    const wait = [{ id: 'w', type: 'wait', for: 'reply', timeout: 'P1D' }];
    expect(validateFlow(flow({ type: 'conversation.closed' }, wait), opts)).toEqual([]);
    expect(codes(validateFlow(flow({ type: 'run.failed' }, wait), opts))).toEqual(['wait_contact /nodes/0/contact']);
  });
});
