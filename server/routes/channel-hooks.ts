// GET|POST /hooks/channels/:accountId: the channel gateway. One inbound endpoint per channel account, the same steps for
// every channel: find the account, answer handshakes, verify the signature over the raw body, parse into normalized
// events, and acknowledge once every event is durable: one row per event in the inbound outbox (services/inbound.ts),
// committed to PostgreSQL, with the event's dedupe key in its workflow id (ingestIdFor; a provider's retry finds the
// first row, or the first workflow, and starts nothing). The relay starts its `ingest` workflow right after.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  InboundPayloadError,
  type ChannelEvent,
  type InboundContext,
  type InboundRequest,
  type InboundResponse,
} from '../../connectors/sdk/channel.js';
import { isIdOf } from '../../prisma/ids.js';
import { AccountUnavailable, createChannelAccountStore, type OpenedAccount } from '../../prisma/channel-accounts.js';
import type { CrmChangeInput, IngestInput } from '../../worker/contract.js';
import { crmChangeIdFor, ingestIdFor } from '../../worker/ids.js';
import { accountUnavailable, errorBody, httpErrors } from '../errors.js';
import { checkStartBytes, jsonTooDeep, tooDeepBody } from '../plugins/input-guard.js';
import { errors } from '../schemas/common.js';

const Params = Type.Object({ accountId: Type.String({ minLength: 1, maxLength: 100 }) });

