// Publish-time checks of data function calls (validate.ts): an unknown function or a wrong literal argument is an
// issue on its node and field, in conditions, `$logic` values, template pipes and trigger filters.
import { describe, expect, it } from 'vitest';
import { validateFlow } from '../validate.js';
import type { ValidationIssue } from '../types.js';

const flow = (nodes: unknown[], trigger: unknown = { type: 'webhook' }) => ({
  schemaVersion: 1,
  trigger,
  nodes,
  edges: nodes.map((n, i) => ({
    from: i === 0 ? 'trigger' : (nodes[i - 1] as { id: string }).id,
    to: (n as { id: string }).id,
    ...(i > 0 && (nodes[i - 1] as { type: string }).type === 'condition' ? { branch: 'true' } : {}),
  })),
});
const issues = (def: unknown): ValidationIssue[] => validateFlow(def, { actions: {} });
const shown = (list: ValidationIssue[]) => list.map((i) => `${i.code} ${i.path} @${i.nodeId}: ${i.message}`);

describe('data functions at publish', () => {
  it('accepts well-formed calls in conditions, set values and pipes', () => {
    const def = flow([
      {
        id: 'is_gmail',
        type: 'condition',
        rule: { '==': [{ 'email.domain': [{ var: 'trigger.body.email' }] }, 'gmail.com'] },
      },
      {
        id: 'prep',
        type: 'set',
        values: {
          email: '{{ trigger.body.email | text.trim | text.lower }}',
          day: '{{ date.now | date.format: "yyyy-MM-dd", "Europe/Paris" }}',
          hash: { $logic: { 'hash.sha256': [{ var: 'trigger.body.email' }] } },
          parts: '{{ trigger.body.name | text.split: " ", 2 }}',
        },
      },
    ]);
    expect(shown(issues(def))).toEqual([]);
  });

  it('reports unknown functions and wrong literal arguments on the node and field', () => {
    const def = flow([
      {
        id: 'check',
        type: 'condition',
        rule: {
          and: [
            { 'text.lowr': [{ var: 'trigger.body.email' }] },
            { 'text.test': [{ var: 'trigger.body.email' }, '(unclosed'] },
            { 'date.format': [{ var: 'trigger.body.at' }, 'HH:mm', 'Mars/Olympus'] },
          ],
        },
      },
      {
        id: 'prep',
        type: 'set',
        values: {
          a: '{{ trigger.body.email | text.lower: "extra" }}',
          b: 'at {{ trigger.body.at | date.add: "one day" }}',
          c: { $logic: { 'text.pad': [{ var: 'trigger.body.n' }, 'five'] } },
          d: '{{ trigger.body.email | text.nope }}',
          e: '{{ "not a number" | number.round: 2 }}',
        },
      },
    ]);
    const got = shown(issues(def));
    expect(got).toEqual(
      expect.arrayContaining([
        'invalid_template /nodes/1/values/d @prep: "{{ trigger.body.email | text.nope }}": "text.nope" is not a function (see the functions list)',
        'function_args /nodes/1/values/a @prep: text.lower: takes 1 argument (text), got 2',
        'function_args /nodes/1/values/b @prep: date.add: argument 2 (duration) "one day" is not an ISO 8601 duration (e.g. P1D, PT2H30M, P1M)',
        'function_args /nodes/1/values/e @prep: number.round: argument 1 (number) must be number',
        'function_args /nodes/1/values/c @prep: text.pad: argument 2 (length) must be integer',
        'unknown_function /nodes/0/rule @check: "text.lowr" is not a function (see the functions list)',
        'function_args /nodes/0/rule @check: date.format: argument 3 (timeZone) "Mars/Olympus" is not an IANA time zone (e.g. Europe/Paris, UTC)',
        expect.stringMatching(
          /^function_args \/nodes\/0\/rule @check: text\.test: argument 2 \(pattern\) is not a valid regular expression/,
        ),
      ]),
    );
    expect(got).toHaveLength(8);
  });

  it('checks trigger filters, and leaves run-time values to the run', () => {
    const def = flow([{ id: 'prep', type: 'set', values: { a: '{{ trigger.x | text.pad: trigger.n }}' } }], {
      type: 'channel.message',
      filter: { 'text.test': [{ var: 'trigger.text' }, '(a+)+$'] },
    });
    expect(shown(issues(def))).toEqual([
      'function_args /trigger/filter @undefined: text.test: argument 2 (pattern) "(a+)+$" may take exponential time (nested repetition such as (a+)+)',
    ]);
  });

  it('reports an operator json-logic does not have', () => {
    const def = flow([{ id: 'c', type: 'condition', rule: { equals: [1, 1] } }]);
    expect(shown(issues(def))).toEqual([
      'unknown_function /nodes/0/rule @c: "equals" is not a json-logic operation or a function',
    ]);
  });
});
