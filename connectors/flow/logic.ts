// json-logic rules (conditions, `$logic` template values). json-logic-js interprets a JSON tree: no eval, no
// Function, so it is safe in the Temporal workflow sandbox and in the browser.
// The package is CommonJS/UMD: the default import is its `module.exports` under Node ESM, Vitest and webpack alike.
import jsonLogic from 'json-logic-js';
import type { JsonLogicRule, JsonValue } from './types.js';

/** Evaluates `rule` against `data`. Throws on an unknown operator. `undefined` results become `null` (JSON has no undefined). */
export function evaluateRule(rule: JsonLogicRule, data: unknown): JsonValue {
  const result: unknown = jsonLogic.apply(rule as Parameters<typeof jsonLogic.apply>[0], data);
  return result === undefined ? null : (result as JsonValue);
}

/** json-logic truthiness (https://jsonlogic.com/truthy.html): like JavaScript, except an empty array is false. */
export function truthy(value: unknown): boolean {
  return jsonLogic.truthy(value);
}
