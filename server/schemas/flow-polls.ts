// The poll state of a flow whose published version has a poll trigger (GET /api/flows/:id `poll`; README.md "Poll
// triggers"): its Temporal Schedule's state and the poll's health from prisma/flow-polls.ts.
import { Type, type Static } from 'typebox';
import { DateTime } from './common.js';

export const FlowPoll = Type.Object({
  state: Type.Union(
    [
      Type.Literal('active'),
      Type.Literal('failing'),
      Type.Literal('paused'),
      Type.Literal('missing'),
      Type.Literal('unknown'),
    ],
    {
      description:
        '`failing`: the last polls (3 or more in a row) failed, see lastError; `missing`: Temporal has no schedule for the version (the server recreates it at start, or publish again); `unknown`: Temporal did not answer',
    },
  ),
  source: Type.String({ description: 'The poll trigger, e.g. http.poll' }),
  every: Type.String({ description: 'The interval, an ISO-8601 duration' }),
  nextPollAt: Type.Union([DateTime, Type.Null()]),
  lastPolledAt: Type.Union([DateTime, Type.Null()], { description: 'The last poll that succeeded; null: none yet' }),
  lastError: Type.Union([
    Type.Object({ message: Type.String(), code: Type.Optional(Type.String()), at: DateTime }),
    Type.Null(),
  ]),
  failures: Type.Integer({ description: 'Polls failed in a row' }),
  runsStarted: Type.Integer({ description: 'Runs the poll started, in all' }),
});
export type FlowPoll = Static<typeof FlowPoll>;
