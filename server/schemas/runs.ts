// Shapes of /api/runs. Runs are read from Temporal; step states are the worker's StepState.
import { Type, type Static } from 'typebox';
import { DateTime, Json } from './common.js';

export const RunStatus = Type.Union([
  Type.Literal('running'),
  Type.Literal('waiting'),
  Type.Literal('completed'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
]);

/** Ids that go into a visibility query are limited to id characters (no quoting games). */
const SafeId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,100}$' });

export const RunParams = Type.Object({ id: SafeId });
export type RunParams = Static<typeof RunParams>;

export const RunListQuery = Type.Object({
  flowId: Type.Optional(SafeId),
  status: Type.Optional(RunStatus),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  pageToken: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type RunListQuery = Static<typeof RunListQuery>;

const summary = {
  id: Type.String(),
  flowId: Type.String(),
  version: Type.Integer({ description: '0 for a test run of the draft' }),
  status: RunStatus,
  startedAt: DateTime,
  closedAt: Type.Optional(DateTime),
};

export const RunSummary = Type.Object(summary);
export const RunList = Type.Object({ items: Type.Array(RunSummary), nextPageToken: Type.Optional(Type.String()) });

export const StepState = Type.Object({
  nodeId: Type.String(),
  type: Type.String(),
  status: Type.String(),
  input: Type.Optional(Json),
  output: Type.Optional(Json),
  error: Type.Optional(
    Type.Object({
      message: Type.String(),
      code: Type.Optional(Type.String()),
      retryable: Type.Optional(Type.Boolean()),
    }),
  ),
  attempts: Type.Optional(Type.Integer()),
  branch: Type.Optional(Type.String()),
  startedAt: Type.Optional(Type.String()),
  finishedAt: Type.Optional(Type.String()),
  reusedFrom: Type.Optional(Type.String({ description: 'The run this step was carried over from (retries)' })),
});

export const RunDetail = Type.Object({
  ...summary,
  /** The definition the run interprets, pinned at start (for a test run: the draft as it was). */
  definition: Json,
  trigger: Json,
  steps: Type.Array(StepState),
  error: Type.Optional(Type.Object({ message: Type.String(), failedStep: Type.Optional(Type.String()) })),
});
