// /api/channel-accounts: one account per channel connection (a bot, a number, a page) with its credentials, encrypted
// at rest under the server's secret key and never returned. Creating an account registers its inbound URL with the
// provider where the channel does that (Telegram setWebhook), and starts the polling loop of a polling channel (IMAP);
// deleting it undoes both.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../connectors/sdk/schema.js';
import type { FastifyBaseLogger } from 'fastify';
import type { JsonObject } from '../../connectors/flow/types.js';
import type { ChannelAccount as ChannelAccountData } from '../../connectors/sdk/channel.js';
import { isConnectorError } from '../../connectors/sdk/errors.js';
import { providerUrlProblems } from '../../connectors/sdk/http.js';
import { createChannelAccountStore, type ChannelAccountRow, type Credentials } from '../../prisma/channel-accounts.js';
import { createCrmSyncStore } from '../../prisma/crm-sync.js';
import { newId } from '../../prisma/ids.js';
import { httpErrors, schemaIssues, type Issue } from '../errors.js';
import {
  ChannelAccount,
  ChannelAccountList,
  ChannelAccountListQuery,
  CreateChannelAccountBody,
  UpdateChannelAccountBody,
} from '../schemas/channel-accounts.js';
import { errors, IdParams, Nothing } from '../schemas/common.js';
import { decodeCursor, nextCursor } from '../services/keyset.js';

const tags = ['channel accounts'];

