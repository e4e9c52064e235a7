import { describe, expect, it } from 'vitest';
import { toFriendly, toIso } from './duration.js';
import { inputErrorSchema, issuesByNode } from './issues.js';
import { fromLogic, parseValue, toLogic } from './logic-builder.js';
import type { FlowDefinition } from './model.js';
import { referencesFor } from './references.js';

const def: FlowDefinition = {
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

describe('condition builder', () => {
  it('round-trips rows joined by and/or', () => {
    const b = {
      join: 'or' as const,
      rows: [
        { var: 'trigger.body.tier', op: '==' as const, value: 'vip' },
        { var: 'trigger.body.n', op: '>' as const, value: 3 },
      ],
    };
    expect(toLogic(b)).toEqual({
      or: [{ '==': [{ var: 'trigger.body.tier' }, 'vip'] }, { '>': [{ var: 'trigger.body.n' }, 3] }],
    });
    expect(fromLogic(toLogic(b))).toEqual(b);
    expect(toLogic({ join: 'and', rows: [b.rows[0]!] })).toEqual({ '==': [{ var: 'trigger.body.tier' }, 'vip'] });
  });
  it('leaves other rules to the raw view', () => {
    expect(fromLogic({ '!': [{ var: 'x' }] })).toBeUndefined();
    expect(fromLogic({ '==': [1, 2] })).toBeUndefined();
    expect(fromLogic(true)).toBeUndefined();
  });
  it('parses typed values as JSON when they are JSON', () => {
    expect([parseValue('3'), parseValue('true'), parseValue('["a"]'), parseValue('vip')]).toEqual([
      3,
      true,
      ['a'],
      'vip',
    ]);
  });
});

describe('durations', () => {
  it('shows the largest whole unit and writes ISO-8601', () => {
    expect(toFriendly('PT2S')).toEqual({ amount: 2, unit: 'seconds' });
    expect(toFriendly('PT90M')).toEqual({ amount: 90, unit: 'minutes' });
    expect(toFriendly('P1DT12H')).toEqual({ amount: 36, unit: 'hours' });
    expect(toFriendly('nope')).toBeUndefined();
    expect([toIso(5, 'minutes'), toIso(2, 'days')]).toEqual(['PT5M', 'P2D']);
  });
});

describe('issues and references', () => {
  it('puts issues on nodes by id or by path, and field issues into an rjsf error schema', () => {
    const issues = [
      { path: '/nodes/1/input/url', code: 'required', message: 'url is required' },
      { path: '/nodes/0', code: 'x', message: 'm', nodeId: 'save' },
    ];
    expect([...issuesByNode(def, issues).keys()]).toEqual(['notify', 'save']);
    expect(inputErrorSchema(issues)).toEqual({ url: { __errors: ['url is required'] } });
  });
  it('offers the trigger sample and the output of upstream steps only', () => {
    const actions = new Map([
      [
        'contacts.upsert',
        {
          id: 'contacts.upsert',
          name: 'Upsert',
          description: 'Creates or updates a contact',
          input: {},
          output: { type: 'object', properties: { id: { type: 'string' } } },
        },
      ],
    ]);
    const paths = referencesFor(def, 'notify', actions).map((r) => r.path);
    expect(paths).toEqual(['trigger.body.email', 'trigger.body.tier', 'steps.save.output', 'steps.save.output.id']);
    expect(referencesFor(def, 'save', actions).map((r) => r.path)).not.toContain('steps.save.output.id');
  });
});

describe('friendlyIssues', () => {
  it('merges the alternatives of an anyOf into one issue', async () => {
    const { friendlyIssues } = await import('./issues.js');
    const at = (path: string, message: string) => ({ path, code: 'action_input', message, nodeId: 'save' });
    const issues = [
      at('/nodes/1/input/email', "input must have required property 'email'"),
      at('/nodes/1/input/phone', "input must have required property 'phone'"),
      at('/nodes/1/input', 'input must match a schema in anyOf'),
      at('/nodes/1/input/name', 'input/name must be string'),
    ];
    expect(friendlyIssues(issues)).toEqual([at('/nodes/1/input', 'fill in at least one of: email, phone'), issues[3]]);
    expect(friendlyIssues([issues[3]!])).toEqual([issues[3]]);
  });

  it('keeps fields the schema requires outright apart from the anyOf (same words, same path depth)', async () => {
    const { anyOfFields, friendlyIssues } = await import('./issues.js');
    const at = (path: string, message: string) => ({ path, code: 'action_input', message, nodeId: 'send' });
    const issues = [
      at('/nodes/0/input/body', "input must have required property 'body'"),
      at('/nodes/0/input/mediaUrls', "input must have required property 'mediaUrls'"),
      at('/nodes/0/input', 'input must match a schema in anyOf'),
      at('/nodes/0/input/account', "input must have required property 'account'"),
    ];
    const sms: FlowDefinition = { ...def, nodes: [{ id: 'send', type: 'action', action: 'sms.send', input: {} }] };
    const actions = new Map([
      ['sms.send', { input: { required: ['account'], anyOf: [{ required: ['body'] }, { required: ['mediaUrls'] }] } }],
    ]);
    expect(friendlyIssues(issues, anyOfFields(sms, actions))).toEqual([
      at('/nodes/0/input', 'fill in at least one of: body, mediaUrls'),
      issues[3],
    ]);
    // without the schema every alternative-looking issue merges (as before)
    expect(friendlyIssues(issues)[0]!.message).toBe('fill in at least one of: body, mediaUrls, account');
  });
});
