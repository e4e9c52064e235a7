// What "Keep as sample" keeps of a tested step's output: its shape and a taste of its values, small enough to live in
// the definition (every published version and every run's input carries it; the server refuses a bigger one). Pure.
import { jsonBytes, SAMPLE_MAX_BYTES } from '../../../connectors/flow/budget.js';
import type { JsonValue } from './model.js';

export { SAMPLE_MAX_BYTES };

interface Limits {
  /** Items kept of each array, characters of each string, keys of each object, levels of nesting. */
  items: number;
  chars: number;
  keys: number;
  depth: number;
}

/** The first try; tighter ones follow while the result is over SAMPLE_MAX_BYTES. */
export const SAMPLE_LIMITS: Limits = { items: 3, chars: 200, keys: 50, depth: 6 };
const TIGHTER: Limits[] = [
  SAMPLE_LIMITS,
  { items: 1, chars: 80, keys: 25, depth: 5 },
  { items: 1, chars: 40, keys: 10, depth: 4 },
];

function trim(value: JsonValue, l: Limits, depth: number): JsonValue {
  if (typeof value === 'string') return value.length > l.chars ? `${value.slice(0, l.chars)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= l.depth) return null;
  if (Array.isArray(value)) return value.slice(0, l.items).map((v) => trim(v, l, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, l.keys)
      .map(([k, v]) => [k, trim(v, l, depth + 1)]),
  );
}

/**
 * `value` with arrays cut to their first items, long strings shortened (with `…`), objects to their first keys and
 * nesting to a depth (deeper values become null): the data picker only needs the fields and an example of each.
 * Tighter limits are tried while it is over SAMPLE_MAX_BYTES; undefined when even the tightest is (too big to keep).
 */
export function trimSample(value: JsonValue): JsonValue | undefined {
  for (const limits of TIGHTER) {
    const out = trim(value, limits, 0);
    if (jsonBytes(out, SAMPLE_MAX_BYTES) <= SAMPLE_MAX_BYTES) return out;
  }
  return undefined;
}
