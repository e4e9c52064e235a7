// The channel-account store over the real PostgreSQL: sealed at rest, one open() and each reason it refuses, and the
// polling cursor.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '../connectors/builtin.js';
import { createRegistry } from '../connectors/sdk/index.js';
import { createWorkspace, testPrisma } from '../test/env.js';
import {
  AccountUnavailable,
  createChannelAccountStore,
  openCredentials,
  type AccountUnavailableReason,
} from './channel-accounts.js';
import { newId } from './ids.js';
import { DecryptError } from './secrets.js';

const prisma = testPrisma();
const KEY = randomBytes(32);
const registry = createRegistry(builtinConnectors());
const publicUrl = 'https://confluo.example/';
const accounts = createChannelAccountStore(prisma, { secretKey: KEY, publicUrl, registry });
let ws: string;
beforeAll(async () => {
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const add = (connector: string, store = accounts) =>
  store.create({
    id: newId('cha'),
    workspaceId: ws,
    connector,
    name: connector,
    credentials: { token: 'secret-token' },
    settings: { mode: 'test' },
  });

async function reason(p: Promise<unknown>): Promise<AccountUnavailableReason> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccountUnavailable);
  return (err as AccountUnavailable).reason;
}

describe('channel account store', () => {
  it('seals the credentials with the account id and opens them for connector code', async () => {
    const row = await add('sms');
    expect(Buffer.from(row.credentials).includes('secret-token')).toBe(false);
    expect(openCredentials(KEY, row.id, row.credentials)).toEqual({ token: 'secret-token' });
    const { account, connector } = await accounts.open(row.id, { workspaceId: ws, connector: 'sms' });
    expect(connector.id).toBe('sms');
    expect(account).toEqual({
      id: row.id,
      workspaceId: ws,
      credentials: { token: 'secret-token' },
      settings: { mode: 'test' },
      inboundUrl: `https://confluo.example/hooks/channels/${row.id}`,
    });
  });

  it('refuses with one reason: not_found, not_channel, unreadable, no_key', async () => {
    const row = await add('sms');
    const other = await createWorkspace(prisma, 'other');
    expect(await reason(accounts.open('cha_missing'))).toBe('not_found');
    expect(await reason(accounts.open(row.id, { workspaceId: other }))).toBe('not_found');
    expect(await reason(accounts.open(row.id, { connector: 'webchat' }))).toBe('not_found');

    const notChannel = await add('http');
    expect(await reason(accounts.open(notChannel.id))).toBe('not_channel');
    const uninstalled = await add('gone');
    expect(await reason(accounts.open(uninstalled.id))).toBe('not_channel');

    const otherKey = createChannelAccountStore(prisma, { secretKey: randomBytes(32), publicUrl, registry });
    const unreadable = otherKey.open(row.id);
    expect(await reason(unreadable)).toBe('unreadable');
    expect((await unreadable.catch((e: AccountUnavailable) => e.cause)) as unknown).toBeInstanceOf(DecryptError);

    const keyless = createChannelAccountStore(prisma, { publicUrl, registry });
    expect(await reason(keyless.open(row.id))).toBe('no_key');
    expect(await reason(keyless.open('cha_missing'))).toBe('no_key');
  });

  it('updates, pages and removes accounts within their workspace', async () => {
    const lws = await createWorkspace(prisma, 'list');
    const make = (connector: string) =>
      accounts.create({
        id: newId('cha'),
        workspaceId: lws,
        connector,
        name: connector,
        credentials: {},
        settings: {},
      });
    const a = await make('sms');
    const b = await make('telegram');
    const first = await accounts.list(lws, { limit: 1 });
    expect(first.items.map((r) => r.id)).toEqual([b.id]);
    const second = await accounts.list(lws, { limit: 1, ...(first.next && { cursor: first.next }) });
    expect(second).toEqual({ items: [expect.objectContaining({ id: a.id })] });
    expect((await accounts.list(lws, { limit: 10, connector: 'sms' })).items.map((r) => r.id)).toEqual([a.id]);

    const updated = await accounts.update(a.id, { name: 'renamed', credentials: { token: 'new-token' } });
    expect(updated.name).toBe('renamed');
    expect(accounts.credentialsOf(updated)).toEqual({ token: 'new-token' });
    expect(await accounts.connectors(lws)([a.id, b.id, 'cha_missing'])).toEqual(
      expect.arrayContaining([
        { id: a.id, connector: 'sms' },
        { id: b.id, connector: 'telegram' },
      ]),
    );
    expect(await accounts.remove(ws, a.id)).toBe(false);
    expect(await accounts.remove(lws, a.id)).toBe(true);
    expect(await accounts.get(lws, a.id)).toBeNull();
  });

  it('keeps the polling cursor of an account, overwritten by each save', async () => {
    const accountId = newId('cha');
    expect(await accounts.cursor(accountId)).toBeNull();
    await accounts.saveCursor(accountId, { uidValidity: 7, lastUid: 10 });
    expect(await accounts.cursor(accountId)).toEqual({ uidValidity: 7, lastUid: 10 });
    await accounts.saveCursor(accountId, { uidValidity: 7, lastUid: 12 });
    expect(await accounts.cursor(accountId)).toEqual({ uidValidity: 7, lastUid: 12 });
  });
});
