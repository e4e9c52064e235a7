// Channel-account credentials at rest: the one place that knows they are encrypted with the account id as AAD, for the
// API (server/routes/channel-accounts.ts) now and for the gateway and the worker's sends later.
import type { JsonObject } from '../connectors/flow/types.js';
import type { ChannelAccount } from '../connectors/sdk/channel.js';
import type { PrismaClient } from './client.js';
import { decryptJson, encryptJson } from './secrets.js';

export type Credentials = Record<string, unknown>;

/** As Prisma's `Bytes` wants them (a plain Uint8Array over its own ArrayBuffer). */
export const sealCredentials = (key: Buffer, accountId: string, credentials: Credentials): Uint8Array<ArrayBuffer> =>
  new Uint8Array(encryptJson(key, accountId, credentials));

/** Throws DecryptError when the bytes were not sealed for this account with this key. */
export const openCredentials = (key: Buffer, accountId: string, bytes: Uint8Array): Credentials =>
  decryptJson<Credentials>(key, accountId, bytes);

/** The decrypted credentials of an account, or undefined when there is no such account. */
export async function channelAccountCredentials(
  prisma: PrismaClient,
  key: Buffer,
  accountId: string,
): Promise<Credentials | undefined> {
  const row = await prisma.channelAccount.findUnique({ where: { id: accountId }, select: { credentials: true } });
  return row ? openCredentials(key, accountId, row.credentials) : undefined;
}

/** The inbound URL of an account: what providers call and Twilio signs, so built from the public URL. */
export const inboundUrlOf = (publicUrl: string, accountId: string) =>
  `${publicUrl.replace(/\/+$/, '')}/hooks/channels/${accountId}`;

export interface LoadedAccount {
  connector: string;
  name: string;
  account: ChannelAccount;
}

/** An account with its credentials decrypted, as connector code receives it; undefined when there is none. */
export async function loadChannelAccount(
  prisma: PrismaClient,
  key: Buffer,
  publicUrl: string,
  accountId: string,
  workspaceId?: string,
): Promise<LoadedAccount | undefined> {
  const row = await prisma.channelAccount.findFirst({
    where: { id: accountId, ...(workspaceId !== undefined && { workspaceId }) },
  });
  if (!row) return undefined;
  return {
    connector: row.connector,
    name: row.name,
    account: {
      id: row.id,
      workspaceId: row.workspaceId,
      credentials: openCredentials(key, row.id, row.credentials) as JsonObject,
      settings: (row.settings ?? {}) as JsonObject,
      inboundUrl: inboundUrlOf(publicUrl, row.id),
    },
  };
}
