// Shapes of /api/runs. Runs are read from Temporal; step states are the worker's StepState.
import { Type, type Static } from 'typebox';
import type { StepState as FlowStepState } from '../../connectors/flow/types.js';
import { RUN_STATUSES, type RunStatus as RunStatusValue } from '../../worker/contract.js';
import { DateTime, Definition, Json } from './common.js';

/** The contract's list as `anyOf` literals; typed by hand because a union over a mapped array has Static `never`. */
export const RunStatus = Type.Unsafe<RunStatusValue>(Type.Union(RUN_STATUSES.map((s) => Type.Literal(s))));
export type RunStatus = Static<typeof RunStatus>;

/** Ids that go into a visibility query are limited to id characters (no quoting games). */
const SAFE_ID = '^[A-Za-z0-9_-]{1,100}$';
const SafeId = Type.String({ pattern: SAFE_ID });

/** A run id: a `run_` id, or a scheduled run's (`run_sched_<flowId>-<scheduled time, RFC 3339>`, so with colons). */
export const RunParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_:-]{1,100}$' }) });
export type RunParams = Static<typeof RunParams>;

export const RunListQuery = Type.Object({
  flowId: Type.Optional(SafeId),
  status: Type.Optional(RunStatus),
  contactId: Type.Optional(
    Type.String({
      pattern: SAFE_ID,
      description:
        'Only runs of this contact and of the contacts merged into it (channel-message and contact-event runs record their contact; webhook runs, and runs started before Confluo recorded it, have none and never match)',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  pageToken: Type.Optional(
    Type.String({
      maxLength: 2000,
      pattern: '^[A-Za-z0-9_-]+$',
      description: "The previous page's `nextPageToken` (base64url), with the same flowId, contactId and status",
    }),
  ),
});
export type RunListQuery = Static<typeof RunListQuery>;

const summary = {
  id: Type.String(),
  flowId: Type.String(),
  version: Type.Integer({ description: '0 for a test run of the draft' }),
  status: RunStatus,
  /** The run's own contact, when it has one (see `contactId` of the list). */
  contactId: Type.Optional(Type.String()),
  startedAt: DateTime,
  closedAt: Type.Optional(DateTime),
};

export const RunSummary = Type.Object(summary);
export type RunSummary = Static<typeof RunSummary>;
export const RunList = Type.Object({ items: Type.Array(RunSummary), nextPageToken: Type.Optional(Type.String()) });
export type RunList = Static<typeof RunList>;

const stepState = Type.Object({
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
  childRunId: Type.Optional(Type.String({ description: "A sub-flow step's child run (GET /api/runs/:id)" })),
  loop: Type.Optional(
    Type.Object(
      {
        total: Type.Integer(),
        completed: Type.Integer({ description: 'Items finished, failed ones included' }),
        failed: Type.Integer(),
        iterations: Type.Optional(
          Type.Array(
            Type.Object({
              index: Type.Integer(),
              status: Type.String(),
              steps: Type.Array(Json, { description: "The body's steps for this item (StepState)" }),
            }),
            { description: 'The latest iterations and the first failed ones, by index' },
          ),
        ),
      },
      { description: "A loop step's progress" },
    ),
  ),
});
/** Served with `type` and `status` as plain strings; typed as the flow model's `StepState`, which runs hold. */
export const StepState = Type.Unsafe<FlowStepState>(stepState);
export type StepState = Static<typeof StepState>;

export const RunDetail = Type.Object({
  ...summary,
  /** The definition the run interprets, pinned at start (for a test run: the draft as it was). */
  definition: Definition,
  trigger: Json,
  steps: Type.Array(StepState),
  error: Type.Optional(Type.Object({ message: Type.String(), failedStep: Type.Optional(Type.String()) })),
});
export type RunDetail = Static<typeof RunDetail>;
