import { actionContext } from '../../testkit/channel.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace, testPrisma } from '../../../test/env.js';
import type { PrismaClient } from '../../../prisma/client.js';
import { createContactsService, findContactByIdentity } from '../../../prisma/contacts.js';
import { createAjv, ConnectorError, type ActionContext, type Connector } from '../../sdk/index.js';
import { builtinConnectors } from '../../builtin.js';
import { contactsConnector } from '../index.js';
import { kindValues } from '../../../test/contacts.js';
import type { ContactUpsertActionInput, ContactUpsertActionOutput } from './upsert.js';

let prisma: PrismaClient;
let ws: string;
beforeAll(async () => {
  prisma = testPrisma();
  ws = await createWorkspace(prisma);
});
afterAll(() => prisma.$disconnect());

const noop = () => {};
const unusedChannels = {
  send: () => Promise.reject(new Error('unused')),
  reply: () => Promise.reject(new Error('unused')),
};
const upsert = (input: ContactUpsertActionInput, workspaceId = ws, connector: Connector = contactsConnector) => {
  const ctx: ActionContext = actionContext(
    { channels: unusedChannels, contacts: createContactsService(prisma) },
    {
      workspaceId,
      runId: 'run_7',
      nodeId: 'save',
      idempotencyKey: 'run_7:save',
      logger: { debug: noop, info: noop, warn: noop, error: noop },
    },
  );
  return connector.actions[0]!.run(ctx, input) as Promise<ContactUpsertActionOutput>;
};

