// /api/channel-accounts: one account per channel connection (a bot, a number, a page) with its credentials, encrypted
// at rest under the server's secret key and never returned. The gateway that serves each account's inbound URL and the
// provider webhook registration come later; this is the store and its API.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../connectors/sdk/schema.js';
import { openCredentials, sealCredentials, type Credentials } from '../../prisma/channel-accounts.js';
import type { Prisma } from '../../prisma/client.js';
import { HttpError, notFound, schemaIssues } from '../errors.js';
import { newId } from '../ids.js';
import {
  ChannelAccount,
  ChannelAccountList,
  ChannelAccountListQuery,
  CreateChannelAccountBody,
  UpdateChannelAccountBody,
} from '../schemas/channel-accounts.js';
import { errors, IdParams, Nothing } from '../schemas/common.js';
import { after, encodeCursor } from '../services/keyset.js';

const tags = ['channel accounts'];
type Row = Prisma.ChannelAccountGetPayload<object>;

export const channelAccountRoutes: FastifyPluginAsyncTypebox<{ secretKey?: Buffer }> = async (app, opts) => {
  const { secretKey } = opts;
  app.addHook('onRequest', async () => {
    if (!secretKey) throw new HttpError(503, 'secrets_unavailable', 'channel accounts need a secret key: start the server with CONFLUO_SECRET_KEY set');
  });
  // Only reached after the hook above: every handler has a key.
  const key = () => secretKey as Buffer;

  const ajv = createAjv();
  const authValidators = new Map<string, ValidateFunction | undefined>();
  /** The connector's credentials validator (undefined when it declares no auth schema); 400 for an unknown connector. */
  function authValidator(connector: string): ValidateFunction | undefined {
    if (!authValidators.has(connector)) {
      const manifest = app.registry.manifests().find((m) => m.id === connector);
      if (!manifest) {
        const message = `no connector "${connector}" (see GET /api/connectors)`;
        throw new HttpError(400, 'validation_failed', message, [{ path: '/body/connector', code: 'unknown_connector', message }]);
      }
      authValidators.set(connector, manifest.auth ? ajv.compile(manifest.auth) : undefined);
    }
    return authValidators.get(connector);
  }
  /** Every issue, with paths only: ajv messages never quote the values, so no secret reaches the error body. */
  function checkCredentials(connector: string, credentials: Credentials): void {
    const validate = authValidator(connector);
    if (validate && !validate(credentials)) {
      throw new HttpError(400, 'validation_failed', `credentials do not match the ${connector} connector's auth schema`, schemaIssues('/body/credentials', validate.errors ?? []));
    }
  }

  const toAccount = (row: Row, log: { warn(o: object, m: string): void }): ChannelAccount => {
    let credentialKeys: string[] = [];
    let credentialsReadable = true;
    try {
      credentialKeys = Object.keys(openCredentials(key(), row.id, row.credentials)).sort();
    } catch (err) {
      // Still listed (so it can be fixed with PATCH or deleted); the values are never in the error.
      credentialsReadable = false;
      log.warn({ accountId: row.id, err: (err as Error).message }, 'channel account credentials unreadable');
    }
    return {
      id: row.id,
      connector: row.connector,
      name: row.name,
      settings: row.settings as Record<string, unknown>,
      inboundUrl: `${app.publicUrl}/hooks/channels/${row.id}`,
      credentialsSet: true,
      credentialKeys,
      credentialsReadable,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  };

  async function ownedAccount(workspaceId: string, id: string): Promise<Row> {
    const row = await app.prisma.channelAccount.findFirst({ where: { id, workspaceId } });
    if (!row) throw notFound('channel account');
    return row;
  }

  const inboundNote = '`inboundUrl` is where the provider will deliver webhooks, once the channel gateway serves it (later work).';

  app.post(
    '/channel-accounts',
    {
      schema: {
        tags,
        summary: 'Add a channel account; its credentials are encrypted and never returned',
        description: inboundNote,
        body: CreateChannelAccountBody,
        response: { 201: ChannelAccount, ...errors(400, 401, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const { connector, name, credentials, settings } = request.body;
      checkCredentials(connector, credentials);
      const id = newId('cha');
      const row = await app.prisma.channelAccount.create({
        data: {
          id,
          workspaceId: request.workspaceId,
          connector,
          name,
          credentials: sealCredentials(key(), id, credentials),
          settings: (settings ?? {}) as Prisma.InputJsonObject,
        },
      });
      return reply.code(201).send(toAccount(row, request.log));
    },
  );

  app.get(
    '/channel-accounts',
    {
      schema: { tags, summary: 'List channel accounts, newest first', querystring: ChannelAccountListQuery, response: { 200: ChannelAccountList, ...errors(400, 401, 503) } },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const { connector, cursor } = request.query;
      const rows = await app.prisma.channelAccount.findMany({
        where: { workspaceId: request.workspaceId, ...(connector !== undefined && { connector }), ...after(cursor) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: limit + 1,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return { items: page.map((r) => toAccount(r, request.log)), ...(rows.length > limit && last && { nextCursor: encodeCursor(last) }) };
    },
  );

  app.get(
    '/channel-accounts/:id',
    { schema: { tags, summary: 'A channel account (without its credentials)', description: inboundNote, params: IdParams, response: { 200: ChannelAccount, ...errors(401, 404, 503) } } },
    async (request) => toAccount(await ownedAccount(request.workspaceId, request.params.id), request.log),
  );

  app.patch(
    '/channel-accounts/:id',
    {
      schema: {
        tags,
        summary: 'Rename, replace settings, and/or replace the credentials as a whole (re-validated and re-encrypted)',
        params: IdParams,
        body: UpdateChannelAccountBody,
        response: { 200: ChannelAccount, ...errors(400, 401, 404, 415, 503) },
      },
    },
    async (request) => {
      const current = await ownedAccount(request.workspaceId, request.params.id);
      const { name, credentials, settings } = request.body;
      // A connector no longer installed has no schema to check against; the account stays editable.
      const installed = app.registry.manifests().some((m) => m.id === current.connector);
      if (credentials !== undefined && installed) checkCredentials(current.connector, credentials);
      const row = await app.prisma.channelAccount.update({
        where: { id: current.id },
        data: {
          ...(name !== undefined && { name }),
          ...(settings !== undefined && { settings: settings as Prisma.InputJsonObject }),
          ...(credentials !== undefined && { credentials: sealCredentials(key(), current.id, credentials) }),
        },
      });
      return toAccount(row, request.log);
    },
  );

  app.delete(
    '/channel-accounts/:id',
    { schema: { tags, summary: 'Delete a channel account and its stored credentials', params: IdParams, response: { 204: Nothing, ...errors(401, 404, 503) } } },
    async (request, reply) => {
      const { count } = await app.prisma.channelAccount.deleteMany({ where: { id: request.params.id, workspaceId: request.workspaceId } });
      if (count === 0) throw notFound('channel account');
      return reply.code(204).send(null);
    },
  );
};
