import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../connectors/flow/validate.js';
import {
  applyFunctionAt,
  callOn,
  exampleArgs,
  FUNCTIONS_BY_NAME,
  functionsByGroup,
  pipeStep,
  signature,
} from './functions.js';
import { fromLogic, toLogic, type Builder } from './logic-builder.js';

const fn = (name: string) => FUNCTIONS_BY_NAME.get(name)!;

describe('editor data functions', () => {
  it('lists every function once, by group', () => {
    const groups = functionsByGroup();
    expect(groups.map((g) => g.group)).toEqual([
      'text',
      'number',
      'date',
      'list',
      'object',
      'phone',
      'email',
      'json',
      'hash',
    ]);
    expect(groups.flatMap((g) => g.functions).length).toBe(FUNCTIONS_BY_NAME.size);
    expect(signature(fn('text.pad'))).toBe('text.pad(text, length, [fill], [side]) → text');
  });

  it('writes pipe steps with the example arguments', () => {
    expect(pipeStep(fn('text.lower'))).toBe('text.lower');
    expect(pipeStep(fn('date.format'))).toBe('date.format: "EEEE d MMM yyyy, HH:mm", "Europe/Paris"');
    expect(exampleArgs(fn('date.now'))).toEqual([]);
  });

  it('pipes a function into the placeholder at the caret, or adds one', () => {
    const text = 'Hi {{ trigger.body.email }}!';
    expect(applyFunctionAt(text, text.length, fn('text.lower'))).toEqual({
      text: 'Hi {{ trigger.body.email | text.lower }}!',
      caret: 'Hi {{ trigger.body.email | text.lower'.length,
    });
    const twice = applyFunctionAt(applyFunctionAt(text, 10, fn('text.trim')).text, 10, fn('hash.sha256'));
    expect(twice.text).toBe('Hi {{ trigger.body.email | text.trim | hash.sha256 }}!');
    expect(applyFunctionAt('', 0, fn('date.now'))).toEqual({ text: '{{ date.now }}', caret: 14 });
    expect(applyFunctionAt('a', 1, fn('text.upper')).text).toBe('a{{ trigger.body | text.upper }}');
  });

  it('makes templates the validator accepts', () => {
    const values = {
      a: applyFunctionAt('{{ trigger.body.email }}', 5, fn('date.format')).text,
      b: applyFunctionAt('{{ trigger.body.n }}', 5, fn('number.round')).text,
    };
    const def = {
      schemaVersion: 1,
      trigger: { type: 'webhook' },
      nodes: [{ id: 's', type: 'set', values }],
      edges: [{ from: 'trigger', to: 's' }],
    };
    expect(validateFlow(def, { actions: {} })).toEqual([]);
  });

  it('round-trips condition rows through a function', () => {
    const b: Builder = {
      join: 'and',
      rows: [
        { var: 'trigger.body.email', op: '==', value: 'gmail.com', fn: { name: 'email.domain', args: [] } },
        { var: 'trigger.body.text', op: 'contains', value: 'stop', fn: { name: 'text.lower', args: [] } },
        {
          var: 'trigger.body.at',
          op: '==',
          value: 'Sunday',
          fn: { name: 'date.format', args: ['EEEE', 'Europe/Paris'] },
        },
      ],
    };
    expect(toLogic(b)).toEqual({
      and: [
        { '==': [{ 'email.domain': [{ var: 'trigger.body.email' }] }, 'gmail.com'] },
        { in: ['stop', { 'text.lower': [{ var: 'trigger.body.text' }] }] },
        { '==': [{ 'date.format': [{ var: 'trigger.body.at' }, 'EEEE', 'Europe/Paris'] }, 'Sunday'] },
      ],
    });
    expect(fromLogic(toLogic(b))).toEqual(b);
    expect(callOn('trigger.body.email', fn('text.lower'))).toEqual({ 'text.lower': [{ var: 'trigger.body.email' }] });
    // A function over something else than a path stays in the JSON view.
    expect(fromLogic({ '==': [{ 'text.lower': ['X'] }, 'x'] })).toBeUndefined();
    expect(fromLogic({ '==': [{ 'no.such': [{ var: 'a' }] }, 'x'] })).toBeUndefined();
  });
});
