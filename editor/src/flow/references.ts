// The references the data picker offers: `trigger.…` from the trigger's sample event and `steps.<id>.output.…` from
// the output schemas of the steps that run before the selected one.
import type { ActionManifest } from '../api/client.js';
import { upstreamOf } from './edit.js';
import type { FlowDefinition, JsonValue } from './model.js';

export interface Reference {
  path: string;
  /** A short hint: the sample value or the schema type. */
  hint: string;
}

const MAX_DEPTH = 4;

function fromValue(prefix: string, v: JsonValue | undefined, out: Reference[], depth = 0) {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && depth < MAX_DEPTH) {
    for (const [k, child] of Object.entries(v)) fromValue(`${prefix}.${k}`, child, out, depth + 1);
    return;
  }
  out.push({ path: prefix, hint: v === undefined ? '' : JSON.stringify(v).slice(0, 40) });
}

function fromSchema(prefix: string, schema: unknown, out: Reference[], depth = 0) {
  const s = (schema ?? {}) as { type?: unknown; properties?: Record<string, unknown> };
  out.push({ path: prefix, hint: typeof s.type === 'string' ? s.type : 'value' });
  if (s.properties && depth < MAX_DEPTH) for (const [k, child] of Object.entries(s.properties)) fromSchema(`${prefix}.${k}`, child, out, depth + 1);
}

export function referencesFor(def: FlowDefinition, nodeId: string, actions: ReadonlyMap<string, ActionManifest>): Reference[] {
  const out: Reference[] = [];
  const sample = def.trigger.sample as { body?: JsonValue } | undefined;
  if (sample && typeof sample === 'object' && !Array.isArray(sample)) fromValue('trigger', sample as JsonValue, out);
  else out.push({ path: 'trigger.body', hint: 'the webhook body' });
  for (const id of upstreamOf(def, nodeId)) {
    const n = def.nodes.find((x) => x.id === id)!;
    if (n.type === 'action') fromSchema(`steps.${id}.output`, actions.get(n.action)?.output, out);
    else if (n.type === 'set') fromValue(`steps.${id}.output`, n.values, out);
  }
  return out;
}

export const placeholder = (path: string) => `{{ ${path} }}`;
