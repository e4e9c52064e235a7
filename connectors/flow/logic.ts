// json-logic rules (conditions, `$logic` template values). json-logic-js interprets a JSON tree: no eval, no
// Function, so it is safe in the Temporal workflow sandbox and in the browser.
// The package is CommonJS/UMD: the default import is its `module.exports` under Node ESM, Vitest and webpack alike.
import jsonLogic from 'json-logic-js';
import { argAt, argLabel, arityProblem, FUNCTIONS, FUNCTIONS_BY_NAME } from './functions/catalog.js';
import { checkArgument } from './functions/checks.js';
import { FunctionError, IMPLEMENTATIONS, type FunctionEnv } from './functions/implementations.js';
import type { JsonLogicRule, JsonValue } from './types.js';

export { FunctionError } from './functions/implementations.js';

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
  return checkResult(applyOnce(logic, data));
};

/** `result`, unless it is a string or a list over RULE_BUDGET. */
function checkResult(result: unknown): unknown {
  if (typeof result === 'string' && result.length > RULE_BUDGET.stringLength)
    throw new RuleBudgetError('stringLength', `the rule makes a string over ${RULE_BUDGET.stringLength} characters`);
  if (Array.isArray(result) && result.length > RULE_BUDGET.arrayLength)
    throw new RuleBudgetError('arrayLength', `the rule makes a list over ${RULE_BUDGET.arrayLength} items`);
  return result;
}

// The data functions (functions/catalog.ts), each a json-logic operation whose arguments are checked against the
// catalog before it runs: a wrong one fails with a FunctionError naming the function and the argument.
let clock: number | undefined;
const functionEnv: FunctionEnv = {
  charge(n) {
    operationsLeft -= n;
    if (operationsLeft < 0)
      throw new RuleBudgetError('operations', `the rule applies more than ${RULE_BUDGET.operations} operations`);
  },
  now() {
    if (clock === undefined)
      throw new FunctionError('date.now', 'date.now: this evaluation has no run time (only flow runs have a clock)');
    return clock;
  },
  stringLength: RULE_BUDGET.stringLength,
  arrayLength: RULE_BUDGET.arrayLength,
};
function callChecked(name: string, args: unknown[]): unknown {
  const fn = FUNCTIONS_BY_NAME.get(name);
  const impl = IMPLEMENTATIONS[name];
  if (!fn || !impl) throw new FunctionError(name, `"${name}" is not a function`);
  const countProblem = arityProblem(fn, args.length);
  if (countProblem) throw new FunctionError(fn.name, countProblem);
  args.forEach((value, i) => {
    const arg = argAt(fn, i)!;
    const problem = checkArgument(arg.schema, value);
    if (problem) throw new FunctionError(fn.name, `${argLabel(fn.name, i, arg.name)} ${problem}`, i);
  });
  return impl(args, functionEnv);
}
for (const fn of FUNCTIONS) jsonLogic.add_operation(fn.name, (...args: unknown[]) => callChecked(fn.name, args));

/**
 * Calls the data function `name` on `args` (plain values, not rules) within the current budget: a template pipe's
 * step (functions/pipes.ts). Call it inside `withRuleBudget`.
 */
export function applyFunction(name: string, args: unknown[]): JsonValue {
  functionEnv.charge(1);
  const result = checkResult(callChecked(name, args));
  return result === undefined ? null : (result as JsonValue);
}

export interface EvaluateOptions {
  /** The run's time (ms since 1970) `date.now` returns; in a workflow, its deterministic `Date.now()`. */
  now?: number;
}

/**
 * Evaluates `rule` against `data` within RULE_BUDGET. Throws on an unknown operator, a FunctionError when a data
 * function cannot run, and a RuleBudgetError past the budget. `undefined` results become `null` (JSON has no
 * undefined).
 */
export function evaluateRule(rule: JsonLogicRule, data: unknown, opts: EvaluateOptions = {}): JsonValue {
  return withRuleBudget(opts, () => {
    const result: unknown = jsonLogic.apply(rule as Parameters<typeof jsonLogic.apply>[0], data);
    return result === undefined ? null : (result as JsonValue);
  });
}

/** Runs `fn` with a fresh RULE_BUDGET and `opts.now` as the clock (the caller's clock when absent). */
export function withRuleBudget<T>(opts: EvaluateOptions, fn: () => T): T {
  const outer = operationsLeft;
  const outerClock = clock;
  operationsLeft = RULE_BUDGET.operations;
  clock = opts.now ?? outerClock;
  try {
    return fn();
  } finally {
    operationsLeft = outer;
    clock = outerClock;
  }
}

/** True when json-logic (as configured here, the data functions included) has an operator named `op`. */
export function isOperator(op: string): boolean {
  return OPERATORS.has(op);
}
const OPERATORS = new Set([
  ...FUNCTIONS.map((f) => f.name),
  // json-logic-js's own, less `method` and `log` (removed above).
  ...[
    '==',
    '===',
    '!=',
    '!==',
    '>',
    '>=',
    '<',
    '<=',
    '!!',
    '!',
    '%',
    'in',
    'cat',
    'substr',
    '+',
    '*',
    '-',
    '/',
    'min',
    'max',
    'merge',
    'var',
    'missing',
    'missing_some',
    'if',
    '?:',
    'and',
    'or',
    'filter',
    'map',
    'reduce',
    'all',
    'none',
    'some',
  ],
]);

/** json-logic truthiness (https://jsonlogic.com/truthy.html): like JavaScript, except an empty array is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
