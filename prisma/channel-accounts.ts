// The channel-account store: accounts with their credentials at rest (encrypted with the account id as AAD, the one
// place that knows it), opened for connector code by the API, the gateway, the web chat routes, the worker's sends and
// polls alike, and the polling channels' cursors.
import type { JsonObject, JsonValue } from '../connectors/flow/types.js';
import type { ChannelAccount } from '../connectors/sdk/channel.js';
import type { Connector } from '../connectors/sdk/types.js';
import type { Prisma, PrismaClient } from './client.js';
import { afterKey, pageOf, type Page, type PageQuery } from './page.js';
import { decryptJson, encryptJson } from './secrets.js';

export type Credentials = Record<string, unknown>;
export type ChannelAccountRow = Prisma.ChannelAccountGetPayload<object>;

/** As Prisma's `Bytes` wants them (a plain Uint8Array over its own ArrayBuffer). */
export const sealCredentials = (key: Buffer, accountId: string, credentials: Credentials): Uint8Array<ArrayBuffer> =>
  new Uint8Array(encryptJson(key, accountId, credentials));

/** Throws DecryptError when the bytes were not sealed for this account with this key. */
export const openCredentials = (key: Buffer, accountId: string, bytes: Uint8Array): Credentials =>
  decryptJson<Credentials>(key, accountId, bytes);

/** The inbound URL of an account: what providers call and Twilio signs, so built from the public URL. */
export const inboundUrlOf = (publicUrl: string, accountId: string) =>
  `${publicUrl.replace(/\/+$/, '')}/hooks/channels/${accountId}`;

/**
 * Why an account cannot be opened: no key to decrypt with, credentials that do not decrypt (another key, altered
 * bytes), no such account (in that workspace, of that connector), or a connector not installed as a channel.
 */
export type AccountUnavailableReason = 'no_key' | 'unreadable' | 'not_found' | 'not_channel';

/** The one error `open` throws; the gateway maps the reason to 503/404, the worker to a ConnectorError. */
export class AccountUnavailable extends Error {
  constructor(
    readonly reason: AccountUnavailableReason,
    readonly accountId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AccountUnavailable';
  }
}

export interface OpenedAccount {
  /** As connector code receives it: credentials decrypted, with its inbound URL. */
  account: ChannelAccount;
  connector: Connector;
}

/** Which connector each of the given account ids of a workspace belongs to (unknown ids are left out). */
export type AccountLookup = (ids: string[]) => Promise<{ id: string; connector: string }[]>;

/** An account lookup over any client, a transaction's included (flow publishing checks inside its transaction). */
export const accountLookup =
  (db: Prisma.TransactionClient, workspaceId: string): AccountLookup =>
  (ids) =>
    db.channelAccount.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, connector: true } });

export interface ChannelAccountStoreOptions {
  /** The 32-byte key credentials are sealed with; absent, every use of credentials fails with reason `no_key`. */
  secretKey?: Buffer | undefined;
  /** Base URL the outside world reaches the server at (accounts' inbound URLs). */
  publicUrl: string;
  /** The installed connectors, to find an opened account's channel. */
  registry: { get(id: string): Connector | undefined };
}

export interface NewChannelAccount {
  id: string;
  workspaceId: string;
  connector: string;
  name: string;
  credentials: Credentials;
  settings: Record<string, unknown>;
}

