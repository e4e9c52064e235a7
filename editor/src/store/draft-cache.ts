// The unsaved draft of a flow, kept in localStorage until the server has it: a lost connection loses nothing.
import type { FlowDefinition } from '../flow/model.js';

const key = (flowId: string) => `confluo.draft.${flowId}`;

export function keepDraft(flowId: string, definition: FlowDefinition) {
  try {
    localStorage.setItem(key(flowId), JSON.stringify({ definition, at: Date.now() }));
  } catch {
    // storage full or disabled: the server copy is all there is
  }
}
export function unsavedDraft(flowId: string): FlowDefinition | undefined {
  try {
    const raw = localStorage.getItem(key(flowId));
    return raw ? (JSON.parse(raw) as { definition: FlowDefinition }).definition : undefined;
  } catch {
    return undefined;
  }
}
export const dropDraft = (flowId: string) => localStorage.removeItem(key(flowId));
