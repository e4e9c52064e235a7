// Channel-account credentials at rest: the one place that knows they are encrypted with the account id as AAD, for the
// API (server/routes/channel-accounts.ts) now and for the gateway and the worker's sends later.
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
export async function channelAccountCredentials(prisma: PrismaClient, key: Buffer, accountId: string): Promise<Credentials | undefined> {
  const row = await prisma.channelAccount.findUnique({ where: { id: accountId }, select: { credentials: true } });
  return row ? openCredentials(key, accountId, row.credentials) : undefined;
}
