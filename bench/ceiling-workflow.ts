// The engine's ceiling (issue 13): the least a run can be, a hand-written workflow with one step that does nothing,
// as a local activity (run inside the workflow task's worker, no activity task round trip) and as a regular one.
// Started fire-and-forget like the reference flow's runs, on the same Temporal store: what Confluo's runs/s is
// compared with.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

export interface CeilingActivities {
  ceilingStep(n: number): Promise<number>;
}

const local = proxyLocalActivities<CeilingActivities>({ startToCloseTimeout: '10s' });
const regular = proxyActivities<CeilingActivities>({ startToCloseTimeout: '10s' });

export async function ceilingLocal(n: number): Promise<number> {
  return local.ceilingStep(n);
}

export async function ceilingRegular(n: number): Promise<number> {
  return regular.ceilingStep(n);
}

/** The step itself: the worker registers it beside Confluo's activities. */
export const ceilingActivities: CeilingActivities = { ceilingStep: async (n) => n + 1 };
