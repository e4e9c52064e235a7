// POST /hooks/flows/:token: the webhook trigger. No API key: the token in the URL is the secret. Answers 202 only after
// the run's start committed to PostgreSQL (the inbound outbox, services/inbound.ts), so an acknowledged event is never
// lost, and a burst or a Temporal outage does not slow the answer; the relay starts the run, with the runId as
// workflow id. A flow with a respond node is the exception: it answers itself, so it starts on Temporal at once.
import { createHash } from 'node:crypto';
import formbody from '@fastify/formbody';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { respondsSynchronously, respondTimeoutMs } from '../../connectors/flow/respond.js';
import type { FlowDefinition, JsonValue } from '../../connectors/flow/types.js';
import { createFlowStore } from '../../prisma/flows.js';
import { isWebhookToken } from '../../prisma/ids.js';
import { IdempotencyKeyReusedError, KEY_REUSED_MESSAGE } from '../../worker/client.js';
import { runIdFor } from '../../worker/ids.js';
import type { AnsweredRun } from '../../worker/respond-client.js';
import { httpErrors } from '../errors.js';
import { checkStartBytes } from '../plugins/input-guard.js';
import { errors, RunIdBody } from '../schemas/common.js';
import { sendWebhookResponse } from '../services/webhook-response.js';

/** Credentials of the caller never reach run state, logs or the runs API. */
const STRIPPED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
const HookHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) });

const requestHash = (body: JsonValue, query: JsonValue) =>
  createHash('sha256')
    .update(JSON.stringify([body, query]))
    .digest('hex');

export const hookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const flows = createFlowStore(app.prisma);
  // Callers send whatever their system sends: JSON (built in), forms, text (built in), and anything else as raw text.
  await app.register(formbody);
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/flows/:token',
    {
      schema: {
        tags: ['hooks'],
        summary: 'Trigger a published flow',
        description:
          "Any body (JSON, form, text). 202 once the run is durable in PostgreSQL; it starts on Temporal right after (an outage delays it, never loses it). 503 `inbound_backlog_full` with Retry-After when too many acknowledged runs wait for Temporal. An `Idempotency-Key` header makes the run id a function of flow and key, so a repeat answers the same runId (with `Idempotent-Replayed: true`) and starts nothing. A flow with a respond node answers with its status, headers and body when the run reaches it within the trigger's `respond.timeout` (default PT10S); otherwise 202.",
        security: [],
        params: TokenParams,
        headers: HookHeaders,
        response: { 202: RunIdBody, ...errors(400, 404, 409, 413, 422, 503) },
      },
    },
    async (request, reply) => {
      const flow = isWebhookToken(request.params.token) ? await flows.byWebhookToken(request.params.token) : null;
      if (!flow || flow.latestVersion === 0) throw httpErrors.notFound('webhook');
      const version = await flows.version(flow.id, flow.latestVersion);
      if (!version) throw httpErrors.notFound('webhook');
      const definition = version.definition as unknown as FlowDefinition;
      if (definition.trigger.type !== 'webhook') throw httpErrors.triggerMismatch(definition.trigger.type);

      const headers: Record<string, JsonValue> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined && !STRIPPED_HEADERS.has(name)) headers[name] = value;
      }
      const receivedAt = new Date().toISOString();
      const trigger = {
        body: (request.body ?? null) as JsonValue,
        headers,
        // Spread: the parsed query string has a null prototype.
        query: { ...(request.query as Record<string, JsonValue>) },
        receivedAt,
      };
      const key = request.headers['idempotency-key'];
      const input = {
        workspaceId: flow.workspaceId,
        flowId: flow.id,
        version: version.version,
        definition,
        trigger,
        startedAt: receivedAt,
      };
      checkStartBytes(input, "the webhook's body, headers and query string");
      // What "the same request" means for a repeated key: the same body and query string.
      const dedupe =
        key === undefined ? {} : { idempotencyKey: key, requestHash: requestHash(trigger.body, trigger.query) };
      const refused = (err: unknown) => {
        throw err instanceof IdempotencyKeyReusedError ? httpErrors.idempotencyKeyReused(err.message) : err;
      };
      // A flow with a respond node answers itself, within its timeout (else 202 as below; the run goes on): it is
      // started on Temporal now, with update-with-start (worker/respond-client.ts).
      if (respondsSynchronously(definition)) {
        const { runId, replayed, response }: AnsweredRun = await app.workflows
          .startRunForAnswer(input, { ...dedupe, waitMs: respondTimeoutMs(definition.trigger) })
          .catch(refused);
        if (replayed) void reply.header('idempotent-replayed', 'true');
        if (response) return sendWebhookResponse(reply, response);
        return reply.code(202).send({ runId });
      }
      const runId = runIdFor(flow.id, key);
      const [accepted] = await app.inbound.accept([
        {
          id: runId,
          kind: 'run',
          workspaceId: flow.workspaceId,
          input,
          ...(dedupe.requestHash !== undefined && { requestHash: dedupe.requestHash }),
        },
      ]);
      if (!accepted!.inserted) {
        // A row kept before request hashes were (none): it replays.
        const first = accepted!.firstRequestHash;
        if (dedupe.requestHash !== undefined && first !== null && first !== dedupe.requestHash)
          throw httpErrors.idempotencyKeyReused(KEY_REUSED_MESSAGE);
        void reply.header('idempotent-replayed', 'true');
      }
      return reply.code(202).send({ runId });
    },
  );

  // Same path, other methods: say which method works instead of a bare 404.
  app.route({
    method: ['GET', 'PUT', 'PATCH', 'DELETE'],
    url: '/flows/:token',
    schema: { hide: true },
    handler: async (_request, reply) => {
      void reply.header('allow', 'POST');
      throw httpErrors.methodNotAllowed('webhooks accept POST only');
    },
  });
};