export const channelAccountRoutes: FastifyPluginAsyncTypebox<{ secretKey?: Buffer }> = async (app, opts) => {
  const { secretKey } = opts;
  app.addHook('onRequest', async () => {
    if (!secretKey) throw httpErrors.secretsUnavailable();
  });
  // Only reached after the hook above: every handler has a key.
  const crmSyncs = createCrmSyncStore(app.prisma);
  const accounts = createChannelAccountStore(app.prisma, {
    secretKey,
    publicUrl: app.publicUrl,
    registry: app.registry,
  });

  const ajv = createAjv();
  const authValidators = new Map<string, ValidateFunction | undefined>();
  /** The connector's credentials validator (undefined when it declares no auth schema); 400 for an unknown connector. */
  function authValidator(connector: string): ValidateFunction | undefined {
    if (!authValidators.has(connector)) {
      const manifest = app.registry.manifests().find((m) => m.id === connector);
      if (!manifest) {
        const message = `no connector "${connector}" (see GET /api/connectors)`;
        throw httpErrors.validation(message, [{ path: '/body/connector', code: 'unknown_connector', message }]);
      }
      authValidators.set(connector, manifest.auth ? ajv.compile(manifest.auth) : undefined);
    }
    return authValidators.get(connector);
  }
  /** A channel's settings schema, or a CRM's (CRM accounts live here too: same sealing, same gateway). */
  const settingsSchema = (connector: string) => {
    const c = app.registry.get(connector);
    return c?.channel?.settings ?? c?.crm?.settings;
  };
  const settingsValidators = new Map<string, ValidateFunction | undefined>();
  function settingsValidator(connector: string): ValidateFunction | undefined {
    if (!settingsValidators.has(connector)) {
      const schema = settingsSchema(connector);
      settingsValidators.set(connector, schema ? ajv.compile(schema) : undefined);
    }
    return settingsValidators.get(connector);
  }

  /**
   * Checks the given credentials and settings against the connector's schemas and reports every issue of both at once.
   * Paths only: ajv messages never quote the values, so no secret reaches the error body.
   */
  function checkAccount(
    connector: string,
    given: { credentials?: Credentials; settings?: Record<string, unknown> },
  ): void {
    const issues: Issue[] = [];
    const parts: string[] = [];
    const auth = given.credentials !== undefined ? authValidator(connector) : undefined;
    if (auth && !auth(given.credentials)) {
      issues.push(...schemaIssues('/body/credentials', auth.errors ?? []));
      parts.push(`credentials do not match the ${connector} connector's auth schema`);
    }
    const settings = given.settings !== undefined ? settingsValidator(connector) : undefined;
    if (settings && !settings(given.settings)) {
      issues.push(...schemaIssues('/body/settings', settings.errors ?? []));
      parts.push(`settings do not match the ${connector} channel's settings schema`);
    }
    // A provider base URL (Telegram's, Slack's, the Graph API's, ...) only on the provider's host or one the operator
    // allowed: the server and the worker would otherwise send the account's token wherever it points.
    const schema = settingsSchema(connector);
    for (const { field, problem } of providerUrlProblems(schema, given.settings)) {
      const message = `settings.${field} ${problem}`;
      issues.push({ path: `/body/settings/${field}`, code: 'base_url_not_allowed', message });
      parts.push(message);
    }
    if (issues.length > 0) throw httpErrors.validation(parts.join('; '), issues);
  }

  /**
   * Registers the account's inbound URL with the provider (where the channel does that) and returns the credentials and
   * settings to store, with what registration added. A provider refusal is the caller's to fix: 422 naming it.
   */
  async function register(
    connector: string,
    account: ChannelAccountData,
    log: FastifyBaseLogger,
  ): Promise<{ credentials: Credentials; settings: Record<string, unknown> }> {
    const { channel, crm } = app.registry.get(connector) ?? {};
    if (!channel?.register && !crm) return { credentials: account.credentials, settings: account.settings };
    try {
      // A CRM account is checked by asking the CRM who it is (the portal or company its record ids belong to, the
      // token's user); a setting that contradicts the answer is refused.
      const signal = AbortSignal.timeout(20_000);
      const r: { credentials?: Credentials; settings?: Record<string, unknown> } | void = channel?.register
        ? await channel.register({ account, signal, logger: log })
        : crm!.client.register
          ? await crm!.client.register({ account, signal, logger: log })
          : void (await crm!.client.scope({ account, signal, logger: log }));
      return {
        credentials: { ...account.credentials, ...(r?.credentials ?? {}) },
        settings: { ...account.settings, ...(r?.settings ?? {}) },
      };
    } catch (err) {
      const kind = isConnectorError(err) ? err.kind : 'upstream';
      const what = crm && !channel ? 'the account' : 'the webhook';
      const message = `${connector} refused to register ${what}: ${(err as Error).message}`;
      log.warn({ connector, accountId: account.id, kind }, 'webhook registration failed');
      const path = kind === 'auth' ? '/body/credentials' : '/body/settings';
      throw httpErrors.registrationFailed(kind === 'upstream' || kind === 'rate_limited' ? 502 : 422, message, [
        { path, code: kind, message },
      ]);
    }
  }

  /**
   * Polling channels get their loop, CRM accounts their sync (its state, then its loop: connecting a CRM writes the
   * workspace's contacts to it and keeps them in step). Idempotent: one workflow per account.
   */
  async function ensureLoops(connector: string, accountId: string, workspaceId: string): Promise<void> {
    const installed = app.registry.get(connector);
    if (installed?.channel?.poll) await app.workflows.ensurePolling(accountId);
    if (installed?.crm) {
      await crmSyncs.ensure(accountId, workspaceId);
      await app.workflows.ensureCrmSync(accountId);
    }
  }

  const toAccount = (row: ChannelAccountRow, log: { warn(o: object, m: string): void }): ChannelAccount => {
    let credentialKeys: string[] = [];
    let credentialsReadable = true;
    try {
      credentialKeys = Object.keys(accounts.credentialsOf(row)).sort();
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
      inboundUrl: accounts.inboundUrl(row.id),
      credentialsSet: true,
      credentialKeys,
      credentialsReadable,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  };

  /** Accounts as the API shows them, each CRM account with its sync's state. */
  async function withSync(rows: ChannelAccountRow[], log: { warn(o: object, m: string): void }) {
    const states = await crmSyncs.accountStates(rows.map((r) => r.id));
    return rows.map((r) => {
      const crmSync = states.get(r.id);
      return { ...toAccount(r, log), ...(crmSync && { crmSync }) };
    });
  }
  const oneWithSync = async (row: ChannelAccountRow, log: { warn(o: object, m: string): void }) =>
    (await withSync([row], log))[0]!;

  async function ownedAccount(workspaceId: string, id: string): Promise<ChannelAccountRow> {
    const row = await accounts.get(workspaceId, id);
    if (!row) throw httpErrors.notFound('channel account');
    return row;
  }

  const inboundNote =
    '`inboundUrl` is where the provider delivers webhooks (the channel gateway). Channels that register webhooks themselves (Telegram) do it on create and when the credentials change; a refusal is 422 `registration_failed`.';

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
      const { connector, name, credentials, settings = {} } = request.body;
      authValidator(connector); // an unknown connector is its own 400, before anything else
      checkAccount(connector, { credentials, settings });
      const id = newId('cha');
      const account = {
        id,
        workspaceId: request.workspaceId,
        credentials: credentials as JsonObject,
        settings: settings as JsonObject,
        inboundUrl: accounts.inboundUrl(id),
      };
      const stored = await register(connector, account, request.log);
      const row = await accounts.create({ id, workspaceId: request.workspaceId, connector, name, ...stored });
      try {
        await ensureLoops(connector, id, request.workspaceId);
      } catch (err) {
        // Not acknowledged (Temporal down: 503), so nothing stays behind: a retry would otherwise make a second account.
        await accounts.remove(request.workspaceId, id);
        throw err;
      }
      return reply.code(201).send(await oneWithSync(row, request.log));
    },
  );

  app.get(
    '/channel-accounts',
    {
      schema: {
        tags,
        summary: 'List channel accounts, newest first',
        querystring: ChannelAccountListQuery,
        response: { 200: ChannelAccountList, ...errors(400, 401, 503) },
      },
    },
    async (request) => {
      const { connector, cursor, limit = 50 } = request.query;
      const page = await accounts.list(request.workspaceId, { connector, cursor: decodeCursor(cursor, 'cha'), limit });
      return { items: await withSync(page.items, request.log), ...nextCursor(page.next) };
    },
  );

  app.get(
    '/channel-accounts/:id',
    {
      schema: {
        tags,
        summary: 'A channel account (without its credentials)',
        description: inboundNote,
        params: IdParams,
        response: { 200: ChannelAccount, ...errors(401, 404, 503) },
      },
    },
    async (request) => oneWithSync(await ownedAccount(request.workspaceId, request.params.id), request.log),
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
      if (installed)
        checkAccount(current.connector, {
          ...(credentials !== undefined && { credentials }),
          ...(settings !== undefined && { settings }),
        });
      // New credentials or settings may point at another bot or number: register again.
      let stored: { credentials?: Credentials; settings?: Record<string, unknown> } = {
        ...(credentials && { credentials }),
        ...(settings && { settings }),
      };
      if (
        installed &&
        (app.registry.get(current.connector)?.channel?.register || app.registry.get(current.connector)?.crm) &&
        (credentials !== undefined || settings !== undefined)
      ) {
        const account = accounts.accountOf(current, {
          ...(credentials && { credentials }),
          ...(settings && { settings }),
        });
        stored = await register(current.connector, account, request.log);
      }
      const row = await accounts.update(current.id, { name, ...stored });
      // An account made before its connector synced (or whose loop was lost) gets it back with any change. Best
      // effort: the change is stored, and a running loop reads it at its next round.
      if (installed)
        await ensureLoops(current.connector, current.id, request.workspaceId).catch((err: unknown) =>
          request.log.warn({ accountId: current.id, err: (err as Error).message }, 'could not ensure the account loop'),
        );
      return oneWithSync(row, request.log);
    },
  );

  app.delete(
    '/channel-accounts/:id',
    {
      schema: {
        tags,
        summary: 'Delete a channel account and its stored credentials',
        params: IdParams,
        response: { 204: Nothing, ...errors(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const current = await ownedAccount(request.workspaceId, request.params.id);
      const channel = app.registry.get(current.connector)?.channel;
      if (channel?.unregister) {
        // Best effort: a provider that is down must not keep an account from being deleted.
        try {
          const account = accounts.accountOf(current);
          await channel.unregister({ account, signal: AbortSignal.timeout(10_000), logger: request.log });
        } catch (err) {
          request.log.warn(
            { accountId: current.id, err: (err as Error).message },
            'webhook unregistration failed; the account is deleted anyway',
          );
        }
      }
      if (!(await accounts.remove(request.workspaceId, current.id))) throw httpErrors.notFound('channel account');
      // The polling or sync loop sees the account gone and ends by itself at its next round.
      return reply.code(204).send(null);
    },
  );
};