describe('contacts.upsert', () => {
  it('has a schema that needs one of email, phone or identities', () => {
    expect(contactsConnector.manifest.actions.map((a) => a.id)).toEqual(['contacts.upsert', 'contacts.merge']);
    const validate = createAjv().compile(contactsConnector.manifest.actions[0]!.input);
    expect(validate({ email: 'a@b.co' })).toBe(true);
    expect(validate({ phone: '+14155550123', defaultCountry: 'us', name: null })).toBe(true);
    expect(validate({ identities: [{ kind: 'telegram', value: '1' }] })).toBe(true);
    expect(validate({ name: 'Ada' })).toBe(false);
    expect(validate({ email: 'a@b.co', defaultCountry: 'USA' })).toBe(false);
  });

  it('creates then updates one contact, normalizing email and phone, with provenance', async () => {
    const first = await upsert({ email: ' Ada@Example.com ', name: 'Ada', attributes: { plan: 'free' } });
    expect(first).toMatchObject({
      created: true,
      name: 'Ada',
      attributes: { plan: 'free' },
      identities: [{ kind: 'email', value: 'ada@example.com' }],
    });
    const second = await upsert({
      email: 'ada@example.com',
      phone: '(415) 555-0123',
      defaultCountry: 'US',
      name: null,
      attributes: { plan: 'pro', seats: 3 },
    });
    expect(second).toMatchObject({ id: first.id, created: false, name: 'Ada', attributes: { plan: 'pro', seats: 3 } });
    expect(kindValues(second)).toEqual([
      { kind: 'email', value: 'ada@example.com' },
      { kind: 'phone', value: '+14155550123' },
    ]);
    const row = await prisma.identity.findFirst({ where: { workspaceId: ws, kind: 'phone' } });
    expect(row?.source).toEqual({ type: 'run', runId: 'run_7', nodeId: 'save' });
    expect((await findContactByIdentity(prisma, ws, 'phone', '+14155550123'))?.id).toBe(first.id);
  });

  it('uses CONFLUO_DEFAULT_COUNTRY when no defaultCountry is given', async () => {
    const before = process.env.CONFLUO_DEFAULT_COUNTRY;
    process.env.CONFLUO_DEFAULT_COUNTRY = 'GB';
    try {
      // Read where the built-in connectors are made, not inside the action.
      const contacts = builtinConnectors().find((c) => c.id === 'contacts')!;
      const out = await upsert({ phone: '07911 123456', email: null }, ws, contacts);
      expect(kindValues(out)).toEqual([{ kind: 'phone', value: '+447911123456' }]);
    } finally {
      if (before === undefined) delete process.env.CONFLUO_DEFAULT_COUNTRY;
      else process.env.CONFLUO_DEFAULT_COUNTRY = before;
    }
  });

  it('rejects invalid input as a non-retryable validation error and writes nothing', async () => {
    const own = await createWorkspace(prisma);
    for (const [input, field] of [
      [{ email: 'not-an-email' }, 'email'],
      [{ phone: '12', email: 'x' }, 'email'],
      [{ email: null, phone: '' }, 'email'],
    ] as const) {
      const err = await upsert(input, own).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectorError);
      expect(err).toMatchObject({ kind: 'validation', retryable: false, code: 'INPUT_INVALID' });
      expect((err as Error).message).toMatch(new RegExp(`^${field}:`));
    }
    expect(await prisma.contact.count({ where: { workspaceId: own } })).toBe(0);
  });

  it('keeps the valid email when the phone is not one: the phone is stored as written, flagged, never matched', async () => {
    const own = await createWorkspace(prisma);
    const out = await upsert({ email: 'Lupe@Example.mx', phone: '044 55 1234 5678', defaultCountry: 'MX' }, own);
    expect(out.created).toBe(true);
    expect(out.identities).toEqual([
      expect.objectContaining({ kind: 'email', value: 'lupe@example.mx', valid: true }),
      expect.objectContaining({ kind: 'phone', value: '044 55 1234 5678', valid: false, verified: false }),
    ]);
    expect(out.invalid).toEqual([
      { field: 'phone', kind: 'phone', value: '044 55 1234 5678', reason: expect.stringMatching(/not a valid phone/) },
    ]);
    // The same bad phone beside another email: no match on it, a second contact.
    const other = await upsert({ email: 'paco@example.mx', phone: '044 55 1234 5678', defaultCountry: 'MX' }, own);
    expect(other.created).toBe(true);
    expect(other.id).not.toBe(out.id);
    // Repeating the first upsert attaches nothing twice.
    const again = await upsert({ email: 'lupe@example.mx', phone: '044 55 1234 5678', defaultCountry: 'MX' }, own);
    expect(again).toMatchObject({ id: out.id, created: false });
    expect(await prisma.identity.count({ where: { contactId: out.id } })).toBe(2);
  });

  it('links Gmail spellings of one mailbox to one contact, keeping the first as written', async () => {
    const own = await createWorkspace(prisma);
    const a = await upsert({ email: 'J.Doe@gmail.com' }, own);
    const b = await upsert({ email: 'jdoe+orders@googlemail.com', name: 'Jo' }, own);
    expect(b).toMatchObject({ id: a.id, created: false, name: 'Jo' });
    expect(kindValues(b)).toEqual([{ kind: 'email', value: 'j.doe@gmail.com' }]);
    const c = await upsert({ email: 'jdoe+orders@example.com' }, own);
    expect(c.created).toBe(true);
  });

  it('merges the contacts its identities link, and reports differently named ones as conflicts', async () => {
    const own = await createWorkspace(prisma);
    const a = await upsert({ email: 'x@example.com' }, own);
    await prisma.contact.update({ where: { id: a.id }, data: { createdAt: new Date(Date.now() - 60_000) } });
    const b = await upsert({ identities: [{ kind: 'telegram', value: '99' }] }, own);
    const both = await upsert({ email: 'x@example.com', identities: [{ kind: 'telegram', value: '99' }] }, own);
    expect(both).toMatchObject({ id: a.id, created: false, merged: [b.id] });
    const ana = await upsert({ email: 'ana@example.com', name: 'Ana Ruiz' }, own);
    const leo = await upsert({ email: 'leo@example.com', name: 'Leo Ruiz' }, own);
    await prisma.contact.update({ where: { id: ana.id }, data: { createdAt: new Date(Date.now() - 30_000) } });
    const two = await upsert(
      { email: 'ana@example.com', identities: [{ kind: 'email', value: 'leo@example.com' }] },
      own,
    );
    expect(two).toMatchObject({ id: ana.id, conflicts: [leo.id] });
    // The household's phone: a second person gets a copy.
    const home = await upsert({ phone: '+14155550142', email: 'ana@example.com', name: 'Ana Ruiz' }, own);
    expect(home.id).toBe(ana.id);
    const other = await upsert({ phone: '+1 415 555 0142', email: 'leo@example.com', name: 'Leo Ruiz' }, own);
    expect(other).toMatchObject({ id: leo.id, sharedWith: [ana.id] });
  });
});
