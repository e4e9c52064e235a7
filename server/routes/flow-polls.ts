// /api/flows/:id/poll/pause|resume: a poll-triggered flow's polls paused and resumed (README.md "Poll triggers"), as a
// scheduled flow's schedule is; the state is Temporal's (the poll Schedule's) and stays across later publishes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { createFlowStore } from '../../prisma/flows.js';
import { httpErrors } from '../errors.js';
import { errors, IdParams } from '../schemas/common.js';
import { FlowPoll } from '../schemas/flow-polls.js';
import { createFlowPollService } from '../services/flow-polls.js';

export const flowPollRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const flows = createFlowStore(app.prisma);
  const polls = createFlowPollService(app, flows);
  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post(
      `/flows/:id/poll/${action}`,
      {
        schema: {
          tags: ['flows'],
          summary: paused ? "Pause the flow's polls (no poll runs until resumed)" : "Resume the flow's paused polls",
          description:
            'Only for a flow whose published version has a poll trigger (409 `not_polling` otherwise). The state stays across later publishes; items that arrive meanwhile are taken by the first poll after the resume.',
          params: IdParams,
          response: { 200: FlowPoll, ...errors(401, 404, 409, 503) },
        },
      },
      async (request) => {
        const flow = await flows.get(request.workspaceId, request.params.id);
        if (!flow) throw httpErrors.notFound('flow');
        if (!(await polls.pollTriggerOf(flow))) throw httpErrors.notPolling();
        if (!(await polls.setPaused(flow.id, paused))) throw httpErrors.notPolling();
        return (await polls.stateOf(flow))!;
      },
    );
  }
};
