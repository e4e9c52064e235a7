// Loops in the editor: what the data picker offers about a loop (inside its body, the item, with the fields of the
// trigger sample's first item when `items` reads a list from the sample, and its index; after it, its results), and
// the canvas overlay's statuses of body steps (from the loop's latest iteration).
import type { FlowDefinition, LoopNode, StepState } from './model.js';
import { loopBodies } from './model.js';
import type { Reference } from './references.js';

export function loopReferences(def: FlowDefinition, loop: LoopNode, nodeId: string, out: Reference[]): void {
  if (!loopBodies(def).get(loop.id)?.has(nodeId)) {
    out.push(
      { path: `steps.${loop.id}.output.results`, hint: "each item's result (its last step's output), in order" },
      { path: `steps.${loop.id}.output.failed`, hint: 'how many items failed' },
    );
    return;
  }
  out.push({ path: 'loop.item', hint: 'the item this run of the body is for' });
  const first = sampleItems(def, loop)?.[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first))
    for (const [k, v] of Object.entries(first))
      out.push({ path: `loop.item.${k}`, hint: v === undefined ? '' : JSON.stringify(v).slice(0, 40) });
  out.push({ path: 'loop.index', hint: "the item's position, from 0" });
}

/** The list `items` gives on the trigger's sample, when it is one `{{ trigger.… }}` placeholder. */
function sampleItems(def: FlowDefinition, loop: LoopNode): unknown[] | undefined {
  const m = typeof loop.items === 'string' ? /^\{\{\s*trigger((?:\.[\w$-]+)*)\s*\}\}$/.exec(loop.items) : null;
  if (!m || !('sample' in def.trigger)) return undefined;
  let v: unknown = def.trigger.sample;
  for (const key of m[1]!.split('.').slice(1))
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return Array.isArray(v) ? v : undefined;
}

/**
 * A run's steps for the canvas overlay: the run's own, plus each loop's body steps as its latest iteration has them
 * (a running one first), so the body's nodes show where the loop is.
 */
export function withLoopSteps(steps: readonly StepState[]): StepState[] {
  const out = [...steps];
  for (const s of steps) {
    const its = s.loop?.iterations ?? [];
    const latest = its.filter((i) => i.status === 'running').at(-1) ?? its.at(-1);
    if (latest) out.push(...latest.steps.filter((b) => !out.some((o) => o.nodeId === b.nodeId)));
  }
  return out;
}
