// Request and response shapes of /api/flows. Definitions are free-form here: their own JSON Schema is the flow model's
// (GET /api/schemas/flow.json), checked by validateFlow so the answer lists every issue with a useful path. Responses
// type them as `FlowDefinition` (`Definition`); request bodies keep `unknown` until checked.
import { Type, type Static } from 'typebox';
import { DateTime, Definition, Issue, Json, Limit } from './common.js';
import { FlowPoll } from './flow-polls.js';

const Name = Type.String({ minLength: 1, maxLength: 200 });

export const CreateFlowBody = Type.Object({
  name: Name,
  definition: Type.Optional(Json),
});
export type CreateFlowBody = Static<typeof CreateFlowBody>;

export const UpdateFlowBody = Type.Object({
  name: Type.Optional(Name),
  definition: Type.Optional(Json),
});
export type UpdateFlowBody = Static<typeof UpdateFlowBody>;

export const VersionSummary = Type.Object({ version: Type.Integer(), createdAt: DateTime });
export type VersionSummary = Static<typeof VersionSummary>;

/** The Temporal Schedule of a flow whose published version has a schedule trigger (worker/schedules.ts). */
export const FlowSchedule = Type.Object({
  state: Type.Union(
    [Type.Literal('active'), Type.Literal('paused'), Type.Literal('missing'), Type.Literal('unknown')],
    {
      description:
        '`missing`: Temporal has no schedule for the version (the server recreates it at start, or publish again); `unknown`: Temporal did not answer',
    },
  ),
  nextRunAt: Type.Array(DateTime, { description: 'The next scheduled times, soonest first; none while paused' }),
});
export type FlowSchedule = Static<typeof FlowSchedule>;

export const FlowDetail = Type.Object({
  id: Type.String(),
  name: Type.String(),
  definition: Definition,
  issues: Type.Array(Issue),
  latestVersion: Type.Integer({ description: '0 while never published' }),
  webhookToken: Type.Optional(Type.String()),
  webhookUrl: Type.Optional(Type.String()),
  schedule: Type.Optional(FlowSchedule),
  poll: Type.Optional(FlowPoll),
  versions: Type.Array(VersionSummary),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type FlowDetail = Static<typeof FlowDetail>;

export const FlowSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  latestVersion: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type FlowSummary = Static<typeof FlowSummary>;

export const FlowListQuery = Type.Object({
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
export type FlowListQuery = Static<typeof FlowListQuery>;

export const FlowList = Type.Object({
  items: Type.Array(FlowSummary),
  nextCursor: Type.Optional(Type.String()),
});
export type FlowList = Static<typeof FlowList>;

export const ValidateBody = Type.Object({
  definition: Json,
  flowId: Type.Optional(
    Type.String({
      description: 'The flow the definition is a draft of: its sub-flows are checked against it (cycles)',
    }),
  ),
});
export type ValidateBody = Static<typeof ValidateBody>;

export const ValidateResult = Type.Object({ valid: Type.Boolean(), issues: Type.Array(Issue) });
export type ValidateResult = Static<typeof ValidateResult>;

export const Published = Type.Object({ version: Type.Integer(), webhookUrl: Type.String() });
export type Published = Static<typeof Published>;

export const VersionParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  // PostgreSQL's integer: a larger one cannot exist (and used to reach the database as a 500).
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
export type VersionParams = Static<typeof VersionParams>;

export const FlowVersionBody = Type.Object({
  flowId: Type.String(),
  version: Type.Integer(),
  definition: Definition,
  createdAt: DateTime,
});
export type FlowVersionBody = Static<typeof FlowVersionBody>;

export const TestRunBody = Type.Object({
  trigger: Type.Optional(
    Type.Object(
      {
        body: Type.Optional(Json),
        headers: Type.Optional(Type.Record(Type.String(), Type.String())),
        query: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      {
        description:
          'A webhook event (`body`, `headers`, `query`), or for a channel.message flow a message event (`channel`, `message`, `sender`, `contactId`, ...)',
      },
    ),
  ),
});
export type TestRunBody = Static<typeof TestRunBody>;