export const channelHookRoutes: FastifyPluginAsyncTypebox<{ secretKey?: Buffer }> = async (app, opts) => {
  // Signatures are over the exact bytes: keep every body raw, whatever its content type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // Browsers post here too (the web chat widget, from other sites): every answer, errors included, is readable by
  // them. Answers carry acknowledgements and error codes only, never account data.
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('access-control-allow-origin', '*');
  });
  app.options('/:accountId', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, POST')
      .header('access-control-allow-headers', 'content-type, x-webchat-token')
      .header('access-control-max-age', '600')
      .send(),
  );

  const accounts = createChannelAccountStore(app.prisma, {
    secretKey: opts.secretKey,
    publicUrl: app.publicUrl,
    registry: app.registry,
  });

  async function target(accountId: string): Promise<{ loaded: OpenedAccount; connector: OpenedAccount['connector'] }> {
    if (!isIdOf('cha', accountId)) throw httpErrors.notFound('channel account');
    const loaded = await accounts.open(accountId).catch((err: unknown) => {
      if (!(err instanceof AccountUnavailable)) throw err;
      if (err.reason === 'unreadable') app.log.error({ accountId, err: err.message }, 'channel account unreadable');
      throw accountUnavailable(err);
    });
    if (!loaded.connector.channel?.inbound && !loaded.connector.crm?.inbound) throw httpErrors.noInbound(accountId);
    return { loaded, connector: loaded.connector };
  }

  function inboundRequest(request: FastifyRequest): InboundRequest {
    const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    return {
      method: request.method,
      // What the provider called (and Twilio signed): the public base plus the path and query as received.
      url: app.publicUrl + request.url,
      headers: request.headers,
      query: { ...(request.query as Record<string, string>) },
      rawBody,
    };
  }

  const send = (reply: FastifyReply, r: InboundResponse) => {
    // A refusal (a handshake with the wrong verify token, ...) is an error like any other: the one error body.
    if (r.status >= 400) {
      const message = typeof r.body === 'string' && r.body !== '' ? r.body : 'refused';
      return reply.code(r.status).send(errorBody('handshake_refused', message));
    }
    void reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) void reply.header(k, v);
    if (r.body === undefined) return reply.send('');
    if (typeof r.body === 'string') return reply.type(r.contentType ?? 'text/plain; charset=utf-8').send(r.body);
    return reply.type(r.contentType ?? 'application/json; charset=utf-8').send(JSON.stringify(r.body));
  };

  /** A CRM's changes: one `crmChange` per change dedupe key, all durable before the 200. */
  async function startCrmChanges(
    loaded: OpenedAccount,
    connector: OpenedAccount['connector'],
    req: InboundRequest,
    ctx: InboundContext,
    reply: FastifyReply,
  ) {
    const receivedAt = new Date().toISOString();
    const inputs = connector.crm!.inbound!.parse(req, ctx).map((change): CrmChangeInput => ({
      workspaceId: loaded.account.workspaceId,
      accountId: loaded.account.id,
      connector: connector.id,
      change,
      receivedAt,
    }));
    for (const input of inputs) checkStartBytes(input, 'a change of this delivery');
    await app.inbound.accept(
      inputs.map((input) => ({
        id: crmChangeIdFor(input.accountId, input.change.dedupeKey),
        kind: 'crm_change' as const,
        workspaceId: input.workspaceId,
        input,
      })),
    );
    return send(reply, { status: 200 });
  }

  const schema = {
    tags: ['hooks'],
    summary: "A channel or CRM account's inbound endpoint (providers call it)",
    description:
      "Verified with the provider's signature scheme (401 and nothing started when it fails), handshakes answered, each event made durable in PostgreSQL (one `ingest` workflow per provider message id, started right after by the relay) before the acknowledgement; 503 `inbound_backlog_full` with Retry-After when too many acknowledged events wait for Temporal.",
    security: [],
    params: Params,
    response: errors(400, 401, 403, 404, 405, 413, 503),
  };

  app.get('/:accountId', { schema }, async (request, reply) => {
    const { loaded, connector } = await target(request.params.accountId);
    const ctx: InboundContext = { account: loaded.account, now: Date.now(), logger: request.log };
    const answer = (connector.channel?.inbound ?? connector.crm?.inbound)!.handshake?.(inboundRequest(request), ctx);
    if (!answer) throw httpErrors.methodNotAllowed("this endpoint accepts the provider's POST deliveries");
    return send(reply, answer);
  });

  app.post('/:accountId', { schema }, async (request, reply) => {
    const { loaded, connector } = await target(request.params.accountId);
    // A CRM account's webhooks (HubSpot, Pipedrive) arrive here too, verified and made durable the same way.
    const inbound = connector.channel?.inbound ?? connector.crm!.inbound!;
    const req = inboundRequest(request);
    const ctx: InboundContext = { account: loaded.account, now: Date.now(), logger: request.log };
    const verdict = inbound.verify(req, ctx);
    if (!verdict.ok) {
      request.log.warn(
        { accountId: loaded.account.id, connector: connector.id, reason: verdict.reason },
        'inbound request rejected',
      );
      throw httpErrors.signatureInvalid(verdict.reason);
    }
    // Signed, but deeper than any provider nests: no connector could write its events back as JSON (a 500 before).
    if (jsonTooDeep(req.rawBody)) throw tooDeepBody();
    const handshake = inbound.handshake?.(req, ctx);
    if (handshake) return send(reply, handshake);

    let events: ChannelEvent[];
    try {
      if (!connector.channel?.inbound) return await startCrmChanges(loaded, connector, req, ctx, reply);
      events = connector.channel.inbound.parse(req, ctx);
    } catch (err) {
      if (!(err instanceof InboundPayloadError || (err as Error)?.name === 'InboundPayloadError')) throw err;
      // The message says what is wrong with the shape; the body itself (possibly personal data) is not logged.
      request.log.warn(
        {
          accountId: loaded.account.id,
          connector: connector.id,
          problem: (err as Error).message,
          bytes: req.rawBody.length,
        },
        'malformed inbound payload',
      );
      throw httpErrors.payloadInvalid((err as Error).message);
    }

    const receivedAt = new Date().toISOString();
    const channel = connector.channel!.name;
    const inputs = events.map((event): IngestInput => ({
      workspaceId: loaded.account.workspaceId,
      accountId: loaded.account.id,
      connector: connector.id,
      channel,
      event,
      receivedAt,
    }));
    // Every event fits Temporal, or none is started.
    for (const input of inputs) checkStartBytes(input, 'an event of this delivery');
    // A repeat was delivered before: the first delivery's row (or ingest) has it.
    await app.inbound.accept(
      inputs.map((input) => ({
        id: ingestIdFor(input.accountId, input.event.dedupeKey),
        kind: 'ingest' as const,
        workspaceId: input.workspaceId,
        input,
      })),
    );
    return send(reply, connector.channel!.inbound!.ack ?? { status: 200 });
  });

  app.route({
    method: ['PUT', 'PATCH', 'DELETE'],
    url: '/:accountId',
    schema: { hide: true },
    handler: async (_request, reply) => {
      void reply.header('allow', 'GET, POST');
      throw httpErrors.methodNotAllowed('channel endpoints accept GET (handshakes) and POST (deliveries)');
    },
  });
};
