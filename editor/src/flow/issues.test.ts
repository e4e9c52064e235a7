import { describe, expect, it } from 'vitest';
import { inputErrorSchema, issuesByNode } from './issues.js';
import { sampleFlow } from './test-support.js';
import type { FlowDefinition } from './model.js';

const def = sampleFlow;

describe('issues', () => {
  it('puts issues on nodes by id or by path, and field issues into an rjsf error schema', () => {
    const issues = [
      { path: '/nodes/1/input/url', code: 'required', message: 'url is required' },
      { path: '/nodes/0', code: 'x', message: 'm', nodeId: 'save' },
    ];
    expect([...issuesByNode(def, issues).keys()]).toEqual(['notify', 'save']);
    expect(inputErrorSchema(issues)).toEqual({ url: { __errors: ['url is required'] } });
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
