// A small condition builder over json-logic: rows of `<var> <op> <value>` joined by and/or. Rules it cannot express
// (anything else json-logic allows) stay editable in the raw JSON view. `contains` is json-logic's `in` the other way
// round (`{ "in": ["order", { "var": "trigger.message.text" }] }`: the text contains "order"). A row's value may go
// through a data function first (`fn`): `{ "==": [{ "email.domain": [{ "var": "trigger.body.email" }] }, "gmail.com"] }`.
import { FUNCTIONS_BY_NAME } from './functions.js';
import type { JsonValue } from './model.js';

export const OPERATORS = ['==', '!=', '<', '>', 'in', 'contains'] as const;
export type Operator = (typeof OPERATORS)[number];
export interface Row {
  var: string;
  op: Operator;
  value: JsonValue;
  /** A data function applied to the value first; `args` are its arguments after the value (plain literals). */
  fn?: { name: string; args: JsonValue[] };
}
export interface Builder {
  join: 'and' | 'or';
  rows: Row[];
}

export function rowToLogic(r: Row): JsonValue {
  const left: JsonValue = r.fn ? { [r.fn.name]: [{ var: r.var }, ...r.fn.args] } : { var: r.var };
  if (r.op === 'contains') return { in: [r.value, left] };
  return { [r.op]: [left, r.value] };
}

const isPlain = (v: JsonValue | undefined) => v === null || (typeof v !== 'object' && v !== undefined);

/** `{ "<function>": [{ "var": path }, ...literals] }` read back as a path and a function, else undefined. */
function callFrom(v: JsonValue | undefined): { var: string; fn: NonNullable<Row['fn']> } | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  const name = keys[0];
  if (keys.length !== 1 || name === undefined || !FUNCTIONS_BY_NAME.has(name)) return undefined;
  const args = v[name];
  if (!Array.isArray(args) || !isVar(args[0]) || !args.slice(1).every(isPlain)) return undefined;
  return { var: args[0].var, fn: { name, args: args.slice(1) } };
}

const isVar = (v: JsonValue | undefined): v is { var: string } =>
  !!v && typeof v === 'object' && !Array.isArray(v) && typeof v.var === 'string' && Object.keys(v).length === 1;

export function toLogic(b: Builder): JsonValue {
  if (b.rows.length === 1) return rowToLogic(b.rows[0]!);
  return { [b.join]: b.rows.map(rowToLogic) };
}

function rowFrom(rule: JsonValue): Row | undefined {
  if (!rule || typeof rule !== 'object' || Array.isArray(rule)) return undefined;
  const keys = Object.keys(rule);
  if (keys.length !== 1) return undefined;
  const op = keys[0] as Operator;
  const args = rule[op];
  if (op === 'contains' || !OPERATORS.includes(op) || !Array.isArray(args) || args.length !== 2) return undefined;
  const [left, value] = args;
  if (op === 'in' && !isVar(left) && (typeof left === 'string' || typeof left === 'number')) {
    if (isVar(value)) return { var: value.var, op: 'contains', value: left };
    const call = callFrom(value);
    if (call) return { var: call.var, op: 'contains', value: left, fn: call.fn };
  }
  const call = callFrom(left);
  if (!isVar(left) && !call) return undefined;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return undefined;
  if (call) return { var: call.var, op, value: value as JsonValue, fn: call.fn };
  return { var: (left as { var: string }).var, op, value: value as JsonValue };
}

/** The builder form of a rule, or undefined when the rule is beyond the builder (edit it as JSON). */
export function fromLogic(rule: JsonValue): Builder | undefined {
  const single = rowFrom(rule);
  if (single) return { join: 'and', rows: [single] };
  if (!rule || typeof rule !== 'object' || Array.isArray(rule)) return undefined;
  const keys = Object.keys(rule);
  const join = keys[0];
  if (keys.length !== 1 || (join !== 'and' && join !== 'or')) return undefined;
  const list = rule[join];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const rows = list.map(rowFrom);
  return rows.every((r): r is Row => r !== undefined) ? { join, rows } : undefined;
}

/** Text typed in a value box: JSON when it parses (numbers, true, ["a","b"]), a string otherwise. */
export function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
export const showValue = (v: JsonValue) =>
  typeof v === 'string' && !/^(-?\d|true$|false$|null$|\[|\{|")/.test(v) ? v : JSON.stringify(v);
