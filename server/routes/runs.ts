// /api/runs: runs as Temporal knows them (status, steps, trigger), scoped to the caller's workspace. Temporal
// unreachable or slower than CONFLUO_TEMPORAL_DEADLINE_MS: 503 temporal_unavailable (server/services/runs.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, RunIdBody } from '../schemas/common.js';
import { RunDetail, RunList, RunListQuery, RunParams } from '../schemas/runs.js';
import { viewRows } from '../../prisma/contacts.js';
import { cancelRun, getRun, listRuns, retryRun } from '../services/runs.js';

const tags = ['runs'];

export const runRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/runs',
    {
      schema: {
        tags,
        summary: 'List runs, newest first (eventually consistent: a run just started may take a moment to appear)',
        querystring: RunListQuery,
        response: { 200: RunList, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const { flowId, contactId, status, limit, pageToken } = request.query;
      // A contact's runs are its cluster's: runs of contacts merged into it keep their own contact id.
      const contactIds = contactId
        ? ((await viewRows(app.prisma, request.workspaceId, contactId)) ?? [contactId])
        : undefined;
      return listRuns(app.temporal, request.workspaceId, {
        limit: limit ?? 50,
        ...(flowId && { flowId }),
        ...(contactIds && { contactIds }),
        ...(status && { status }),
        ...(pageToken && { pageToken }),
      });
    },
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        tags,
        summary: 'A run with its trigger and every step',
        params: RunParams,
        response: { 200: RunDetail, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      await app.inbound.startPending(request.params.id);
      return getRun(app.temporal, request.workspaceId, request.params.id);
    },
  );

  app.post(
    '/runs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Request cancellation',
        params: RunParams,
        response: { 202: RunIdBody, ...errors(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await app.inbound.startPending(request.params.id);
      await cancelRun(app.temporal, request.workspaceId, request.params.id);
      return reply.code(202).send({ runId: request.params.id });
    },
  );

  app.post(
    '/runs/:id/retry',
    {
      schema: {
        tags,
        summary: 'Re-run a failed or cancelled run from the step that failed',
        description:
          'Starts a new run of the same version with the same trigger. Steps the old run completed or skipped are carried over (marked `reusedFrom`), not executed again.',
        params: RunParams,
        response: { 202: RunIdBody, ...errors(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      await app.inbound.startPending(request.params.id);
      const runId = await retryRun(app.temporal, app.workflows, request.workspaceId, request.params.id);
      return reply.code(202).send({ runId });
    },
  );
};
