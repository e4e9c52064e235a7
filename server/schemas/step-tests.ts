// Request and response shapes of POST /api/flows/:id/steps/:nodeId/test (README.md "Testing one step").
import { Type, type Static } from 'typebox';
import { Json } from './common.js';

export const StepTestParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100 }),
  nodeId: Type.String({ minLength: 1, maxLength: 100 }),
});
export type StepTestParams = Static<typeof StepTestParams>;

export const StepTestBody = Type.Object({
  definition: Type.Optional(
    Type.Unknown({
      description:
        "The editor's current draft (default: the saved draft); only the node's own fields and its earlier steps' samples are used",
    }),
  ),
  from: Type.Optional(
    Type.Union([Type.Literal('sample'), Type.Literal('last_run')], {
      description:
        "`sample` (default): the trigger's sample and the samples kept on earlier steps; `last_run`: the trigger and step outputs of the flow's newest run, or of `runId`",
    }),
  ),
  runId: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'A run of this flow (implies last_run)' }),
  ),
  context: Type.Optional(
    Type.Object(
      {
        trigger: Type.Optional(Json),
        steps: Type.Optional(Type.Record(Type.String(), Type.Object({ output: Json }))),
        loop: Type.Optional(
          Type.Object(
            { item: Json, index: Type.Integer({ minimum: 0 }) },
            { description: "For a step in a loop's body: the item (`loop.item`, `loop.index`) it is tested with" },
          ),
        ),
      },
      {
        additionalProperties: false,
        description: 'Replaces the trigger, or single steps’ outputs, of the built context',
      },
    ),
  ),
});
export type StepTestBody = Static<typeof StepTestBody>;

const StepError = Type.Object({
  message: Type.String(),
  code: Type.Optional(Type.String()),
  retryable: Type.Optional(Type.Boolean()),
});

export const StepTestResult = Type.Object({
  nodeId: Type.String(),
  action: Type.String(),
  from: Type.Union([Type.Literal('sample'), Type.Literal('last_run')]),
  runId: Type.Optional(Type.String({ description: 'The run the context came from (last_run)' })),
  testId: Type.String({
    description: 'The test’s own workflow id (the action’s idempotency key is `<testId>:<nodeId>`)',
  }),
  input: Json,
  output: Type.Optional(Json),
  error: Type.Optional(StepError),
  missing: Type.Array(Type.Object({ path: Type.String(), ref: Type.String() }), {
    description: 'References of the input that resolved to nothing in this context',
  }),
  durationMs: Type.Integer(),
});
export type StepTestResult = Static<typeof StepTestResult>;
