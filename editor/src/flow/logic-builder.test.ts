import { describe, expect, it } from 'vitest';
import { fromLogic, parseValue, toLogic } from './logic-builder.js';

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

describe('condition builder: contains', () => {
  it('writes and reads json-logic `in` with the value first', () => {
    const b = {
      join: 'and' as const,
      rows: [{ var: 'trigger.message.text', op: 'contains' as const, value: 'order' }],
    };
    expect(toLogic(b)).toEqual({ in: ['order', { var: 'trigger.message.text' }] });
    expect(fromLogic(toLogic(b))).toEqual(b);
    expect(fromLogic({ in: [{ var: 'x' }, ['a', 'b']] })).toEqual({
      join: 'and',
      rows: [{ var: 'x', op: 'in', value: ['a', 'b'] }],
    });
    expect(fromLogic({ in: [{ var: 'a' }, { var: 'b' }] })).toBeUndefined();
    expect(fromLogic({ contains: [{ var: 'a' }, 'b'] })).toBeUndefined();
  });
});
