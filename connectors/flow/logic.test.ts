import { describe, expect, it } from 'vitest';
import { evaluateRule, RuleBudgetError, truthy } from './logic.js';
import type { JsonLogicRule } from './types.js';

describe('evaluateRule', () => {
  const data = { trigger: { body: { tier: 'vip', total: 120, items: [{ sku: 'a' }, { sku: 'b' }] } } };

  it('compares values from the data', () => {
    expect(evaluateRule({ '==': [{ var: 'trigger.body.tier' }, 'vip'] }, data)).toBe(true);
    expect(evaluateRule({ '>': [{ var: 'trigger.body.total' }, 200] }, data)).toBe(false);
  });

  it('returns non-boolean results and reads array indexes', () => {
    expect(evaluateRule({ '+': [{ var: 'trigger.body.total' }, 1] }, data)).toBe(121);
    expect(evaluateRule({ var: 'trigger.body.items.1.sku' }, data)).toBe('b');
    expect(evaluateRule({ cat: ['id-', { var: 'trigger.body.tier' }] }, data)).toBe('id-vip');
  });

  it('reads own data properties only, never what an object inherits', () => {
    for (const path of [
      'trigger.constructor.name',
      'trigger.constructor',
      'trigger.__proto__',
      'trigger.toString',
      'trigger.body.tier.length',
      'trigger.hasOwnProperty',
    ]) {
      expect(evaluateRule({ var: path }, data), path).toBeNull();
      expect(evaluateRule({ var: [path, 'fallback'] }, data), path).toBe('fallback');
    }
    expect(evaluateRule({ missing: ['trigger.constructor', 'trigger.body.tier'] }, data)).toEqual([
      'trigger.constructor',
    ]);
    // Own properties of arrays (indexes, length) are data.
    expect(evaluateRule({ var: 'trigger.body.items.length' }, data)).toBe(2);
    expect(evaluateRule({ var: '' }, data)).toEqual(data);
    // Inside map/filter the item is the data, and the same rule holds.
    expect(evaluateRule({ map: [{ var: 'trigger.body.items' }, { var: 'constructor' }] }, data)).toEqual([null, null]);
  });

  it('stops a rule past its budget with a RuleBudgetError naming the limit', () => {
    const big = { items: Array.from({ length: 60_000 }, (_, i) => i) };
    // map + filter over 60,000 items apply well over 100,000 operations.
    const heavy: JsonLogicRule = {
      filter: [{ map: [{ var: 'items' }, { '+': [{ var: '' }, 1] }] }, { '>': [{ var: '' }, 0] }],
    };
    expect(() => evaluateRule(heavy, big)).toThrow(RuleBudgetError);
    expect(() => evaluateRule(heavy, big)).toThrow(/more than 100000 operations/);
    // A rule tree that shares its subtrees is still evaluated path by path: 2^30 operations, stopped by the count.
    let doubling: unknown = 'x';
    for (let i = 0; i < 30; i++) doubling = { cat: [doubling, doubling] };
    expect(() => evaluateRule(doubling as never, {})).toThrow(expect.objectContaining({ budget: 'operations' }));
    // Large values from the data: one operation may not make them larger than the limits.
    const data = { s: 'x'.repeat(600_000), a: Array.from({ length: 60_000 }, () => 0) };
    expect(() => evaluateRule({ cat: [{ var: 's' }, { var: 's' }] }, data)).toThrow(
      expect.objectContaining({ name: 'RuleBudgetError', budget: 'stringLength' }),
    );
    expect(() => evaluateRule({ merge: [{ var: 'a' }, { var: 'a' }] }, data)).toThrow(
      expect.objectContaining({ budget: 'arrayLength' }),
    );
    // The budget is per evaluation: the next one starts afresh.
    expect(evaluateRule({ '+': [1, 1] }, {})).toBe(2);
    expect(evaluateRule({ map: [{ var: 'items' }, { var: '' }] }, { items: [1, 2] })).toEqual([1, 2]);
  });

  it('has no method or log operations', () => {
    expect(() => evaluateRule({ method: ['abc', 'repeat', [3]] } as never, {})).toThrow(/Unrecognized operation/);
    expect(() => evaluateRule({ log: ['x'] } as never, {})).toThrow(/Unrecognized operation/);
  });

  it('maps a missing variable to null', () => {
    expect(evaluateRule({ var: 'trigger.nope' }, data)).toBeNull();
  });

  it('passes literals through', () => {
    expect(evaluateRule(true, data)).toBe(true);
    expect(evaluateRule({ a: 1, b: 2 }, data)).toEqual({ a: 1, b: 2 });
  });

  it('throws on unknown operators instead of calling anything', () => {
    expect(() => evaluateRule({ 'toString.call': [] }, data)).toThrow(/Unrecognized operation/);
    expect(() => evaluateRule({ eval: ['1'] }, data)).toThrow(/Unrecognized operation/);
  });
});

describe('truthy', () => {
  it('follows json-logic truthiness', () => {
    expect(truthy([])).toBe(false);
    expect(truthy([0])).toBe(true);
    expect(truthy('')).toBe(false);
    expect(truthy('0')).toBe(true);
    expect(truthy(0)).toBe(false);
    expect(truthy({})).toBe(true);
    expect(truthy(null)).toBe(false);
  });
});
