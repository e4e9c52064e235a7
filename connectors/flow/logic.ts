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
  let cur: unknown = this;
  for (const key of String(path).split('.')) {
    cur = ownValue(cur, key);
    if (cur === undefined) return fallback;
  }
  return cur;
});

/** Evaluates `rule` against `data`. Throws on an unknown operator. `undefined` results become `null` (JSON has no undefined). */
export function evaluateRule(rule: JsonLogicRule, data: unknown): JsonValue {
  const result: unknown = jsonLogic.apply(rule as Parameters<typeof jsonLogic.apply>[0], data);
  return result === undefined ? null : (result as JsonValue);
}

/** json-logic truthiness (https://jsonlogic.com/truthy.html): like JavaScript, except an empty array is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
