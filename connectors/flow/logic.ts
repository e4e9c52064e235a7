// json-logic rules (conditions, `$logic` template values). json-logic-js interprets a JSON tree: no eval, no
// Function, so it is safe in the Temporal workflow sandbox and in the browser.
// The package is CommonJS/UMD: the default import is its `module.exports` under Node ESM, Vitest and webpack alike.
import jsonLogic from 'json-logic-js';
import type { JsonLogicRule, JsonValue } from './types.js';

/**
 * The value of `key` on `value` when it is the object's (or array's) own property, else undefined. Rules and templates
 * read data, never what an object inherits (`constructor`, `__proto__`, `toString`).
 */
export function ownValue(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
  return (value as Record<string | number, unknown>)[key];
}

// json-logic-js's own `var` descends with `data[key]`, which walks the prototype chain
// (`{"var": "trigger.constructor.name"}` is "Object"). This one reads own properties only, like templates do; `missing`
// and `missing_some` go through it too.
jsonLogic.add_operation('var', function (this: unknown, path?: unknown, notFound?: unknown) {
  const fallback = notFound === undefined ? null : notFound;
  if (path === undefined || path === null || path === '') return this;
  // json-logic-js calls operations with the data as `this`.
  // eslint-disable-next-line @typescript-eslint/no-this-alias
  let cur: unknown = this;
  for (const key of String(path).split('.')) {
    cur = ownValue(cur, key);
    if (cur === undefined) return fallback;
  }
  return cur;
});

// Operations a flow has no use for: `method` calls any method of a value (`"x".repeat(1e9)`), `log` writes to the
// console of the worker or the browser.
jsonLogic.rm_operation('method');
jsonLogic.rm_operation('log');

/**
 * What one evaluation may cost. Each operation json-logic applies counts (`map` over 1,000 items is 1,000 and more);
 * no operation may produce a string or an array larger than the limits, so doubling tricks (`cat` of `cat`s, `merge`
 * of `merge`s) stop long before memory does.
 */
export const RULE_BUDGET = { operations: 100_000, stringLength: 1_048_576, arrayLength: 100_000 } as const;

/** A rule that went over RULE_BUDGET; `budget` names which limit. */
export class RuleBudgetError extends Error {
  constructor(
    readonly budget: keyof typeof RULE_BUDGET,
    message: string,
  ) {
    super(message);
    this.name = 'RuleBudgetError';
  }
}

// json-logic-js recurses through `jsonLogic.apply` (the property, not a local), so wrapping it sees every operation.
const applyOnce = jsonLogic.apply.bind(jsonLogic);
let operationsLeft = Infinity;
jsonLogic.apply = (logic, data) => {
  if (--operationsLeft < 0)
    throw new RuleBudgetError('operations', `the rule applies more than ${RULE_BUDGET.operations} operations`);
  const result: unknown = applyOnce(logic, data);
  if (typeof result === 'string' && result.length > RULE_BUDGET.stringLength)
    throw new RuleBudgetError('stringLength', `the rule makes a string over ${RULE_BUDGET.stringLength} characters`);
  if (Array.isArray(result) && result.length > RULE_BUDGET.arrayLength)
    throw new RuleBudgetError('arrayLength', `the rule makes a list over ${RULE_BUDGET.arrayLength} items`);
  return result;
};

/**
 * Evaluates `rule` against `data` within RULE_BUDGET. Throws on an unknown operator, and a RuleBudgetError past the budget. `undefined` results become `null` (JSON has no undefined). */
export function evaluateRule(rule: JsonLogicRule, data: unknown): JsonValue {
  const outer = operationsLeft;
  operationsLeft = RULE_BUDGET.operations;
  try {
    const result: unknown = jsonLogic.apply(rule as Parameters<typeof jsonLogic.apply>[0], data);
    return result === undefined ? null : (result as JsonValue);
  } finally {
    operationsLeft = outer;
  }
}

/** json-logic truthiness (https://jsonlogic.com/truthy.html): like JavaScript, except an empty array is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
