import { describe, expect, it } from 'vitest';
import { defineConnector } from './define.js';
import { createRegistry } from './registry.js';
import type { ActionDefinition } from './types.js';

const action = (over: Partial<ActionDefinition> = {}): ActionDefinition => ({
  id: 'send',
  name: 'Send',
  description: 'Sends',
  input: { type: 'object', properties: { to: { type: 'string', format: 'email' } }, required: ['to'] },
  output: { type: 'object' },
  run: async () => ({ ok: true }),
  ...over,
});

describe('defineConnector', () => {
  it('builds a plain-data manifest with full action ids', () => {
    const c = defineConnector({
      id: 'mail',
      name: 'Mail',
      version: '1.0.0',
      auth: { type: 'object' },
      actions: [action()],
    });
    expect(c.manifest).toEqual({
      id: 'mail',
      name: 'Mail',
      version: '1.0.0',
      auth: { type: 'object' },
      actions: [
        { id: 'mail.send', name: 'Send', description: 'Sends', input: action().input, output: { type: 'object' } },
      ],
      triggers: [],
    });
    expect(JSON.parse(JSON.stringify(c.manifest))).toEqual(c.manifest);
    expect(typeof c.actions[0]!.run).toBe('function');
  });

  it.each([
    [{ id: 'Mail' }, /"Mail".*id must match/],
    [{ actions: [action(), action()] }, /action "send": duplicate id/],
    [{ actions: [action({ id: 'send.it' })] }, /action "send.it": id must match/],
    [
      { actions: [action({ input: { type: 'object', properties: { a: { type: 'nope' } } } })] },
      /action "send": input schema does not compile/,
    ],
    [
      { actions: [action({ output: { type: 'string', minLength: 'x' } })] },
      /action "send": output schema does not compile/,
    ],
    [{ actions: [action({ input: { type: 'string' } })] }, /input schema must have type "object"/],
    [{ auth: { type: 'object', required: 'x' } }, /auth schema does not compile/],
  ])('rejects %j', (over, message) => {
    expect(() => defineConnector({ id: 'mail', name: 'Mail', version: '1', actions: [action()], ...over })).toThrow(
      message,
    );
  });
});

describe('createRegistry', () => {
  const mail = defineConnector({ id: 'mail', name: 'Mail', version: '1', actions: [action(), action({ id: 'read' })] });
  const sms = defineConnector({ id: 'sms', name: 'SMS', version: '1', actions: [action()] });

  it('finds actions by full id and lists manifests and inputs', () => {
    const r = createRegistry([mail, sms]);
    expect(r.getAction('mail.read')?.action.id).toBe('read');
    expect(r.getAction('sms.send')?.connector.id).toBe('sms');
    expect(r.getAction('sms.read')).toBeUndefined();
    expect(r.getAction('nope')).toBeUndefined();
    expect(r.manifests().map((m) => m.id)).toEqual(['mail', 'sms']);
    expect(Object.keys(r.actionInputs())).toEqual(['mail.send', 'mail.read', 'sms.send']);
    expect(r.actionInputs()['sms.send']!.input).toEqual(action().input);
  });

  it('refuses two connectors with one id', () => {
    expect(() => createRegistry([mail, sms, mail])).toThrow(/"mail" is registered twice/);
  });
});