export function createChannelAccountStore(prisma: PrismaClient, opts: ChannelAccountStoreOptions) {
  const { registry, publicUrl } = opts;
  const key = (accountId: string): Buffer => {
    if (!opts.secretKey)
      throw new AccountUnavailable('no_key', accountId, 'channel accounts need a secret key (CONFLUO_SECRET_KEY)');
    return opts.secretKey;
  };
  const seal = (accountId: string, credentials: Credentials) => sealCredentials(key(accountId), accountId, credentials);

  /** The decrypted credentials of a stored row; throws AccountUnavailable (`no_key`, `unreadable`). */
  function credentialsOf(row: ChannelAccountRow): Credentials {
    const k = key(row.id);
    try {
      return openCredentials(k, row.id, row.credentials);
    } catch (err) {
      throw new AccountUnavailable(
        'unreadable',
        row.id,
        `the credentials of channel account ${row.id} do not decrypt`,
        {
          cause: err,
        },
      );
    }
  }

  /** A row as connector code receives it; `given` replaces the stored credentials or settings (not yet saved ones). */
  function accountOf(
    row: ChannelAccountRow,
    given: { credentials?: Credentials; settings?: Record<string, unknown> } = {},
  ): ChannelAccount {
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      credentials: (given.credentials ?? credentialsOf(row)) as JsonObject,
      settings: (given.settings ?? row.settings ?? {}) as JsonObject,
      inboundUrl: inboundUrlOf(publicUrl, row.id),
    };
  }

  return {
    inboundUrl: (accountId: string) => inboundUrlOf(publicUrl, accountId),
    credentialsOf,
    accountOf,

    /** A page of the workspace's accounts (optionally of one connector), newest first. */
    async list(
      workspaceId: string,
      query: PageQuery & { connector?: string | undefined },
    ): Promise<Page<ChannelAccountRow>> {
      const rows = await prisma.channelAccount.findMany({
        where: {
          workspaceId,
          ...(query.connector !== undefined && { connector: query.connector }),
          ...afterKey(query.cursor),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: query.limit + 1,
      });
      return pageOf(rows, query.limit, (r) => ({ at: r.createdAt, id: r.id }));
    },

    get: (workspaceId: string, id: string): Promise<ChannelAccountRow | null> =>
      prisma.channelAccount.findFirst({ where: { id, workspaceId } }),

    /** A preflight needs only these, so no credentials are decrypted for it. */
    settingsOf: (id: string) =>
      prisma.channelAccount.findUnique({ where: { id }, select: { connector: true, settings: true } }),

    create: (a: NewChannelAccount): Promise<ChannelAccountRow> =>
      prisma.channelAccount.create({
        data: {
          id: a.id,
          workspaceId: a.workspaceId,
          connector: a.connector,
          name: a.name,
          credentials: seal(a.id, a.credentials),
          settings: a.settings as Prisma.InputJsonObject,
        },
      }),

    /** Renames and/or replaces settings or the credentials as a whole (sealed again). */
    update: (
      id: string,
      change: { name?: string | undefined; credentials?: Credentials; settings?: Record<string, unknown> },
    ): Promise<ChannelAccountRow> =>
      prisma.channelAccount.update({
        where: { id },
        data: {
          ...(change.name !== undefined && { name: change.name }),
          ...(change.settings !== undefined && { settings: change.settings as Prisma.InputJsonObject }),
          ...(change.credentials !== undefined && { credentials: seal(id, change.credentials) }),
        },
      }),

    /** False when the workspace has no such account. */
    async remove(workspaceId: string, id: string): Promise<boolean> {
      const { count } = await prisma.channelAccount.deleteMany({ where: { id, workspaceId } });
      return count > 0;
    },

    /** Which connector each named account of the workspace is (flow validation). */
    connectors: (workspaceId: string): AccountLookup => accountLookup(prisma, workspaceId),

    /**
     * An account ready for connector code: loaded (within `workspaceId`, of `connector`, when given), its channel
     * found and its credentials decrypted. Throws AccountUnavailable with the reason it cannot be.
     */
    async open(accountId: string, where: { workspaceId?: string; connector?: string } = {}): Promise<OpenedAccount> {
      key(accountId);
      const row = await prisma.channelAccount.findFirst({
        where: { id: accountId, ...(where.workspaceId !== undefined && { workspaceId: where.workspaceId }) },
      });
      if (!row || (where.connector !== undefined && row.connector !== where.connector))
        throw new AccountUnavailable('not_found', accountId, `no channel account "${accountId}"`);
      const connector = registry.get(row.connector);
      // A CRM account (connector.crm) is stored and opened the same way; it has no channel side.
      if (!connector?.channel && !connector?.crm)
        throw new AccountUnavailable(
          'not_channel',
          accountId,
          `account "${accountId}" uses connector "${row.connector}", which is not installed as a channel or CRM`,
        );
      return { account: accountOf(row), connector };
    },

    /** Where a polling channel's next poll starts (null before the first). */
    async cursor(accountId: string): Promise<JsonValue | null> {
      const row = await prisma.channelCursor.findUnique({ where: { accountId } });
      return (row?.cursor ?? null) as JsonValue | null;
    },

    async saveCursor(accountId: string, cursor: JsonValue): Promise<void> {
      await prisma.channelCursor.upsert({
        where: { accountId },
        create: { accountId, cursor: cursor as Prisma.InputJsonValue },
        update: { cursor: cursor as Prisma.InputJsonValue, updatedAt: new Date() },
      });
    },
  };
}

export type ChannelAccountStore = ReturnType<typeof createChannelAccountStore>;
