// The one activity a sub-flow node needs: the called flow's published definition, read before the child starts, so the
// workflow gets it from history (deterministic on replay) and the child is pinned to it like any run.
import { ApplicationFailure } from '@temporalio/common';
import type { FlowDefinition } from '../connectors/flow/types.js';
import type { FlowStore } from '../prisma/flows.js';

export interface LoadSubflowInput {
  workspaceId: string;
  flowId: string;
  /** Absent: the latest published version, now. */
  version?: number;
}

export interface LoadSubflowResult {
  version: number;
  definition: FlowDefinition;
}

/** The failure type of a sub-flow that is gone (deleted, or its pinned version is missing): no retry helps. */
export const SUBFLOW_NOT_FOUND = 'SUBFLOW_NOT_FOUND';

export function createSubflowActivities(flows: Pick<FlowStore, 'published'> | undefined) {
  return {
    async loadSubflow(req: LoadSubflowInput): Promise<LoadSubflowResult> {
      if (!flows)
        throw ApplicationFailure.nonRetryable('sub-flows need the database, which this worker has none of', 'CONFIG');
      const found = await flows.published(req.workspaceId, req.flowId, req.version);
      if (!found)
        throw ApplicationFailure.nonRetryable(
          req.version === undefined
            ? `flow "${req.flowId}" is not a published flow of this workspace`
            : `flow "${req.flowId}" has no published version ${req.version} in this workspace`,
          SUBFLOW_NOT_FOUND,
        );
      return found;
    },
  };
}
